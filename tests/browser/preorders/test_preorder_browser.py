"""A shopper pre-orders in Chromium, sees the expected date, and sees it charged after release."""

import pytest
from django.utils.formats import date_format
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory
from playwright.sync_api import expect

from preorders import services
from preorders.models import PaymentPolicy, Preorder
from tests.browser.payments.test_card_checkout_browser import choose_pick_up, enter_card
from tests.factories.payments import CARD_OK, shipping_country
from tests.factories.preorders import preorder_product, release_today

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser

PASSWORD = "campus-shopper-pw-1"


@pytest.fixture
def textbook(transactional_db):
    shipping_country()
    return preorder_product(
        title="Calculus: Early Transcendentals",
        # Authorise now, capture at release. (localstripe's fake Stripe.js hands out legacy
        # card_ ids, which SetupIntents refuse: the save-card policy is covered by the unit
        # tests with PaymentMethods instead.)
        policy=PaymentPolicy.AUTHORISE,
        price="88.00",
        days_to_release=5,
    )


@pytest.fixture
def shopper(transactional_db):
    user = UserFactory(email="mei@campus.example", username="mei")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_shopper_preorders_sees_the_expected_date_then_the_charge(
    browser_page, live_server, localstripe, textbook, shopper
):
    page = browser_page
    page.goto("/accounts/login/")
    page.locator("#id_login-username").fill(shopper.email)
    page.locator("#id_login-password").fill(PASSWORD)
    page.locator("button[name=login_submit]").click()

    page.goto(textbook.product.get_absolute_url())
    expect(page.locator(".preorder-badge")).to_contain_text("Pre-order: ships by")
    page.locator("#preorder_button").click()
    page.goto("/checkout/")
    # A pre-order is picked up like any order, only from its release day.
    expect(page.locator("#method_pick_up")).to_contain_text(
        date_format(textbook.release_date, "WEEKDAY_DATE_FORMAT")
    )
    choose_pick_up(page)
    expect(page.locator("#payment_details_form")).to_be_visible()
    enter_card(page, CARD_OK)
    page.locator("#view_preview").click()
    page.locator("#place-order").click()
    expect(page).to_have_url(f"{live_server.url}/checkout/thank-you/")

    preorder = Preorder.objects.get()
    assert preorder.status == Preorder.Status.RESERVED and preorder.payment_intent_id
    page.goto(f"/accounts/orders/{preorder.order_number}/")
    card = page.locator(f"#preorder_{preorder.pk}")
    expect(card.locator(".preorder-status-label")).to_have_text("Reserved")
    expect(card.locator(".preorder-expected-date")).to_have_text(
        date_format(textbook.release_date, "DATE_FORMAT")
    )

    release_today(textbook)
    services.preorders_release_due()

    page.reload()
    expect(card.locator(".preorder-status-label")).to_have_text("Charged")
    expect(card).to_contain_text("charged")
    assert Order.objects.get().status == "Paid"
