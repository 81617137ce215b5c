"""The checkout's first steps: pick-up skips the address, campus delivery asks building, room
and round, and the order, its pages and every way to pay carry the choice and the fee."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from shop.apps.shipping.codes import CAMPUS_DELIVERY_CODE_PREFIX, PICK_UP_CODE
from tests.factories.payments import CARD_OK, funded_wallet, shop_product

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_basket(checkout):
    """12.00 of goods: below the 50.00 free-delivery threshold."""
    checkout.add_to_basket(shop_product(price="12.00"))
    return checkout


def test_checkout_starts_with_pick_up_or_delivery(small_basket):
    response = small_basket.client.get(reverse("checkout:index"))

    assert response.status_code == 302 and response.url == reverse("checkout:shipping-method")
    page = small_basket.client.get(response.url).content.decode()
    assert "Pick up in store" in page and "Campus delivery" in page
    assert "¥3.00" in page and "¥50.00" in page


def test_pick_up_skips_the_address(small_basket):
    response = small_basket.client.post(
        reverse("checkout:shipping-method"), {"method_code": PICK_UP_CODE}
    )

    assert response.status_code == 302 and response.url == reverse("checkout:payment-method")
    payment = small_basket.client.get(reverse("checkout:payment-details"))
    assert payment.status_code == 200
    assert payment.context["shipping_address"] is None
    assert payment.context["order_total"].incl_tax == Decimal("12.00")


def test_payment_before_any_choice_goes_back_to_the_first_step(small_basket):
    response = small_basket.client.get(reverse("checkout:payment-details"))

    assert response.status_code == 302 and response.url == reverse("checkout:shipping-method")


@pytest.mark.parametrize(
    ("building", "room"), [("", "201"), ("Dormitory 3", ""), ("   ", "201"), ("Dormitory 3", " ")]
)
def test_campus_delivery_needs_building_and_room(small_basket, building, room):
    rounds = small_basket.client.get(reverse("checkout:shipping-address")).context["form"]
    response = small_basket.client.post(
        reverse("checkout:shipping-address"),
        {
            "building": building,
            "room": room,
            "delivery_round": rounds.fields["delivery_round"].choices[0][0],
        },
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    # Nothing was kept: the payment step still sends the shopper back to choose.
    assert small_basket.client.get(reverse("checkout:payment-details")).status_code == 302


def test_campus_delivery_refuses_a_round_it_does_not_offer(small_basket):
    response = small_basket.client.post(
        reverse("checkout:shipping-address"),
        {
            "building": "Dormitory 3",
            "room": "201",
            "delivery_round": f"{CAMPUS_DELIVERY_CODE_PREFIX}20200101-1200",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["delivery_round"]


def test_campus_delivery_order_carries_round_building_room_and_fee(
    small_basket, localstripe, run_on_commit, admin_client, mailoutbox
):
    small_basket.choose_campus_delivery(building="Library", room="B12")
    preview = small_basket.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    assert preview.status_code == 200
    round_name = preview.context["shipping_method"].name
    with run_on_commit():
        small_basket.place_order(preview)

    order = Order.objects.get()
    assert order.status == "Paid"
    assert order.shipping_code.startswith(CAMPUS_DELIVERY_CODE_PREFIX)
    assert order.shipping_method == round_name
    assert order.shipping_incl_tax == Decimal("3.00")
    assert order.total_incl_tax == Decimal("15.00")
    assert order.sources.get().amount_debited == Decimal("15.00")
    assert (order.shipping_address.line1, order.shipping_address.line2) == ("Library", "Room B12")
    # The customer's order page and the operator's order page both say where and when.
    for page in (
        small_basket.client.get(reverse("customer:order", kwargs={"order_number": order.number})),
        admin_client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})),
    ):
        html = page.content.decode()
        assert round_name in html and "Library" in html and "Room B12" in html
    # So does the confirmation email.
    email = mailoutbox[0]
    assert f"Pick-up or delivery: {round_name}" in email.body
    assert round_name in email.alternatives[0][0]


def test_pick_up_order_has_no_address_and_says_when_it_is_ready(
    small_basket, localstripe, run_on_commit, mailoutbox
):
    small_basket.enter_shipping_address()
    preview = small_basket.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    with run_on_commit():
        small_basket.place_order(preview)

    order = Order.objects.get()
    assert order.shipping_code == PICK_UP_CODE and order.shipping_address is None
    assert order.shipping_method.startswith("Pick up in store, ready from")
    assert order.total_incl_tax == Decimal("12.00")
    body = mailoutbox[0].body
    assert f"Pick-up or delivery: {order.shipping_method}" in body
    assert "Shipping address" not in body


def test_wallet_pays_the_delivery_fee_too(small_basket, shopper):
    funded_wallet(user=shopper, amount="20.00", staff=UserFactory(is_staff=True))
    small_basket.enter_shipping_address(delivery=True)
    preview = small_basket.preview(use_wallet=True)
    small_basket.place_order(preview)

    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("15.00")
    assert order.sources.get().amount_debited == Decimal("15.00")
    shopper.wallet.refresh_from_db()
    assert shopper.wallet.balance == Decimal("5.00")


def test_choosing_pick_up_after_delivery_forgets_the_address(small_basket):
    small_basket.enter_shipping_address(delivery=True)
    small_basket.client.post(reverse("checkout:shipping-method"), {"method_code": PICK_UP_CODE})

    payment = small_basket.client.get(reverse("checkout:payment-details"))
    assert payment.context["shipping_address"] is None
    assert payment.context["shipping_method"].code == PICK_UP_CODE


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_checkout_steps_say_pick_up_not_delivery_address_for_a_pick_up_order(
    small_basket, language
):
    client = small_basket.client
    client.post(reverse("checkout:shipping-method"), {"method_code": PICK_UP_CODE})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("checkout:payment-details")).content.decode()

    steps = page.split("nav-checkout", 1)[1].split("</nav>", 1)[0]
    with translation.override(language):
        assert translation.gettext("2. Pick-up") in steps
        assert translation.gettext("2. Delivery address") not in steps
    assert reverse("checkout:shipping-address") not in steps
