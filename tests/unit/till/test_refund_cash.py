"""Refunds of till sales paid in cash: paid out at the store, never more than was paid."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from oscar.core.loading import get_model

from loyalty.models import PointsTransaction
from shop.apps.order import constants as order_constants
from shop.apps.order import services as order_services
from tests.factories import till as f
from tests.factories.loyalty import earning_rules
from till import services

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
OrderRefund = get_model("order", "OrderRefund")
PaymentEvent = get_model("order", "PaymentEvent")
SourceType = get_model("payment", "SourceType")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

Line = services.TillLineInput


@pytest.fixture
def shift():
    return f.open_shift()


@pytest.fixture
def operator():
    return f.cashier(email="supervisor@campus.example")


def cash_sale(shift, *, lines, card_number=""):
    return services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number=card_number,
        lines=lines,
        payment_method="cash",
        cash_tendered=Decimal("100.00"),
    ).order


def written(order):
    """Everything a refund writes for ``order``: a refused refund must leave it unchanged."""
    source = order.sources.get()
    return {
        "refunds": OrderRefund.objects.filter(order=order).count(),
        "refunded": source.amount_refunded,
        "source_rows": source.transactions.count(),
        "events": PaymentEvent.objects.filter(order=order).count(),
        "notes": OrderNote.objects.filter(order=order).count(),
        "points_rows": PointsTransaction.objects.count(),
        "stock": list(StockRecord.objects.order_by("pk").values_list("num_in_stock", flat=True)),
        "status": Order.objects.get(pk=order.pk).status,
    }


def test_full_cash_refund_is_paid_out_at_the_store(
    shift, operator, django_capture_on_commit_callbacks, mailoutbox
):
    milk = f.product(price="10.00", stock=20)
    order = cash_sale(shift, lines=[Line(product_id=milk.pk, quantity=2)])
    stock_before = list(StockRecord.objects.values_list("num_in_stock", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        refund = order_services.order_refund(
            order_id=order.pk,
            amount=Decimal("20.00"),
            reason="sour",
            refunded_by=operator,
            cash_drawer_shift_id=shift.pk,
        )

    assert refund.status == OrderRefund.Status.SUCCEEDED
    assert (refund.amount, refund.cash_amount) == (Decimal("20.00"), Decimal("20.00"))
    assert (refund.card_amount, refund.wallet_amount) == (Decimal("0.00"), Decimal("0.00"))
    assert order_services.order_refund_account_amount(refund=refund) == Decimal("0.00")
    source = order.sources.get()
    assert source.source_type.name == order_constants.SOURCE_TYPE_CASH
    assert source.amount_refunded == Decimal("20.00")
    assert source.transactions.get(txn_type="Refund").amount == Decimal("20.00")
    event = order.payment_events.get(event_type__name=order_constants.PAYMENT_EVENT_REFUNDED)
    assert event.amount == Decimal("20.00")
    order.refresh_from_db()
    assert order.status == order_constants.ORDER_STATUS_REFUNDED
    assert order_services.order_refundable_amount(order=order) == Decimal("0.00")
    assert "cash at the store ¥20.00" in order.notes.get().message
    # No refund puts goods back on the shelf (card and wallet ones neither): unchanged stock.
    assert list(StockRecord.objects.values_list("num_in_stock", flat=True)) == stock_before
    # An anonymous cash sale has nobody to email.
    assert mailoutbox == []


def test_partial_and_per_line_cash_refunds_add_up_to_what_was_paid(shift, operator):
    milk = f.product(title="Milk", price="10.00", stock=20)
    bread = f.product(title="Bread", price="4.00", stock=20)
    order = cash_sale(
        shift,
        lines=[Line(product_id=milk.pk, quantity=2), Line(product_id=bread.pk, quantity=1)],
    )
    milk_line = order.lines.get(product=milk)

    first = order_services.order_refund(
        order_id=order.pk,
        amount=Decimal("3.50"),
        refunded_by=operator,
        cash_drawer_shift_id=shift.pk,
    )
    by_line = order_services.order_refund(
        order_id=order.pk,
        line_quantities={milk_line.pk: 1},
        refunded_by=operator,
        cash_drawer_shift_id=shift.pk,
    )

    assert (first.cash_amount, by_line.cash_amount) == (Decimal("3.50"), Decimal("10.00"))
    assert by_line.line_quantities == {str(milk_line.pk): 1}
    event = order.payment_events.get(amount=Decimal("10.00"))
    assert event.line_quantities.get().quantity == 1
    assert order.sources.get().amount_refunded == Decimal("13.50")
    assert order_services.order_refundable_amount(order=order) == Decimal("10.50")
    assert order_services.order_line_refundable_quantities(order=order)[milk_line.pk] == 1
    order.refresh_from_db()
    assert order.status == order_constants.ORDER_STATUS_PAID


def test_cash_refund_over_what_was_paid_is_refused_and_writes_nothing(shift, operator):
    milk = f.product(price="10.00", stock=20)
    order = cash_sale(shift, lines=[Line(product_id=milk.pk, quantity=1)])
    order_services.order_refund(
        order_id=order.pk,
        amount=Decimal("6.00"),
        refunded_by=operator,
        cash_drawer_shift_id=shift.pk,
    )
    before = written(order)

    with pytest.raises(ValidationError, match="at most 4.00") as refused:
        order_services.order_refund(
            order_id=order.pk,
            amount=Decimal("4.01"),
            refunded_by=operator,
            cash_drawer_shift_id=shift.pk,
        )

    assert refused.value.error_list[0].code == "refund_too_large"
    assert written(order) == before


def test_cash_refund_without_a_drawer_is_refused_and_writes_nothing(shift, operator):
    """Cash leaves the store only from a named open shift's drawer, whoever calls the refund."""
    milk = f.product(price="10.00", stock=20)
    order = cash_sale(shift, lines=[Line(product_id=milk.pk, quantity=1)])
    before = written(order)

    with pytest.raises(ValidationError, match="refund this sale at the till") as refused:
        order_services.order_refund(order_id=order.pk, amount=Decimal("4.00"), refunded_by=operator)

    assert refused.value.error_list[0].code == "refund_no_drawer"
    assert written(order) == before


