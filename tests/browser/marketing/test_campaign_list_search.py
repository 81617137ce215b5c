"""Marketing's campaigns list in the CMS has its own search box, uncovered: the storefront's
product search and its "Relevancy / Customer rating" sort no longer leak into the CMS."""

import pytest
from playwright.sync_api import expect

from marketing.models import Campaign
from staff import roles
from tests.factories.marketing import rule_segment
from tests.factories.staff import staff_user

PASSWORD = "marketing-pass-1"


@pytest.fixture
def marketer(transactional_db):
    return staff_user(
        roles.MARKETING, username="marketing", email="marketing@campus.example", password=PASSWORD
    )


@pytest.mark.browser
def test_campaign_search_box_is_visible_and_finds_a_campaign(browser_page, live_server, marketer):
    segment = rule_segment(
        name="Students", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
    )
    Campaign.objects.create(name="Autumn rice week", subject="Rice for less", segment=segment)
    Campaign.objects.create(name="Exam snacks", subject="Energy for exams", segment=segment)
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/cms/login/")
    page.fill("#id_username", "marketing")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/cms/")

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
