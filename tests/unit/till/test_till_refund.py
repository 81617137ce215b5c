"""Refunds at the till: within the cashier's shift, back the way it was paid, cash from the drawer."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from oscar.core.loading import get_model

from loyalty.models import PointsTransaction
from staff import roles
from tests.factories import till as f
from tests.factories.loyalty import earning_rules
from tests.factories.staff import staff_user
from till import selectors, services
from till.models import TillRefund
from wallet.models import Wallet, WalletTransaction

OrderRefund = get_model("order", "OrderRefund")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

Line = services.TillLineInput


def sale(shift, *, lines, card_number="", method="cash"):
    return services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number=card_number,
        lines=lines,
        payment_method=method,
        cash_tendered=Decimal("100.00") if method == "cash" else None,
    )


def written():
    """Every row a refund writes: a refused refund must leave all of them as they were."""
    return {
        "refunds": OrderRefund.objects.count(),
        "till_refunds": TillRefund.objects.count(),
        "points": PointsTransaction.objects.count(),
        "wallet": WalletTransaction.objects.count(),
        "stock": list(StockRecord.objects.order_by("pk").values_list("num_in_stock", flat=True)),
    }


def test_whole_cash_sale_refunded_from_the_drawer_lowers_the_expected_cash():
    shift = f.open_shift(opening_float="100.00")
    milk = f.product(price="10.00")
    till_sale = sale(shift, lines=[Line(product_id=milk.pk, quantity=3)])
    assert selectors.shift_expected_cash(shift=shift) == Decimal("130.00")

    refunded = services.till_sale_refund(
        sale_id=till_sale.pk, refunded_by=shift.cashier, reason="wrong milk"
    )

    assert (refunded.shift, refunded.cash_amount) == (shift, Decimal("30.00"))
    assert refunded.refund.status == OrderRefund.Status.SUCCEEDED
    assert (refunded.refund.amount, refunded.refund.cash_amount) == (
        Decimal("30.00"),
        Decimal("30.00"),
    )
    assert refunded.refund.reason == "wrong milk"
    assert selectors.shift_expected_cash(shift=shift) == Decimal("100.00")
    report = selectors.shift_report(shift_id=shift.pk)
    assert (report.cash_takings, report.cash_refunds, report.expected_cash) == (
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("100.00"),
    )
    assert report.refunds == [refunded]
    # The handover count agrees with the drawer: 100 counted, no difference.
    closed = services.shift_close(
        shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("100.00")
    )
    assert (closed.expected_cash, closed.cash_difference) == (Decimal("100.00"), Decimal("0.00"))


def test_wallet_sale_refunded_per_line_back_to_the_wallet_and_points_taken_back():
    earning_rules(points_per_cny=Decimal("1.00"))
    shift = f.open_shift()
    user, card = f.member(member_type_code="student", wallet="100.00")
    milk = f.product(title="Milk", price="10.00")
    bread = f.product(title="Bread", price="5.00")
    till_sale = sale(
        shift,
        lines=[Line(product_id=milk.pk, quantity=2), Line(product_id=bread.pk, quantity=1)],
        card_number=card.number,
        method="wallet",
    )
    paid = till_sale.total  # the member price: 25.00 less the member discount
    assert Wallet.objects.get(user=user).balance == Decimal("100.00") - paid
    earned = PointsTransaction.objects.get(order=till_sale.order, kind=PointsTransaction.Kind.EARN)
    assert earned.points > 0
    milk_line = till_sale.order.lines.get(product=milk)
    one_milk = (milk_line.line_price_incl_tax / 2).quantize(Decimal("0.01"))

    refunded = services.till_sale_refund(
        sale_id=till_sale.pk, refunded_by=shift.cashier, line_quantities={milk_line.pk: 1}
    )

    assert refunded.cash_amount == Decimal("0.00")
    assert (refunded.refund.amount, refunded.refund.wallet_amount) == (one_milk, one_milk)
    assert refunded.refund.line_quantities == {str(milk_line.pk): 1}
    assert Wallet.objects.get(user=user).balance == Decimal("100.00") - paid + one_milk
    reversal = PointsTransaction.objects.get(refund=refunded.refund)
    assert reversal.points < 0
    receipt = selectors.till_receipt(sale_id=till_sale.pk)
    assert [(row.till_refund, row.points_taken_back) for row in receipt.refunds] == [
        (refunded, -reversal.points)
    ]
    assert receipt.refundable == paid - one_milk
    assert receipt.line_refundable[milk_line.pk] == 1
    # No cash left the drawer.
    assert selectors.shift_expected_cash(shift=shift) == shift.opening_float


def test_a_cashier_cannot_refund_a_sale_of_another_shift():
    mine = f.open_shift(user=f.cashier(username="ann"), till=f.register("Till 1"))
    theirs = f.open_shift(user=f.cashier(username="bob"), till=f.register("Till 2"))
    milk = f.product(price="10.00")
    their_sale = sale(theirs, lines=[Line(product_id=milk.pk, quantity=1)])
    before = written()

    with pytest.raises(ValidationError, match="Only sales of your open shift") as refused:
        services.till_sale_refund(sale_id=their_sale.pk, refunded_by=mine.cashier)

    assert refused.value.error_list[0].code == "refund_outside_shift"
    assert written() == before


def test_a_cashier_cannot_refund_a_sale_of_their_closed_shift():
    cashier = f.cashier()
    earlier = f.open_shift(user=cashier)
    milk = f.product(price="10.00")
    old_sale = sale(earlier, lines=[Line(product_id=milk.pk, quantity=1)])
    services.shift_close(shift_id=earlier.pk, closed_by=cashier, counted_cash=Decimal("110.00"))
    f.open_shift(user=cashier)
    before = written()

    with pytest.raises(ValidationError) as refused:
        services.till_sale_refund(sale_id=old_sale.pk, refunded_by=cashier)

    assert refused.value.error_list[0].code == "refund_outside_shift"
    assert written() == before


def test_no_refund_beyond_what_was_paid():
    shift = f.open_shift()
    milk = f.product(price="10.00")
    till_sale = sale(shift, lines=[Line(product_id=milk.pk, quantity=2)])
    line = till_sale.order.lines.get()

    with pytest.raises(ValidationError, match="At most 2"):
        services.till_sale_refund(
            sale_id=till_sale.pk, refunded_by=shift.cashier, line_quantities={line.pk: 3}
        )
    services.till_sale_refund(sale_id=till_sale.pk, refunded_by=shift.cashier)
    before = written()
    with pytest.raises(ValidationError, match="refunded in full") as refused:
        services.till_sale_refund(sale_id=till_sale.pk, refunded_by=shift.cashier)
    with pytest.raises(ValidationError, match="(?i)at most"):
        services.till_sale_refund(
            sale_id=till_sale.pk, refunded_by=shift.cashier, line_quantities={line.pk: 1}
        )

    assert refused.value.error_list[0].code == "refund_nothing_left"
    assert written() == before
    assert selectors.shift_expected_cash(shift=shift) == Decimal("100.00")


def test_a_supervisor_refunds_any_sale_but_cash_needs_an_open_drawer():
    shift = f.open_shift()
    _user, card = f.member(wallet="50.00")
    milk = f.product(price="10.00")
    wallet_sale = sale(
        shift,
        lines=[Line(product_id=milk.pk, quantity=1)],
        card_number=card.number,
        method="wallet",
    )
    cash_sale = sale(shift, lines=[Line(product_id=milk.pk, quantity=1)])
    services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("110"))
    supervisor = staff_user(roles.OPERATOR)

    by_wallet = services.till_sale_refund(sale_id=wallet_sale.pk, refunded_by=supervisor)
    assert (by_wallet.refund.wallet_amount, by_wallet.shift) == (Decimal("9.50"), shift)

    before = written()
    with pytest.raises(ValidationError, match="open a shift") as refused:
        services.till_sale_refund(sale_id=cash_sale.pk, refunded_by=supervisor)
    assert refused.value.error_list[0].code == "refund_no_drawer"
    assert written() == before

    # From the supervisor's own drawer, once they have one.
    own = f.open_shift(user=supervisor, opening_float="20.00")
    by_cash = services.till_sale_refund(sale_id=cash_sale.pk, refunded_by=supervisor)
    assert (by_cash.shift, by_cash.cash_amount) == (own, Decimal("10.00"))
    assert selectors.shift_expected_cash(shift=own) == Decimal("10.00")
    # The closed shift's count is frozen: a later refund elsewhere does not change it.
    shift.refresh_from_db()
    assert shift.expected_cash == Decimal("110.00")


def test_a_drawer_cannot_pay_out_more_cash_than_it_holds():
    shift = f.open_shift(opening_float="0.00")
    milk = f.product(price="10.00")
    till_sale = sale(shift, lines=[Line(product_id=milk.pk, quantity=2)])
    supervisor = staff_user(roles.OPERATOR)
    drawer = f.open_shift(user=supervisor, till=f.register("Till 2"), opening_float="5.00")
    before = written()

    with pytest.raises(ValidationError, match="cannot pay back") as refused:
        services.till_sale_refund(sale_id=till_sale.pk, refunded_by=supervisor)

    assert refused.value.error_list[0].code == "refund_drawer_short"
    assert written() == before
    assert selectors.shift_expected_cash(shift=drawer) == Decimal("5.00")
