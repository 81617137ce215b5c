"""A demo member pre-orders the demo textbook (card authorised); the operator releases it from
the dashboard with "Release now", and the card is charged."""

import re

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from loyalty.models import MemberCard
from preorders.models import Preorder, PreorderSettings
from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.payments.test_card_checkout_browser import choose_pick_up
from tests.browser.steps import enter_card, place_order, sign_in, snapshot
from tests.factories.payments import CARD_OK

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser


def test_operator_releases_a_preorder_and_the_card_is_charged(
    browser_page, live_server, localstripe, demo
):
    textbook = PreorderSettings.objects.select_related("product").get(
        product__code="preorder-textbook"
    )
    card = (
        MemberCard.objects.usable()
        .filter(user__username__startswith="member")
        .exclude(number=demo.card_number)
        .order_by("-number")
        .first()
    )

    # The member pre-orders the textbook: the card is only authorised.
    member = browser_page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
    member_page = member.new_page()
    member_page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    sign_in(member_page, card.number, demo.card_pin)
    member_page.goto(textbook.product.get_absolute_url())
    expect(member_page.locator(".preorder-badge")).to_contain_text("Pre-order: ships by")
    member_page.locator("#preorder_button").click()
    member_page.goto("/checkout/")
    choose_pick_up(member_page)
    expect(member_page.locator("#payment_details_form")).to_be_visible()
    enter_card(member_page, CARD_OK)
    place_order(member_page)
    member.close()

    preorder = Preorder.objects.get(user=card.user, settings=textbook)
    assert preorder.status == Preorder.Status.RESERVED
    intent = localstripe.get(f"/v1/payment_intents/{preorder.payment_intent_id}")
    assert intent["status"] == "requires_capture"

    # The operator, in the dashboard, releases the product now.
    operator = next(a for a in DEMO_STAFF_ACCOUNTS if a.username == "operator")
    page = browser_page
    sign_in(page, operator.username, operator.password)
    page.goto("/dashboard/preorders/")
    page.get_by_role("link", name=textbook.product.title).click()
    expect(page.locator("h1")).to_contain_text(textbook.product.title)
    row = page.locator("#preorder_list tr", has_text=preorder.order_number)
    expect(row.locator(".status")).to_contain_text("Reserved")
    page.locator("#release_now button[type=submit]").click()
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text(
        re.compile("release", re.IGNORECASE)
    )
    expect(row.locator(".status")).to_contain_text("Charged")

    snapshot(page, "operator-1-released")
    preorder.refresh_from_db()
    assert preorder.status == Preorder.Status.CHARGED
    assert Order.objects.get(number=preorder.order_number).status == "Paid"
    intent = localstripe.get(f"/v1/payment_intents/{preorder.payment_intent_id}")
    assert intent["status"] == "succeeded"
    latest = intent["latest_charge"]
    charge = localstripe.get(f"/v1/charges/{latest if isinstance(latest, str) else latest['id']}")
    assert charge["captured"] is True
    assert charge["amount"] == int(preorder.amount * 100)
