// The one chart script: draws every <canvas data-chart="id"> from the spec in <script id="id">
// (written by json_script from core.charts.chart_spec) with the vendored Chart.js
// (static/vendor/chartjs). A chart fills its box: the box (.chart, static/css/charts.css)
// gives the height.
(function () {
  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var stacked = !!spec.stacked;
      var round = spec.type === "doughnut" || spec.type === "pie";
      new Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: round ? {} : { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } },
        },
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
