"""A shopper (no account) buys a demo product, chooses pick-up in store and pays by card."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.browser.steps import enter_card, open_product_in_stock, place_order, snapshot
from tests.factories.payments import CARD_OK

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser


def test_shopper_chooses_pick_up_in_store(browser_page, live_server, localstripe, demo):
    page = browser_page
    open_product_in_stock(page, skip=0)
    title = page.locator("div.product_main h1").inner_text()
    page.locator("#add_to_basket_form button[type=submit]").click()

    page.goto("/checkout/")
    page.locator("#id_username").fill("shopper@campus.example")
    page.locator("input[name=options][value=anonymous]").check()
    page.locator("form.card button[type=submit]").click()
    pick_up = page.locator("#method_pick_up")
    expect(pick_up).to_contain_text("Free")
    snapshot(page, "shopper-1-methods")
    pick_up.locator("button[type=submit]").click()
    expect(page.locator("#payment_details_form")).to_be_visible()
    enter_card(page, CARD_OK)
    place_order(page)

    snapshot(page, "shopper-2-thank-you")
    order = Order.objects.get(guest_email="shopper@campus.example")
    expect(page.locator("body")).to_contain_text(order.number)
    expect(page.locator("body")).to_contain_text("Pick up in store, ready from")
    expect(page.locator("body")).to_contain_text(title)
    assert order.shipping_code == "pick-up" and order.shipping_address is None
    assert order.shipping_incl_tax == Decimal("0.00")
    # The card was charged at (local)Stripe for the order's total.
    source = order.sources.get()
    assert source.amount_debited == order.total_incl_tax
    intent = localstripe.get(f"/v1/payment_intents/{source.reference}")
    assert intent["status"] == "succeeded"
    assert intent["amount"] == int(order.total_incl_tax * 100)
