"""The till on PostgreSQL: two tills selling the last unit at once, and one wallet at two tills."""

from decimal import Decimal

import pytest
from django.db import connection
from oscar.core.loading import get_model

from tests.factories import till as f
from tests.integration.concurrency import run_at_once
from till import services
from till.models import TillSale
from wallet.models import Wallet, WalletTransaction

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Line = services.TillLineInput


def sell_at_once(*sales):
    """Each sale in its own thread and connection, released together: "sold" or the refusal."""
    return run_at_once(sales, succeeded="sold", refusal=lambda error: " ".join(error.messages))


def test_two_tills_selling_the_last_unit_one_sells_one_is_refused_cleanly():
    assert connection.vendor == "postgresql"
    last = f.product(title="Last sandwich", price="15.00", stock=1)
    shifts = [f.open_shift(till=f.register(f"Till {n}")) for n in (1, 2)]

    def sale_at(shift):
        return lambda: services.till_sale_create(
            cashier=shift.cashier,
            shift_id=shift.pk,
            card_number="",
            lines=[Line(product_id=last.pk, quantity=1)],
            payment_method="cash",
            cash_tendered=Decimal("20.00"),
        )

    outcomes = sell_at_once(*(sale_at(shift) for shift in shifts))

    assert sorted(outcomes) == ["Last sandwich: only 0 left in stock.", "sold"]
    record = last.stockrecords.get()
    assert (record.num_in_stock, record.num_allocated) == (0, 0)
    assert Order.objects.count() == TillSale.objects.count() == 1


def test_one_wallet_paying_at_two_tills_never_goes_below_zero():
    _user, card = f.member(member_type_code="public", wallet="25.00")
    tea = f.product(price="20.00", stock=10)
    shifts = [f.open_shift(till=f.register(f"Till {n}")) for n in (1, 2)]

    def sale_at(shift):
        return lambda: services.till_sale_create(
            cashier=shift.cashier,
            shift_id=shift.pk,
            card_number=card.number,
            lines=[Line(product_id=tea.pk, quantity=1)],
            payment_method="wallet",
        )

    outcomes = sell_at_once(*(sale_at(shift) for shift in shifts))

    assert outcomes.count("sold") == 1
    assert any("does not cover" in outcome for outcome in outcomes)
    wallet = Wallet.objects.get(user=card.user)
    assert wallet.balance == Decimal("5.00")
    assert WalletTransaction.objects.filter(wallet=wallet, order__isnull=False).count() == 1
    assert tea.stockrecords.get().num_in_stock == 9
