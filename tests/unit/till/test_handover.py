"""Handing the till to the next cashier: the counted cash becomes their float."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.test.factories import UserFactory

from staff import roles
from tests.factories import till as f
from tests.factories.staff import staff_user
from till import selectors, services
from till.models import Shift

pytestmark = pytest.mark.django_db

Line = services.TillLineInput


def test_handover_with_counted_cash_opens_the_next_cashiers_shift():
    shift = f.open_shift(opening_float="100.00")
    milk = f.product(price="10.00")
    services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number="",
        lines=[Line(product_id=milk.pk, quantity=1)],
        payment_method="cash",
        cash_tendered=Decimal("20.00"),
    )
    successor = f.cashier(username="next")

    services.shift_close(
        shift_id=shift.pk,
        closed_by=shift.cashier,
        counted_cash=Decimal("109.00"),
        note="one coin short",
        next_cashier=successor,
    )

    shift.refresh_from_db()
    taken_over = Shift.objects.get(cashier=successor, closed_at__isnull=True)
    assert (taken_over.register, taken_over.previous_shift) == (shift.register, shift)
    assert taken_over.opening_float == Decimal("109.00")
    report = selectors.shift_report(shift_id=shift.pk)
    assert (report.expected_cash, report.counted_cash, report.difference) == (
        Decimal("110.00"),
        Decimal("109.00"),
        Decimal("-1.00"),
    )
    assert report.next_shift == taken_over
    # The next cashier may read the report of the count they confirmed.
    assert selectors.shifts_visible_to(user=successor).filter(pk=shift.pk).exists()


def test_handover_to_someone_who_may_not_use_the_till_is_refused():
    shift = f.open_shift()
    marketing = staff_user(roles.MARKETING)
    marketing.is_staff = True
    marketing.save()

    with pytest.raises(ValidationError, match="may not use the till") as refused:
        services.shift_close(
            shift_id=shift.pk,
            closed_by=shift.cashier,
            counted_cash=Decimal("100.00"),
            next_cashier=marketing,
        )

    assert refused.value.error_list[0].code == "next_cashier_not_allowed"
    shift.refresh_from_db()
    assert shift.is_open and not Shift.objects.filter(cashier=marketing).exists()


def test_handover_offers_cashiers_only_not_the_operator_or_the_superuser(client):
    shift = f.open_shift()
    colleague = f.cashier(username="colleague", first_name="Nina", last_name="Wu")
    operator = staff_user(roles.OPERATOR, username="operator", first_name="Olga", last_name="Ma")
    boss = UserFactory(
        username="boss", first_name="Super", last_name="User", is_staff=True, is_superuser=True
    )

    offered = list(selectors.cashiers_available(exclude_user=shift.cashier))
    assert offered == [colleague]
    client.force_login(shift.cashier)
    form = client.get(reverse("till-shift-close", args=[shift.pk])).content.decode()
    assert "Nina Wu" in form and "Olga Ma" not in form and "Super User" not in form
    for person in (operator, boss):
        with pytest.raises(ValidationError, match="may not use the till"):
            services.shift_close(
                shift_id=shift.pk,
                closed_by=shift.cashier,
                counted_cash=Decimal("100.00"),
                next_cashier=person,
            )
    shift.refresh_from_db()
    assert shift.is_open
