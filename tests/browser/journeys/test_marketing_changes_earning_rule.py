"""Marketing raises the points per CNY in the CMS; the next member's order earns by it."""

import re
from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from loyalty import selectors as loyalty_selectors
from loyalty.models import EarningRules, MemberCard, PointsTransaction
from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.steps import (
    enter_card,
    open_product_in_stock,
    place_order,
    sign_in,
    snapshot,
)
from tests.factories.payments import CARD_OK

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser

NEW_RATE = Decimal("5.00")


def _another_member_card(demo) -> MemberCard:
    """A usable demo card other than the printed one (that member has a journey of their own)."""
    return (
        MemberCard.objects.usable()
        .filter(user__username__startswith="member")
        .exclude(number=demo.card_number)
        .order_by("number")
        .first()
    )


def test_marketing_changes_earning_rule_and_next_order_earns_by_it(
    browser_page, live_server, localstripe, demo
):
    page = browser_page
    marketing = next(a for a in DEMO_STAFF_ACCOUNTS if a.username == "marketing")
    assert EarningRules.load().points_per_cny != NEW_RATE

    page.goto("/cms/login/")
    page.locator("#id_username").fill(marketing.username)
    page.locator("#id_password").fill(marketing.password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cms/$"))
    page.goto("/cms/settings/loyalty/earningrules/")
    page.locator("#id_points_per_cny").fill(str(NEW_RATE))
    page.locator("form button[type=submit]", has_text="Save").first.click()
    expect(page.locator(".messages")).to_contain_text("updated")
    snapshot(page, "marketing-1-earning-rules")
    rules = EarningRules.load()
    assert rules.points_per_cny == NEW_RATE

    # The next order: another demo member, signed in with card + PIN, pays by card.
    card = _another_member_card(demo)
    shopper = page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
    member_page = shopper.new_page()
    member_page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    sign_in(member_page, card.number, demo.card_pin)
    open_product_in_stock(member_page, skip=1)
    member_page.locator("#add_to_basket_form button[type=submit]").click()
    member_page.goto("/checkout/")
    member_page.locator("#method_pick_up button[type=submit]").click()
    expect(member_page.locator("#payment_details_form")).to_be_visible()
    enter_card(member_page, CARD_OK)
    place_order(member_page)

    order = Order.objects.filter(user=card.user).latest("date_placed")
    earned = PointsTransaction.objects.get(order=order, kind=PointsTransaction.Kind.EARN)
    card.refresh_from_db()
    at_new_rate = loyalty_selectors.order_points_quote(
        order=order, rules=rules, card=card, account=card.account
    )
    rules.points_per_cny = Decimal("1.00")
    at_old_rate = loyalty_selectors.order_points_quote(
        order=order, rules=rules, card=card, account=card.account
    )
    assert earned.points == at_new_rate > at_old_rate
    expect(member_page.locator("#order_points_earned")).to_contain_text(
        f"You earned {earned.points} points"
    )
    snapshot(member_page, "marketing-2-next-order")
    shopper.close()
