"""Refunds from the dashboard: card through Stripe, wallet back to the wallet, never too much."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from shop.apps.order import services
from tests.factories.payments import CARD_OK, funded_wallet, signed_webhook, stripe_event
from wallet import selectors
from wallet.models import WalletTransaction

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_order(at_payment, localstripe):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    at_payment.place_order(preview)
    return Order.objects.get()


@pytest.fixture
def staff(db):
    operator = UserFactory(is_staff=True, email="operator@campus.example")
    operator.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="order", codename__in=["view_order", "change_order"]
        )
    )
    return operator


def stripe_refunds(localstripe, order):
    return localstripe.get(f"/v1/refunds?payment_intent={order.sources.get().reference}")["data"]


def test_partial_then_full_card_refund(card_order, localstripe, staff, run_on_commit, mailoutbox):
    with run_on_commit():
        services.order_refund(
            order_id=card_order.pk, amount=Decimal("5.00"), reason="bruised", refunded_by=staff
        )
    card_order.refresh_from_db()
    assert card_order.status == "Paid"
    assert card_order.sources.get().amount_refunded == Decimal("5.00")
    assert [r["amount"] for r in stripe_refunds(localstripe, card_order)] == [500]
    assert card_order.payment_events.filter(event_type__name="Refunded").get().amount == Decimal(
        "5.00"
    )
    assert [m.subject for m in mailoutbox] == [f"Refund for your order {card_order.number}"]

    services.order_refund(order_id=card_order.pk, amount=Decimal("7.00"), refunded_by=staff)

    card_order.refresh_from_db()
    assert card_order.status == "Refunded"
    assert sorted(r["amount"] for r in stripe_refunds(localstripe, card_order)) == [500, 700]
    assert services.order_refundable_amount(order=card_order) == Decimal("0.00")


def test_refund_can_never_exceed_what_was_paid(card_order, localstripe, staff):
    services.order_refund(order_id=card_order.pk, amount=Decimal("10.00"), refunded_by=staff)

    with pytest.raises(ValidationError, match="at most"):
        services.order_refund(order_id=card_order.pk, amount=Decimal("2.01"), refunded_by=staff)

    assert len(stripe_refunds(localstripe, card_order)) == 1
    assert OrderRefund.objects.count() == 1


def test_refund_by_line_quantity(at_payment, product, localstripe, staff):
    at_payment.add_to_basket(product)  # two of them: 24.00
    at_payment.place_order(
        at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    )
    order = Order.objects.get()
    line = order.lines.get()

    refund = services.order_refund(
        order_id=order.pk, line_quantities={line.pk: 1}, refunded_by=staff
    )

    assert refund.amount == Decimal("12.00")
    event = order.payment_events.get(event_type__name="Refunded")
    assert event.line_quantities.get().quantity == 1
    with pytest.raises(ValidationError, match="At most 1"):
        services.order_refund(order_id=order.pk, line_quantities={line.pk: 2}, refunded_by=staff)


def test_wallet_order_is_refunded_to_the_wallet(at_payment, shopper, staff):
    wallet = funded_wallet(user=shopper, amount="12.00")
    at_payment.place_order(at_payment.preview(use_wallet=True))
    order = Order.objects.get()

    services.order_refund(order_id=order.pk, amount=Decimal("12.00"), refunded_by=staff)

    wallet.refresh_from_db()
    assert wallet.balance == Decimal("12.00")
    credit = wallet.transactions.get(kind=WalletTransaction.Kind.ORDER_REFUND)
    assert (
        credit.amount == Decimal("12.00") and credit.order == order and credit.created_by == staff
    )
    assert selectors.wallet_ledger_sum(wallet_id=wallet.pk) == wallet.balance
    order.refresh_from_db()
    assert order.status == "Refunded"


def test_split_order_refunds_the_card_first_then_the_wallet(
    at_payment, shopper, localstripe, staff
):
    wallet = funded_wallet(user=shopper, amount="5.00")
    at_payment.place_order(
        at_payment.preview(
            use_wallet=True, payment_method_id=localstripe.payment_method_create(CARD_OK)
        )
    )
    order = Order.objects.get()

    refund = services.order_refund(order_id=order.pk, amount=Decimal("9.00"), refunded_by=staff)

    assert (refund.card_amount, refund.wallet_amount) == (Decimal("7.00"), Decimal("2.00"))
    card = order.sources.get(source_type__name="Stripe")
    assert [
        r["amount"] for r in localstripe.get(f"/v1/refunds?payment_intent={card.reference}")["data"]
    ] == [700]
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("2.00")


def test_charge_refunded_webhook_records_only_refunds_made_in_stripe(
    card_order, localstripe, staff, client
):
    services.order_refund(order_id=card_order.pk, amount=Decimal("2.00"), refunded_by=staff)
    payment_intent_id = card_order.sources.get().reference
    charge = {
        "id": "ch_x",
        "object": "charge",
        "payment_intent": payment_intent_id,
        "currency": "cny",
    }

    def deliver(amount_refunded):
        body, signature = signed_webhook(
            stripe_event("charge.refunded", {**charge, "amount_refunded": amount_refunded})
        )
        return client.post(
            "/checkout/stripe/webhook/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )

    assert deliver(200).status_code == 200  # our own refund, echoed
    assert OrderRefund.objects.count() == 1
    assert deliver(500).status_code == 200  # 3.00 more refunded from Stripe's dashboard

    external = OrderRefund.objects.exclude(created_by=staff).get()
    assert external.amount == Decimal("3.00") and external.status == OrderRefund.Status.SUCCEEDED
    assert card_order.sources.get().amount_refunded == Decimal("5.00")


def test_dashboard_refund_page(card_order, localstripe, staff, client):
    client.force_login(staff)
    url = reverse("refunds-dashboard:order-refund", kwargs={"number": card_order.number})
    detail = client.get(reverse("dashboard:order-detail", kwargs={"number": card_order.number}))
    assert url in detail.content.decode()

    too_much = client.post(url, {"amount": "12.01"})
    assert too_much.status_code == 200 and "at most" in too_much.content.decode()

    done = client.post(url, {"amount": "12.00", "reason": "out of stock"})
    assert done.status_code == 302
    card_order.refresh_from_db()
    assert card_order.status == "Refunded"


def test_staff_without_order_rights_cannot_refund(card_order, client):
    client.force_login(UserFactory(is_staff=True))
    url = reverse("refunds-dashboard:order-refund", kwargs={"number": card_order.number})

    assert client.post(url, {"amount": "12.00"}).status_code == 403
    assert not OrderRefund.objects.exists()


def test_customers_cannot_refund(card_order, shopper_client):
    url = reverse("refunds-dashboard:order-refund", kwargs={"number": card_order.number})

    response = shopper_client.post(url, {"amount": "12.00"})

    assert response.status_code in (302, 403)
    assert not OrderRefund.objects.exists()


def test_refunded_lines_say_refunded_not_pending(at_payment, shopper, staff):
    funded_wallet(user=shopper, amount="12.00")
    at_payment.place_order(at_payment.preview(use_wallet=True))
    order = Order.objects.get()
    assert list(order.lines.values_list("status", flat=True)) == ["Paid"]

    services.order_refund(order_id=order.pk, amount=Decimal("12.00"), refunded_by=staff)

    assert list(order.lines.values_list("status", flat=True)) == ["Refunded"]
