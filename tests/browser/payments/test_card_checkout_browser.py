"""A shopper pays by card through (localstripe's fake) Stripe.js in Chromium."""

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.factories.payments import CARD_DECLINED, CARD_OK, shipping_country, shop_product
from tests.waiting import wait_until

Order = get_model("order", "Order")
StripeWebhookEvent = get_model("payment", "StripeWebhookEvent")

pytestmark = pytest.mark.browser


@pytest.fixture
def rice(transactional_db):
    shipping_country()
    return shop_product(price="12.00", title="Jasmine rice 1kg")


@pytest.fixture
def stripe_webhooks_to_live_server(localstripe, live_server):
    """localstripe delivers its real, signed events to this test's server."""
    localstripe.register_webhook(f"{live_server.url}/checkout/stripe/webhook/")
    yield
    localstripe.unregister_webhook()


def checkout_to_payment(page, product):
    page.goto(product.get_absolute_url())
    page.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
    page.goto("/checkout/")
    page.locator("#id_username").fill("guest@campus.example")
    page.locator("input[name=options][value=anonymous]").check()
    page.locator("form.card button[type=submit]").click()
    choose_pick_up(page)
    expect(page.locator("#payment_details_form")).to_be_visible()


def choose_pick_up(page):
    """The checkout's first step: pick up in store (free, no address)."""
    page.locator("#method_pick_up button[type=submit]").click()


def enter_card(page, number):
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10000")


def test_card_4242_reaches_the_thank_you_page(
    browser_page, live_server, rice, stripe_webhooks_to_live_server
):
    page = browser_page
    checkout_to_payment(page, rice)
    enter_card(page, CARD_OK)
    page.locator("#view_preview").click()
    expect(page.locator("#payment_summary")).to_contain_text("12.00")

    page.locator("#place-order").click()

    expect(page).to_have_url(f"{live_server.url}/checkout/thank-you/")
    order = Order.objects.get()
    expect(page.locator("body")).to_contain_text(order.number)
    assert order.status == "Paid"
    assert order.sources.get().reference.startswith("pi_")
    # localstripe's own payment_intent.succeeded arrives afterwards: still one order.
    wait_until(
        StripeWebhookEvent.objects.filter(event_type="payment_intent.succeeded").exists,
        what="localstripe's payment_intent.succeeded did not reach the store",
    )
    # The live server answers one request at a time: once this page is back, the event's
    # handler has finished.
    page.goto("/")
    assert Order.objects.count() == 1


def test_declining_card_sees_the_error(browser_page, live_server, rice):
    page = browser_page
    checkout_to_payment(page, rice)
    enter_card(page, CARD_DECLINED)
    page.locator("#view_preview").click()

    page.locator("#place-order").click()

    expect(page.locator(".alert-danger")).to_contain_text("Your card was declined")
    assert not Order.objects.exists()
