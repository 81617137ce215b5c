"""Marketing finds a member in the Wagtail admin, adjusts their points and sees the audit row."""

import pytest
from oscar.test.factories import UserFactory
from playwright.sync_api import expect

from loyalty.services.ledger import points_adjust
from staff import roles
from tests.factories.loyalty import member_card
from tests.factories.staff import staff_user

PASSWORD = "marketing-pass-1"
MARKETING_USERNAME = "marketing"


@pytest.fixture
def marketing_user(transactional_db):
    """Like the demo's `marketing` account: the marketing role, not staff."""
    return staff_user(
        roles.MARKETING,
        username=MARKETING_USERNAME,
        email="marketing@campus.example",
        password=PASSWORD,
    )


@pytest.fixture
def member(transactional_db):
    card = member_card(
        user=UserFactory(first_name="Wei", last_name="Li", email="li.wei@campus.example")
    )
    points_adjust(
        account_id=card.account_id,
        points=400,
        reason="Opening balance",
        created_by=UserFactory(is_superuser=True),
    )
    member_card(user=UserFactory(first_name="Min", last_name="Zhang"))
    return card


@pytest.mark.browser
def test_marketing_searches_a_member_and_adjusts_points_with_a_reason(
    browser_page, live_server, marketing_user, member
):
    page = browser_page
    page.goto("/cms/login/")
    page.fill("#id_username", MARKETING_USERNAME)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/cms/")

    page.goto("/cms/loyalty_members/")
    # Wagtail's listing search (the menu has a search box of its own).
    page.locator("#id_q").fill("li wei")
    results = page.locator("table.listing tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Wei Li")
    expect(results.first).to_contain_text("400")

    page.get_by_role("link", name=member.number).click()
    expect(page.get_by_test_id("points-balance")).to_have_text("400")

    page.locator("#id_points").fill("-150")
    page.locator("#id_reason").fill("Duplicate earn on order 1042")
    page.get_by_role("button", name="Adjust points").click()

    expect(page.locator(".messages")).to_contain_text("the balance is now 250")
    expect(page.get_by_test_id("points-balance")).to_have_text("250")
    audit = page.get_by_test_id("adjustments").locator("tbody tr").first
    expect(audit).to_contain_text("-150")
    expect(audit).to_contain_text("Duplicate earn on order 1042")
    expect(audit).to_contain_text(MARKETING_USERNAME)
