"""bench/checkout.py: its buyer reads our forms, and its consistency checks catch what they claim.

The checks are what make the benchmark's "0 errors" mean something, so each is shown to fail
on the inconsistency it looks for (a ledger row missing, stock over-allocated).
"""

from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from bench.checkout import OrderResult, _form, consistency_check, results_table
from tests.factories.payments import funded_wallet
from wallet.models import Wallet

StockRecord = get_model("partner", "StockRecord")

PREVIEW_PAGE = """
<form method="post" action="/checkout/preview/" id="place_order_form">
    <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
    <input type="hidden" name="action" value="place_order" />
    <div style="display:none">
        <input type="hidden" name="payment_method_id" value="card_123">
        <input type="hidden" name="use_wallet" value="on">
        <input type="hidden" name="basket_fingerprint" value="abc">
        <input type="hidden" name="order_total" value="12.00">
    </div>
    <input type="checkbox" name="remember" value="1">
    <button type="submit">Place order</button>
</form>
<form method="post" action="/elsewhere/" id="other_form"><input type="hidden" name="x" value="y"></form>
"""


def test_form_reads_the_action_and_the_fields_a_browser_would_post():
    action, fields = _form(PREVIEW_PAGE, "place_order_form")

    assert action == "/checkout/preview/"
    assert fields == {
        "csrfmiddlewaretoken": "tok&en",
        "action": "place_order",
        "payment_method_id": "card_123",
        "use_wallet": "on",
        "basket_fingerprint": "abc",
        "order_total": "12.00",
    }


def test_results_table_counts_errors_per_kind():
    results = [
        OrderResult("card", 0, True, 1.0, place_seconds=0.5, order_number="100001"),
        OrderResult("wallet", 1, False, 2.0, error="boom"),
    ]

    table = results_table(results, seconds=2.0)

    assert "| card | 1 | 0.50 | 1.00 | 1.00 | 0.50 | 0.50 | 0 |" in table
    assert "| wallet | 0 | 0.00 |" in table and table.splitlines()[4].endswith("| 1 |")
    assert "| all | 1 | 0.50 |" in table


def _checks(**kwargs) -> dict[str, bool]:
    defaults = {
        "user_ids": [],
        "since": timezone.now(),
        "successful_orders": 0,
        "results": [],
        "localstripe_url": None,
    }
    return {check.name: check.ok for check in consistency_check(**{**defaults, **kwargs})}


@pytest.mark.django_db
def test_consistent_store_passes_every_check():
    funded_wallet(user=UserFactory(), amount="30.00")
    create_product(price=Decimal("3.00"), num_in_stock=10)

    assert all(_checks().values())


@pytest.mark.django_db
def test_wallet_balance_without_its_ledger_row_is_caught():
    wallet = funded_wallet(user=UserFactory(), amount="30.00")
    Wallet.objects.filter(pk=wallet.pk).update(balance=Decimal("31.00"))

    checks = _checks()

    assert checks["wallet ledger sums == balances"] is False
    assert checks["points ledger sums == balances"] is True


@pytest.mark.django_db
def test_over_allocated_stock_is_caught():
    product = create_product(price=Decimal("3.00"), num_in_stock=2)
    StockRecord.objects.filter(product=product).update(num_allocated=3)

    assert _checks()["no negative stock"] is False


@pytest.mark.django_db
def test_a_thank_you_page_without_an_order_is_caught():
    checks = _checks(
        successful_orders=1,
        results=[OrderResult("card", 0, True, 1.0, order_number="100001")],
    )

    assert checks["orders == successful buyer runs"] is False
    assert checks["thank-you order numbers are the run's orders"] is False
