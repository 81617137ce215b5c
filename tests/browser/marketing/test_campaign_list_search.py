"""Marketing's campaigns list in the CMS has its own search box, uncovered: the storefront's
product search and its "Relevancy / Customer rating" sort no longer leak into the CMS."""

import pytest
from playwright.sync_api import expect

from marketing.models import Campaign
from tests.factories.marketing import rule_segment


@pytest.mark.browser
def test_campaign_search_box_is_visible_and_finds_a_campaign(marketer_page):
    segment = rule_segment(
        name="Students", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
    )
    Campaign.objects.create(name="Autumn rice week", subject="Rice for less", segment=segment)
    Campaign.objects.create(name="Exam snacks", subject="Energy for exams", segment=segment)
    page = marketer_page
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto("/cms/marketing/campaigns/")

    expect(page.locator("select[name=sort_by]")).to_have_count(0)
    search = page.locator("form[data-search-form] input[name=q]")
    expect(search).to_be_visible()
    search.click(trial=True)  # nothing lies over it
    box = search.bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", list(centre))
    assert on_top == search.get_attribute("id")

    search.fill("rice")
    results = page.locator("#listing-results")
    expect(results).to_contain_text("Autumn rice week")
    expect(results).not_to_contain_text("Exam snacks")
