"""A shopper picks up in store, another has it delivered on campus, both paying by card
through (localstripe's fake) Stripe.js in Chromium."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.browser.payments.test_card_checkout_browser import choose_pick_up, enter_card
from tests.factories.payments import CARD_OK, shipping_country, shop_product

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser


@pytest.fixture
def rice(transactional_db):
    shipping_country()
    return shop_product(price="12.00", title="Jasmine rice 1kg")


def start_checkout(page, product, email):
    page.goto(product.get_absolute_url())
    page.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
    page.goto("/checkout/")
    page.locator("#id_username").fill(email)
    page.locator("input[name=options][value=anonymous]").check()
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("#method_pick_up")).to_contain_text("Free")
    expect(page.locator("#method_campus_delivery")).to_contain_text("¥3.00")


def pay_by_card(page, live_server):
    expect(page.locator("#payment_details_form")).to_be_visible()
    enter_card(page, CARD_OK)
    page.locator("#view_preview").click()
    page.locator("#place-order").click()
    expect(page).to_have_url(f"{live_server.url}/checkout/thank-you/")


def test_shopper_picks_up_in_store_and_pays_by_card(browser_page, live_server, localstripe, rice):
    page = browser_page
    start_checkout(page, rice, "pickup@campus.example")
    ready = page.locator("#method_pick_up strong").inner_text()

    choose_pick_up(page)
    pay_by_card(page, live_server)

    order = Order.objects.get()
    assert order.shipping_code == "pick-up" and order.shipping_address is None
    assert order.total_incl_tax == Decimal("12.00")
    expect(page.locator("body")).to_contain_text("Pick up in store, ready from")
    assert ready.split()[-1] in order.shipping_method  # the time the shopper was shown


def test_shopper_has_it_delivered_to_building_and_room(
    browser_page, live_server, localstripe, rice
):
    page = browser_page
    start_checkout(page, rice, "delivery@campus.example")

    page.locator("#choose_campus_delivery").click()
    page.locator("#id_building").fill("Dormitory 3")
    page.locator("#id_room").fill("201")
    page.locator("#id_notes").fill("Leave it at the desk")
    second_round = page.locator("input[name=delivery_round]").nth(1)
    second_round.check()
    round_code = second_round.get_attribute("value")
    page.locator("#campus_delivery_form button[type=submit]").click()
    pay_by_card(page, live_server)

    order = Order.objects.get()
    assert order.shipping_code == round_code
    assert order.shipping_incl_tax == Decimal("3.00")
    assert order.total_incl_tax == Decimal("15.00")
    assert order.sources.get().amount_debited == Decimal("15.00")
    address = order.shipping_address
    assert (address.line1, address.line2, address.notes) == (
        "Dormitory 3",
        "Room 201",
        "Leave it at the desk",
    )
    body = page.locator("body")
    expect(body).to_contain_text(order.shipping_method)
    expect(body).to_contain_text("Room 201")
