"""Cashier shifts: float, cash count, expected vs counted, handover, one open shift per till."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import till as f
from till import selectors, services
from till.models import Shift

pytestmark = pytest.mark.django_db

Line = services.TillLineInput


def cash_sale(shift, *, price="10.00", tendered="50.00"):
    return services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number="",
        lines=[Line(product_id=f.product(price=price).pk, quantity=1)],
        payment_method="cash",
        cash_tendered=Decimal(tendered),
    )


def test_close_reports_takings_by_method_and_expected_vs_counted_cash():
    shift = f.open_shift(opening_float="200.00")
    cash_sale(shift, price="12.50", tendered="20.00")  # 7.50 change: the drawer keeps 12.50
    cash_sale(shift, price="30.00", tendered="50.00")
    _user, card = f.member(member_type_code="public", wallet="100.00")  # public: no discount
    services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number=card.number,
        lines=[Line(product_id=f.product(price="8.00").pk, quantity=2)],
        payment_method="wallet",
    )

    services.shift_close(
        shift_id=shift.pk,
        closed_by=shift.cashier,
        counted_cash=Decimal("240.00"),
        note="two coins short",
    )

    report = selectors.shift_report(shift_id=shift.pk)
    takings = {row.method: (row.sales, row.amount) for row in report.takings}
    assert takings == {"cash": (2, Decimal("42.50")), "wallet": (1, Decimal("16.00"))}
    assert report.total_takings == Decimal("58.50")
    assert report.expected_cash == Decimal("242.50")
    assert report.counted_cash == Decimal("240.00")
    assert report.difference == Decimal("-2.50")
    shift.refresh_from_db()
    assert not shift.is_open and shift.closing_note == "two coins short"


def test_handover_opens_the_next_cashiers_shift_with_the_counted_cash_as_float():
    shift = f.open_shift(opening_float="100.00")
    cash_sale(shift, price="10.00")
    nxt = f.cashier()

    services.shift_close(
        shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("110.00"), next_cashier=nxt
    )

    new = selectors.shift_open_for_cashier(cashier=nxt)
    assert (new.register_id, new.opening_float, new.previous_shift_id) == (
        shift.register_id,
        Decimal("110.00"),
        shift.pk,
    )
    assert selectors.shift_report(shift_id=shift.pk).next_shift == new


def test_only_one_open_shift_per_till():
    till = f.register("Till 1")
    f.open_shift(till=till)

    with pytest.raises(ValidationError, match="already has an open shift"):
        f.open_shift(till=till)
    assert Shift.objects.filter(register=till, closed_at__isnull=True).count() == 1


def test_the_database_forbids_two_open_shifts_at_one_till():
    first = f.open_shift()
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(
            register=first.register,
            cashier=f.cashier(),
            opening_float=Decimal("0"),
            opened_at=timezone.now(),
        )


def test_a_cashier_cannot_run_two_tills_at_once():
    shift = f.open_shift(till=f.register("Till 1"))
    with pytest.raises(ValidationError, match="already have an open shift"):
        f.open_shift(user=shift.cashier, till=f.register("Till 2"))


def test_a_closed_till_can_be_opened_again():
    shift = f.open_shift()
    services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("100"))

    again = f.open_shift(till=shift.register)

    assert again.is_open


def test_bad_close_changes_nothing():
    shift = f.open_shift()
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("-1"))
    with pytest.raises(ValidationError, match="Only the shift's cashier"):
        services.shift_close(shift_id=shift.pk, closed_by=f.cashier(), counted_cash=Decimal("1"))
    shift.refresh_from_db()
    assert shift.is_open and shift.counted_cash is None

    services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("100"))
    with pytest.raises(ValidationError, match="already closed"):
        services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("1"))


def test_negative_float_is_refused():
    with pytest.raises(ValidationError, match="cannot be negative"):
        f.open_shift(opening_float="-5.00")
    assert not Shift.objects.exists()
