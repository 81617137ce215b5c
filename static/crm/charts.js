// Draws every <canvas data-crm-chart="id"> from the JSON in <script id="id">, with the
// vendored Chart.js (static/vendor/chartjs). Data come from the server's SQL aggregates.
(function () {
  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-crm-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.crmChart);
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
