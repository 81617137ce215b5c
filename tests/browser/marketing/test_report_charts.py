"""Marketing's report pages draw their charts with the one chart script (static/js/charts.js)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import Campaign, SegmentSizeSnapshot
from tests.factories.marketing import rule_segment

CHART_DRAWN = """(id) => {
    const chart = Chart.getChart(document.getElementById(id));
    return chart && {
        type: chart.config.type,
        labels: chart.data.labels,
        datasets: Object.fromEntries(chart.data.datasets.map((d) => [d.label, d.data])),
        height: chart.height,
    };
}"""


@pytest.mark.browser
def test_campaign_results_and_segment_sizes_draw_their_charts(marketer_page):
    segment = rule_segment(
        name="Students", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
    )
    Campaign.objects.create(
        name="Autumn rice week",
        subject="Rice for less",
        segment=segment,
        status=Campaign.Status.SENT,
        sent_at=timezone.now(),
    )
    today = timezone.localdate()
    for offset, (students, staff) in enumerate([(10, 4), (12, None), (15, 6)]):
        day = today - dt.timedelta(days=2 - offset)
        SegmentSizeSnapshot.objects.create(day=day, key="students", label="Students", size=students)
        if staff is not None:
            SegmentSizeSnapshot.objects.create(day=day, key="staff", label="Staff", size=staff)
    page = marketer_page
    page.set_viewport_size({"width": 1280, "height": 900})
    drawn = {}
    for path, canvas_id in [
        ("/cms/marketing/reports/campaign-results/", "campaign-chart"),
        ("/cms/marketing/reports/segment-sizes/", "segment-sizes-chart"),
    ]:
        page.goto(path)
        expect(page.locator(f"#{canvas_id}")).to_be_visible()
        drawn[canvas_id] = page.evaluate(CHART_DRAWN, canvas_id)

    campaigns, sizes = drawn["campaign-chart"], drawn["segment-sizes-chart"]
    assert campaigns["type"] == "bar"
    assert campaigns["labels"] == ["Autumn rice week"]
    assert campaigns["datasets"] == {
        "Revenue per recipient": [0],
        "Revenue per control member": [0],
    }
    assert sizes["type"] == "line"
    assert len(sizes["labels"]) == 3
    assert sizes["datasets"] == {"Staff": [4, None, 6], "Students": [10, 12, 15]}
    # The chart's box gives it its height.
    assert campaigns["height"] > 100 and sizes["height"] > 100
