"""The data of a chart drawn in the browser by ``static/js/charts.js``.

A page puts the spec in the page with ``json_script`` and a ``<canvas data-chart="ID">`` naming
it; the script draws every such canvas with the vendored Chart.js. Values are numbers (a
Decimal sum becomes a float) or None for a gap.
"""

from collections.abc import Iterable


def chart_spec(
    *,
    kind: str,
    labels: Iterable,
    datasets: Iterable[tuple[str, Iterable]],
    stacked: bool = False,
) -> dict:
    """A Chart.js ``kind`` chart ("bar", "line", "doughnut"): one dataset per (label, values)."""
    spec = {
        "type": kind,
        "labels": [str(label) for label in labels],
        "datasets": [
            {"label": str(label), "data": [float(v) if v is not None else None for v in values]}
            for label, values in datasets
        ],
    }
    if stacked:
        spec["stacked"] = True
    return spec
