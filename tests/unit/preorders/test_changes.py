"""Operator and customer changes: date moves, cancellations (void or refund), the freed unit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from preorders import selectors, services
from preorders.models import PaymentPolicy, Preorder, PreorderSettings
from tests.factories.preorders import preorder_product
from tests.unit.preorders.test_policies import place_preorder

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")

pytestmark = pytest.mark.django_db


def test_moving_the_release_date_emails_customers_who_may_then_cancel_at_no_cost(
    checkout, localstripe, run_on_commit, mailoutbox, shopper_client
):
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, price="40.00", cap=2)
    place_preorder(checkout, localstripe, settings)
    preorder = Preorder.objects.get()
    new_date = timezone.localdate() + dt.timedelta(days=40)
    mailoutbox.clear()

    with run_on_commit():
        emailed = services.preorder_release_date_move(
            settings_id=settings.pk, release_date=new_date
        )

    preorder.refresh_from_db()
    assert emailed == 1 and preorder.expected_date == new_date
    assert "New date" in mailoutbox[0].subject
    assert (
        reverse("customer:order", kwargs={"order_number": preorder.order_number})
        in mailoutbox[0].body
    )
    account_page = shopper_client.get(
        reverse("customer:order", kwargs={"order_number": preorder.order_number})
    )
    body = account_page.content.decode()
    assert "Awaiting release" in body and "Cancel this pre-order" in body

    with run_on_commit():
        response = shopper_client.post(reverse("preorders:cancel", kwargs={"pk": preorder.pk}))

    assert response.status_code == 302
    preorder.refresh_from_db()
    order = Order.objects.get()
    assert preorder.status == Preorder.Status.CANCELLED
    assert order.status == "Cancelled"
    refund = OrderRefund.objects.get()
    assert refund.amount == Decimal("40.00") and refund.status == OrderRefund.Status.SUCCEEDED
    payment_intent = localstripe.get(f"/v1/payment_intents/{preorder.payment_intent_id}")
    assert payment_intent["charges"]["data"][0]["amount_refunded"] == 4000
    assert selectors.preorder_units_remaining(settings=settings) == 2
    assert any("is cancelled" in m.subject for m in mailoutbox)


def test_customer_cancelling_an_authorised_preorder_voids_the_authorisation(
    checkout, localstripe, shopper_client
):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=3)
    place_preorder(checkout, localstripe, settings)
    preorder = Preorder.objects.get()

    shopper_client.post(reverse("preorders:cancel", kwargs={"pk": preorder.pk}))

    preorder.refresh_from_db()
    assert preorder.status == Preorder.Status.CANCELLED
    assert (
        localstripe.get(f"/v1/payment_intents/{preorder.payment_intent_id}")["status"] == "canceled"
    )
    assert not OrderRefund.objects.exists()


def test_a_customer_cannot_cancel_after_release_nor_someone_elses_preorder(
    checkout, localstripe, client
):
    from oscar.test.factories import UserFactory

    settings = preorder_product(policy=PaymentPolicy.PAY_NOW)
    place_preorder(checkout, localstripe, settings)
    preorder = Preorder.objects.get()
    client.force_login(UserFactory())
    assert client.post(reverse("preorders:cancel", kwargs={"pk": preorder.pk})).status_code == 404

    Preorder.objects.filter(pk=preorder.pk).update(status=Preorder.Status.CHARGED)
    with pytest.raises(ValidationError, match="has been released"):
        services.preorder_cancel(preorder_id=preorder.pk, reason="x", by_customer=True)
    assert Preorder.objects.get().status == Preorder.Status.CHARGED


def test_operator_cancels_all_of_a_products_preorders_void_and_refund(
    checkout, localstripe, run_on_commit
):
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, price="10.00", cap=5)
    place_preorder(checkout, localstripe, settings)
    settings.payment_policy = PaymentPolicy.AUTHORISE
    settings.save()
    place_preorder(checkout, localstripe, settings)
    paid, authorised = Preorder.objects.order_by("pk")
    assert paid.policy == PaymentPolicy.PAY_NOW and authorised.policy == PaymentPolicy.AUTHORISE

    cancelled = services.preorder_product_cancel_all(
        settings_id=settings.pk, reason="Edition withdrawn"
    )

    assert cancelled == 2
    assert set(Preorder.objects.values_list("status", flat=True)) == {Preorder.Status.CANCELLED}
    assert OrderRefund.objects.get().order == paid.line.order
    assert (
        localstripe.get(f"/v1/payment_intents/{authorised.payment_intent_id}")["status"]
        == "canceled"
    )
    settings.refresh_from_db()
    assert not settings.is_active
    assert selectors.preorder_settings_open_for_product(product=settings.product) is None
    # Idempotent: nothing left to cancel, nothing refunded twice.
    assert services.preorder_product_cancel_all(settings_id=settings.pk, reason="again") == 0
    assert OrderRefund.objects.count() == 1


def test_moving_an_authorised_preorder_beyond_its_authorisation_is_refused(checkout, localstripe):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=3)
    place_preorder(checkout, localstripe, settings)
    old_date = settings.release_date

    with pytest.raises(ValidationError, match="outlive"):
        services.preorder_release_date_move(
            settings_id=settings.pk, release_date=timezone.localdate() + dt.timedelta(days=30)
        )

    settings.refresh_from_db()
    assert settings.release_date == old_date
    assert Preorder.objects.get().expected_date == old_date


def test_a_date_in_the_past_is_refused_with_a_message():
    settings = preorder_product()
    with pytest.raises(ValidationError, match="before today"):
        services.preorder_release_date_move(
            settings_id=settings.pk, release_date=timezone.localdate() - dt.timedelta(days=1)
        )


def test_the_cap_cannot_drop_below_what_is_already_sold(checkout, localstripe):
    settings = preorder_product(cap=5)
    place_preorder(checkout, localstripe, settings, quantity=3)
    with pytest.raises(ValidationError, match="already pre-ordered"):
        services.preorder_settings_save(
            product=settings.product, release_date=settings.release_date, cap=2
        )
    settings.refresh_from_db()
    assert settings.cap == 5


def test_a_released_products_date_cannot_be_moved_to_reopen_preorders():
    """A page opened before the release still shows the date form: its post is refused."""
    settings = preorder_product(days_to_release=3)
    PreorderSettings.objects.filter(pk=settings.pk).update(release_date=timezone.localdate())
    later = timezone.localdate() + dt.timedelta(days=10)

    with pytest.raises(ValidationError, match="can no longer be moved"):
        services.preorder_release_date_move(settings_id=settings.pk, release_date=later)
    with pytest.raises(ValidationError, match="can no longer be moved"):
        services.preorder_settings_save(
            product=settings.product, release_date=later, cap=settings.cap
        )

    settings.refresh_from_db()
    assert settings.release_date == timezone.localdate()
    assert selectors.preorder_settings_open_for_product(product=settings.product) is None
