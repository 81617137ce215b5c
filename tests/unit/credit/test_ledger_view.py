"""The account page's ledger: the running balance follows the entries' dates."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from credit import selectors, services
from tests.factories.credit import credit_account, credit_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered_out_of_order(limit_setter):
    """Invoices of March and May, then a payment received in April entered last."""
    account = credit_account(name="Physics", limit="5000.00", limit_setter=limit_setter)
    services.credit_invoice_issue(
        account_id=account.pk, amount=Decimal("680.50"), issued_on=date(2026, 3, 2)
    )
    services.credit_invoice_issue(
        account_id=account.pk, amount=Decimal("490.00"), issued_on=date(2026, 5, 4)
    )
    services.credit_payment_record(
        account_id=account.pk, amount=Decimal("310.00"), received_on=date(2026, 4, 1)
    )
    account.refresh_from_db()
    return account


def test_running_balance_follows_dates_and_ends_at_what_is_owed(entered_out_of_order):
    account = entered_out_of_order
    lines = selectors.credit_ledger_lines(account_id=account.pk)
    # Newest first: May's invoice, April's payment, March's invoice.
    assert [(line.entry.entry_date, line.entry.amount, line.balance) for line in lines] == [
        (date(2026, 5, 4), Decimal("490.00"), Decimal("860.50")),
        (date(2026, 4, 1), Decimal("-310.00"), Decimal("370.50")),
        (date(2026, 3, 2), Decimal("680.50"), Decimal("680.50")),
    ]
    assert lines[0].balance == account.balance == Decimal("860.50")


def test_account_page_shows_the_dated_running_balance(entered_out_of_order, client):
    client.force_login(credit_staff())
    response = client.get(reverse("credit-account-detail", args=[entered_out_of_order.pk]))
    rows = [(line.entry.amount, line.balance) for line in response.context["ledger"]]
    assert rows == [
        (Decimal("490.00"), Decimal("860.50")),
        (Decimal("-310.00"), Decimal("370.50")),
        (Decimal("680.50"), Decimal("680.50")),
    ]
    html = response.content.decode()
    assert html.index("860.50") < html.index("370.50")