def test_cash_refund_from_a_closed_or_short_drawer_is_refused(shift, operator):
    milk = f.product(price="10.00", stock=20)
    order = cash_sale(shift, lines=[Line(product_id=milk.pk, quantity=1)])
    other = f.open_shift(till=f.register("Till 2"), opening_float="5.00")
    before = written(order)

    with pytest.raises(ValidationError) as short:
        order_services.order_refund(
            order_id=order.pk,
            amount=Decimal("10.00"),
            refunded_by=operator,
            cash_drawer_shift_id=other.pk,
        )
    assert short.value.error_list[0].code == "refund_drawer_short"
    other.closed_at = other.opened_at
    other.counted_cash = other.expected_cash = Decimal("5.00")
    other.save(update_fields=["closed_at", "counted_cash", "expected_cash"])
    with pytest.raises(ValidationError) as closed:
        order_services.order_refund(
            order_id=order.pk,
            amount=Decimal("1.00"),
            refunded_by=operator,
            cash_drawer_shift_id=other.pk,
        )
    assert closed.value.error_list[0].code == "refund_no_drawer"
    assert written(order) == before


def test_unknown_payment_source_is_refused_clearly_and_writes_nothing(shift, operator):
    milk = f.product(price="10.00", stock=20)
    order = cash_sale(shift, lines=[Line(product_id=milk.pk, quantity=1)])
    voucher, _created = SourceType.objects.get_or_create(name="Gift voucher")
    order.sources.update(source_type=voucher)
    before = written(order)

    with pytest.raises(ValidationError, match="paid by Gift voucher") as refused:
        order_services.order_refund(
            order_id=order.pk,
            amount=Decimal("1.00"),
            refunded_by=operator,
            cash_drawer_shift_id=shift.pk,
        )

    assert refused.value.error_list[0].code == "refund_source_unknown"
    assert written(order) == before


def test_member_cash_refund_takes_back_points_in_proportion_and_says_cash(
    shift, operator, django_capture_on_commit_callbacks, mailoutbox
):
    earning_rules(pending_days=0, points_per_cny=Decimal("1.00"))
    user, card = f.member(member_type_code="staff", wallet=None)  # staff: 5 % off
    milk = f.product(price="10.00", stock=20)
    order = cash_sale(shift, lines=[Line(product_id=milk.pk, quantity=4)], card_number=card.number)
    assert order.user == user and order.total_incl_tax == Decimal("38.00")
    earned = PointsTransaction.objects.get(kind=PointsTransaction.Kind.EARN, order=order)
    assert earned.points == 38
    balance_before = card.account.__class__.objects.get(pk=card.account_id).balance

    with django_capture_on_commit_callbacks(execute=True):
        refund = order_services.order_refund(
            order_id=order.pk,
            amount=Decimal("19.00"),
            refunded_by=operator,
            cash_drawer_shift_id=shift.pk,
        )

    assert refund.cash_amount == Decimal("19.00")
    (email,) = mailoutbox
    assert email.to == [user.email]
    assert "paid back to you in cash at the store" in email.body
    reversal = PointsTransaction.objects.get(kind=PointsTransaction.Kind.REVERSE, refund=refund)
    assert reversal.points == -19  # half the money back: half the points
    account = card.account.__class__.objects.get(pk=card.account_id)
    assert account.balance == balance_before - 19
