"""Pay on account on PostgreSQL: concurrent orders on one account never exceed its limit."""

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from credit import services
from credit.models import CreditAccount, CreditLedgerEntry, Invoice
from tests.factories.credit import credit_account
from tests.integration.concurrency import run_at_once

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Order = get_model("order", "Order")
WORKERS = 8
ORDER_TOTAL = Decimal("30.00")
LIMIT = Decimal("100.00")


def _order_writer(buyer):
    """What the checkout's place_order leaves behind that the credit code reads: an order row."""

    def place_order():
        return Order.objects.create(
            number=f"T{uuid.uuid4().hex[:12]}",
            user=buyer,
            currency="CNY",
            total_incl_tax=ORDER_TOTAL,
            total_excl_tax=ORDER_TOTAL,
            status="Pending",
        )

    return place_order


def test_eight_concurrent_orders_fit_the_limit_exactly_three_times():
    assert connection.vendor == "postgresql"
    buyer = UserFactory()
    account = credit_account(limit=str(LIMIT), buyers=[buyer])

    def order_once() -> None:
        services.onaccount_order_place(
            account_id=account.pk,
            buyer=buyer,
            amount=ORDER_TOTAL,
            place_order=_order_writer(buyer),
        )

    outcomes = run_at_once(
        [order_once] * WORKERS, succeeded="approved", refused=services.CreditRefused
    )

    assert sorted(outcomes) == ["approved"] * 3 + ["refused"] * (WORKERS - 3)
    account.refresh_from_db()
    assert account.balance == 3 * ORDER_TOTAL
    assert (
        CreditLedgerEntry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"]
        == account.balance
    )
    assert Invoice.objects.filter(account=account).count() == 3
    # A refused order leaves nothing behind: only the three approved orders exist, all paid.
    assert list(Order.objects.values_list("status", flat=True)) == ["Paid"] * 3


def test_postgresql_enforces_the_balance_constraint():
    account = credit_account(limit="10.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(pk=account.pk).update(balance=Decimal("-1.00"))
