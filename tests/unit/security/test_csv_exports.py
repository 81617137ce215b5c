"""Every CSV export guards text a spreadsheet would run as a formula and writes money to the cent."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.csv_export import csv_response
from credit import services as credit_services
from tests.factories.credit import credit_account, credit_staff
from tests.factories.crm import CustomerFactory, marketing_manager
from tests.factories.loyalty import paid_order


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_helper_guards_text_and_writes_decimals_with_two_places():
    response = csv_response(
        filename="x.csv",
        header=["Name", "Amount"],
        rows=[
            ['=HYPERLINK("http://evil")', Decimal("404.140000000000")],
            ["@SUM(A1)", Decimal("-310")],
            ["+1", 3],
            ["-2", None],
        ],
    )
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert _rows(response) == [
        ["Name", "Amount"],
        ['\'=HYPERLINK("http://evil")', "404.14"],
        ["'@SUM(A1)", "-310.00"],
        ["'+1", "3"],
        ["'-2", ""],
    ]


@pytest.mark.django_db
def test_crm_customer_export_guards_names_and_writes_spend_to_the_cent(client):
    customer = CustomerFactory(first_name="=cmd|' /C calc'!A0", last_name="Li")
    paid_order(user=customer, price="18.00")
    client.force_login(marketing_manager())
    response = client.get(reverse("crm_customers:profile", args=[customer.pk]) + "?export=csv")
    rows = dict((row[0], row[1]) for row in _rows(response) if len(row) == 2)
    assert rows["Name"].startswith("'=")
    spend = rows["Lifetime spend"]
    assert Decimal(spend) > 0 and len(spend.split(".")[1]) == 2


@pytest.mark.django_db
def test_credit_aging_export_guards_account_names(client):
    account = credit_account(name="=1+1", limit="500.00")
    credit_services.credit_invoice_issue(
        account_id=account.pk, amount=Decimal("10.00"), issued_on=date(2026, 6, 1)
    )
    client.force_login(credit_staff())
    response = client.get(reverse("credit-aging"), {"as_of": "2026-06-30", "format": "csv"})
    assert "'=1+1" in [row[0] for row in _rows(response)]
