"""A signed-in demo member sees a "Buy it again" row of their own items and a "New for you" row
of items they never bought, each with its reason, and neither is what a visitor sees.

The rows are the ones the demo load's recompute stored (``recommendations.services``), read
through the same pages a member opens: the home page and their account.
"""

import re

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from loyalty.demo import DEMO_CARD_PIN
from loyalty.models import MemberCard
from recommendations.models import RecommendationList
from shop.apps.order.selectors import lines_paid
from tests.browser.steps import sign_in, snapshot

pytestmark = pytest.mark.browser

Kind = RecommendationList.Kind
REASON = re.compile(r"^Because you buy (.+)$")


def _member_with_both_rows(*, other_than: str) -> MemberCard:
    """The busiest demo member with both stored rows, not the card other journeys use."""
    owners = set(
        RecommendationList.objects.filter(kind=Kind.BUY_AGAIN).values_list("owner_id", flat=True)
    ) & set(
        RecommendationList.objects.filter(kind=Kind.NEW_FOR_YOU).values_list("owner_id", flat=True)
    )
    card = (
        MemberCard.objects.usable()
        .filter(user_id__in=owners)
        .exclude(number=other_than)
        .annotate(orders=Count("user__orders"))
        .order_by("-orders", "number")
        .select_related("user")
        .first()
    )
    assert card is not None, "the demo's recompute stored no member's buy-it-again and new rows"
    return card


def _row(page: Page, placement: str):
    return page.locator(f'[data-recommendations="{placement}"]')


def _card_titles(row) -> list[str]:
    # The full title (the card's heading truncates long ones).
    return row.locator("article.product_pod h3 a").evaluate_all("links => links.map(a => a.title)")


def test_member_sees_their_own_rows_not_a_visitors(browser_page, live_server, demo):
    page = browser_page
    card = _member_with_both_rows(other_than=demo.card_number)
    bought = set(
        lines_paid()
        .filter(order__user=card.user)
        .values_list("product__title", flat=True)
        .distinct()
    )

    # A visitor: what is popular right now, and no "buy it again".
    page.goto("/")
    visitors_row = _row(page, "personal")
    expect(visitors_row.get_by_text("Popular right now")).to_be_visible()
    visitors_titles = _card_titles(visitors_row)
    assert visitors_titles
    expect(_row(page, "buy_again")).to_have_count(0)

    sign_in(page, card.number, DEMO_CARD_PIN)
    for path in ("/", "/accounts/profile/"):
        page.goto(path)
        buy_again = _row(page, "buy_again")
        expect(buy_again.get_by_text("Buy it again")).to_be_visible()
        own = _card_titles(buy_again)
        assert own
        assert set(own) <= bought, "buy it again shows only the member's own items"

        new = _row(page, "personal")
        expect(new).to_have_attribute("data-row", "new_for_you")
        expect(new.get_by_text("New for you")).to_be_visible()
        never_bought = _card_titles(new)
        assert never_bought
        assert not set(never_bought) & bought, "new for you shows only items never bought"
        reasons = new.locator(".recommendation-reason").all_inner_texts()
        assert reasons
        for reason in reasons:
            found = REASON.match(reason.strip())
            assert found is not None
            assert found.group(1) in bought, "the reason is one of the member's own purchases"

        assert own != visitors_titles
        assert never_bought != visitors_titles
        snapshot(page, f"member-rows{path.replace('/', '-')}")
