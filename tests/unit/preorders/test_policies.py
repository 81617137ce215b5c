"""Every payment policy through its whole lifecycle, through the real checkout and localstripe."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from preorders import selectors, services
from preorders.models import PaymentPolicy, Preorder
from shop.apps.order.signals import order_paid
from tests.factories.payments import CARD_DECLINED, CARD_OK
from tests.factories.preorders import LocalStripePaymentIntents, preorder_product, release_today

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


def place_preorder(checkout, localstripe, settings, *, card=CARD_OK, quantity=1, delivery=False):
    """Pre-order through the checkout: picked up in store, or by campus delivery."""
    checkout.add_to_basket(settings.product, quantity)
    checkout.enter_shipping_address(delivery=delivery)
    preview = checkout.preview(payment_method_id=localstripe.payment_method_create(card))
    assert preview.status_code == 200, preview
    return checkout.place_order(preview)


@pytest.fixture
def intents(localstripe):
    return LocalStripePaymentIntents(localstripe)


@pytest.fixture
def paid_signals():
    received = []

    def on_paid(sender, order, **kwargs):
        received.append(order.pk)

    order_paid.connect(on_paid, dispatch_uid="test-preorders-paid")
    yield received
    order_paid.disconnect(dispatch_uid="test-preorders-paid")


def test_pay_now_is_charged_at_checkout_and_paid_only_at_release(
    checkout, localstripe, run_on_commit, mailoutbox, paid_signals
):
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, price="80.00")
    with run_on_commit():
        response = place_preorder(checkout, localstripe, settings, delivery=True)

    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    preorder = Preorder.objects.get()
    assert preorder.line.order == order and preorder.status == Preorder.Status.AWAITING_RELEASE
    assert order.status == "Pending"
    source = order.sources.get()
    assert source.amount_debited == Decimal("80.00") and source.reference.startswith("pi_")
    assert localstripe.get(f"/v1/payment_intents/{source.reference}")["status"] == "succeeded"
    assert paid_signals == []  # no points, no stock movement before release

    release_today(settings)
    with run_on_commit():
        summary = services.preorders_release_due()
    preorder.refresh_from_db()
    order.refresh_from_db()
    assert summary.released == [preorder.pk]
    assert preorder.status == Preorder.Status.CHARGED and order.status == "Paid"
    assert paid_signals == [order.pk]
    order.sources.get().refresh_from_db()
    assert order.sources.get().amount_debited == Decimal("80.00")  # not charged a second time
    assert "has been released" in mailoutbox[-1].subject


def test_authorise_captures_at_release_and_a_second_run_charges_nobody_twice(
    checkout, localstripe, run_on_commit, paid_signals, intents
):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=5, price="50.00")
    with run_on_commit():
        place_preorder(checkout, localstripe, settings)
    preorder = Preorder.objects.get()
    assert preorder.policy == PaymentPolicy.AUTHORISE
    assert preorder.status == Preorder.Status.RESERVED
    pi = localstripe.get(f"/v1/payment_intents/{preorder.payment_intent_id}")
    assert pi["status"] == "requires_capture"
    order = Order.objects.get()
    assert order.sources.get().amount_debited == 0

    release_today(settings)
    services.preorders_release_due()
    second = services.preorders_release_due()

    preorder.refresh_from_db()
    order.refresh_from_db()
    assert second.released == [] and second.failed == []
    assert preorder.status == Preorder.Status.CHARGED and order.status == "Paid"
    assert (
        localstripe.get(f"/v1/payment_intents/{preorder.payment_intent_id}")["status"]
        == "succeeded"
    )
    source = order.sources.get()
    assert source.amount_debited == Decimal("50.00")
    assert order.payment_events.filter(event_type__name="Paid").count() == 1
    assert len(intents.for_preorder(preorder)) == 1
    assert paid_signals == [order.pk]


def test_authorise_falls_back_to_saving_the_card_beyond_the_authorisation_window(
    checkout, localstripe
):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=20)
    place_preorder(checkout, localstripe, settings)
    preorder = Preorder.objects.get()
    assert preorder.policy == PaymentPolicy.SAVE_CARD
    assert preorder.setup_intent_id and not preorder.payment_intent_id


def test_save_card_charges_off_session_on_release_day_exactly_once(
    checkout, localstripe, run_on_commit, paid_signals, intents
):
    settings = preorder_product(policy=PaymentPolicy.SAVE_CARD, days_to_release=30, price="120.00")
    place_preorder(checkout, localstripe, settings, quantity=2)
    preorder = Preorder.objects.get()
    assert preorder.status == Preorder.Status.RESERVED and preorder.quantity == 2
    assert preorder.customer_id.startswith("cus_") and preorder.setup_intent_id.startswith("seti_")
    assert localstripe.get(f"/v1/setup_intents/{preorder.setup_intent_id}")["status"] == "succeeded"
    assert intents.for_preorder(preorder) == []

    release_today(settings)
    services.preorder_release(preorder_id=preorder.pk)
    services.preorder_release(preorder_id=preorder.pk)
    services.preorders_release_due()

    preorder.refresh_from_db()
    order = Order.objects.get()
    assert preorder.status == Preorder.Status.CHARGED and order.status == "Paid"
    intents = intents.for_preorder(preorder)
    assert [pi["status"] for pi in intents] == ["succeeded"]
    assert intents[0]["amount"] == 24000 and intents[0]["customer"] == preorder.customer_id
    assert order.sources.get().amount_debited == Decimal("240.00")
    assert paid_signals == [order.pk]


def test_declined_charge_at_release_emails_a_pay_again_link_that_works(
    checkout, localstripe, run_on_commit, mailoutbox, client
):
    settings = preorder_product(policy=PaymentPolicy.SAVE_CARD, days_to_release=30, price="30.00")
    # This card is saved fine but refused when charged (see tests/factories/payments.py).
    place_preorder(checkout, localstripe, settings, card=CARD_DECLINED)
    preorder = Preorder.objects.get()
    assert preorder.status == Preorder.Status.RESERVED

    release_today(settings)
    with run_on_commit():
        summary = services.preorders_release_due()
    preorder.refresh_from_db()
    assert summary.failed == [preorder.pk]
    assert preorder.status == Preorder.Status.PAYMENT_FAILED and preorder.pay_again_token
    assert Order.objects.get().status == "Pending"
    email = mailoutbox[-1]
    pay_url = reverse("preorders:pay-again", kwargs={"token": preorder.pay_again_token})
    assert "Payment needed" in email.subject and pay_url in email.body
    # A second run neither charges nor emails again.
    services.preorders_release_due()
    assert len(mailoutbox) == 1

    page = client.get(pay_url)
    assert page.status_code == 200 and "pay_again_form" in page.content.decode()
    with run_on_commit():
        response = client.post(
            pay_url, {"payment_method_id": localstripe.payment_method_create(CARD_OK)}
        )
    assert response.status_code == 302
    preorder.refresh_from_db()
    assert preorder.status == Preorder.Status.CHARGED
    assert Order.objects.get().status == "Paid"
    assert Order.objects.get().sources.get().amount_debited == Decimal("30.00")


def test_unpaid_after_the_grace_period_is_cancelled_and_its_unit_freed(checkout, localstripe):
    settings = preorder_product(policy=PaymentPolicy.SAVE_CARD, cap=1, days_to_release=30)
    place_preorder(checkout, localstripe, settings, card=CARD_DECLINED)
    release_today(settings)
    services.preorders_release_due()
    preorder = Preorder.objects.get()
    assert selectors.preorder_units_held(settings_id=settings.pk) == 1
    Preorder.objects.filter(pk=preorder.pk).update(
        failed_at=preorder.failed_at - __import__("datetime").timedelta(days=10)
    )

    summary = services.preorders_release_due()

    preorder.refresh_from_db()
    assert summary.expired == [preorder.pk]
    assert preorder.status == Preorder.Status.CANCELLED
    assert Order.objects.get().status == "Cancelled"
    assert selectors.preorder_units_held(settings_id=settings.pk) == 0


def test_card_declined_at_checkout_frees_the_unit_and_places_nothing(checkout, localstripe):
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, cap=1)
    response = place_preorder(checkout, localstripe, settings, card=CARD_DECLINED)
    assert response.status_code == 200
    assert "Your card was declined" in response.content.decode()
    assert not Order.objects.exists()
    assert selectors.preorder_units_held(settings_id=settings.pk) == 0
    assert Basket.objects.get().status == Basket.OPEN


def test_a_basket_mixing_a_preorder_with_other_items_is_sent_back_with_the_reason(
    checkout, localstripe
):
    from tests.factories.payments import shop_product

    settings = preorder_product()
    checkout.add_to_basket(settings.product)
    checkout.add_to_basket(shop_product(price="3.00"))
    response = checkout.client.get(reverse("checkout:shipping-address"))
    assert response.status_code == 302 and response.url == reverse("basket:summary")
    page = checkout.client.get(response.url)
    assert "must be ordered on its own" in page.content.decode()


def test_the_cap_refuses_more_units_than_are_left(checkout, localstripe):
    settings = preorder_product(cap=3)
    response = checkout.client.post(
        reverse("basket:add", kwargs={"pk": settings.product.pk}), {"quantity": 4}
    )
    assert response.status_code == 302
    assert Basket.objects.get().num_items == 0


def test_stripe_unreachable_at_release_leaves_the_preorder_for_the_next_run(
    checkout, localstripe, settings
):
    preorder_settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=3)
    place_preorder(checkout, localstripe, preorder_settings)
    release_today(preorder_settings)
    reachable = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    summary = services.preorders_release_due()

    preorder = Preorder.objects.get()
    assert summary.released == [] and summary.failed == []
    assert preorder.status == Preorder.Status.RESERVED and preorder.release_claimed_at is None
    settings.STRIPE_API_BASE = reachable
    assert services.preorders_release_due().released == [preorder.pk]
