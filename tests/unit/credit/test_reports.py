"""AR aging buckets, the AR balance report and statements, on fixed dates."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from credit import selectors, services
from tests.factories.credit import credit_account, credit_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(limit_setter, manager):
    """Two departments with 30-day terms and invoices in several buckets as of 2026-06-30."""
    chem = credit_account(name="Chemistry", limit="5000.00", limit_setter=limit_setter)
    law = credit_account(name="Law", limit="5000.00", limit_setter=limit_setter)
    issue = services.credit_invoice_issue
    a = issue(
        account_id=chem.pk, amount=Decimal("100.00"), issued_on=date(2026, 6, 15)
    )  # due 07-15
    b = issue(
        account_id=chem.pk, amount=Decimal("200.00"), issued_on=date(2026, 5, 20)
    )  # due 06-19
    c = issue(
        account_id=chem.pk, amount=Decimal("300.00"), issued_on=date(2026, 4, 10)
    )  # due 05-10
    d = issue(account_id=law.pk, amount=Decimal("400.00"), issued_on=date(2026, 3, 1))  # due 03-31
    e = issue(account_id=law.pk, amount=Decimal("500.00"), issued_on=date(2026, 1, 2))  # due 02-01
    # 50.00 paid on c in June; d fully paid on 2026-07-05 (after the aging date).
    services.credit_payment_record(
        account_id=chem.pk,
        amount=Decimal("50.00"),
        received_on=date(2026, 6, 2),
        invoice_ids=[c.pk],
    )
    services.credit_payment_record(
        account_id=law.pk,
        amount=Decimal("400.00"),
        received_on=date(2026, 7, 5),
        invoice_ids=[d.pk],
    )
    wo = services.write_off_request(
        invoice_id=e.pk, amount=Decimal("100.00"), reason="disputed", actor=limit_setter
    )
    services.write_off_approve(write_off_id=wo.pk, manager=manager, today=date(2026, 6, 10))
    return {"chem": chem, "law": law, "invoices": (a, b, c, d, e)}


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_bucket_edges(days, bucket):
    assert selectors.aging_bucket(days_past_due=days) == bucket


def test_aging_as_of_a_fixed_day(ledger):
    rows, total = selectors.ar_aging(as_of=date(2026, 6, 30))

    by_name = {row.account.name: row.buckets for row in rows}
    assert by_name["Chemistry"] == {
        "current": Decimal("100.00"),  # due 07-15
        "d1_30": Decimal("200.00"),  # 11 days
        "d31_60": Decimal("250.00"),  # 51 days, 50.00 paid
        "d61_90": Decimal("0.00"),
        "over_90": Decimal("0.00"),
    }
    # d is 91 days past due on 06-30 and still unpaid then (paid 07-05); e is 149 days, 100 written off.
    assert by_name["Law"]["d61_90"] == Decimal("0.00")
    assert by_name["Law"]["over_90"] == Decimal("800.00")
    assert total.total == Decimal("1350.00")


def test_aging_after_the_payment_drops_the_paid_invoice(ledger):
    rows, total = selectors.ar_aging(as_of=date(2026, 7, 6))
    law = next(row for row in rows if row.account.name == "Law")
    assert law.buckets["over_90"] == Decimal("400.00")


def test_balance_report_month_over_month(ledger):
    months = selectors.ar_balance_report(first_month=date(2026, 5, 1), last_month=date(2026, 7, 1))

    may, june, july = months
    assert (may.opening, may.charged, may.paid, may.written_off, may.closing) == (
        Decimal("1200.00"),
        Decimal("200.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1400.00"),
    )
    assert (june.opening, june.charged, june.paid, june.written_off, june.closing) == (
        Decimal("1400.00"),
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("100.00"),
        Decimal("1350.00"),
    )
    assert june.change == Decimal("-50.00")
    assert (july.paid, july.closing) == (Decimal("400.00"), Decimal("950.00"))
    assert may.change is None


def test_statement_for_a_month(ledger):
    statement = selectors.credit_statement(account_id=ledger["chem"].pk, month=date(2026, 6, 1))
    assert statement.opening == Decimal("500.00")
    assert [line.entry.amount for line in statement.lines] == [Decimal("-50.00"), Decimal("100.00")]
    assert statement.closing == Decimal("550.00")
    assert [outstanding for _i, outstanding, _b in statement.open_invoices] == [
        Decimal("250.00"),
        Decimal("200.00"),
        Decimal("100.00"),
    ]


def test_report_pages_and_csv(ledger, client):
    client.force_login(credit_staff())
    aging = client.get(reverse("credit-aging"), {"as_of": "2026-06-30"})
    assert aging.status_code == 200 and "Chemistry" in aging.content.decode()
    csv = client.get(reverse("credit-aging"), {"as_of": "2026-06-30", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "Total,100.00,200.00,250.00,0.00,800.00,1350.00" in csv.content.decode()
    balance = client.get(
        reverse("credit-balance-report"),
        {"first_month": "2026-05-01", "last_month": "2026-07-01", "format": "csv"},
    )
    assert "2026-06,1400.00,100.00,50.00,0.00,100.00,1350.00,-50.00" in balance.content.decode()
    page = client.get(
        reverse("credit-balance-report"), {"first_month": "2026-05-01", "last_month": "2026-07-01"}
    )
    assert page.status_code == 200
    statement = client.get(
        reverse("credit-statement", args=[ledger["chem"].pk]), {"month": "2026-06-01"}
    )
    assert statement.status_code == 200 and "550.00" in statement.content.decode()
    detail = client.get(reverse("credit-account-detail", args=[ledger["chem"].pk]))
    assert detail.status_code == 200
    listing = client.get(reverse("credit-account-list"))
    assert listing.status_code == 200 and "Law" in listing.content.decode()


def test_monthly_statements_are_emailed_once(ledger, run_on_commit, mailoutbox):
    with run_on_commit():
        sent = services.credit_statements_send(month=date(2026, 6, 15))
    with run_on_commit():
        again = services.credit_statements_send(month=date(2026, 6, 1))

    assert (sent, again) == (2, 0)
    chem = next(m for m in mailoutbox if "Chemistry" in m.subject)
    assert chem.subject == "Statement of Chemistry for June 2026"
    assert "Closing balance: ¥550.00" in chem.body
