"""Refunds of orders bought on account: a credit note against the order's invoice."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from credit import selectors, services
from credit.models import CreditDecision, CreditLedgerEntry, CreditNote, Invoice
from shop.apps.order import services as order_services
from tests.factories.credit import credit_staff
from tests.unit.credit.conftest import ledger_sum

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Set the store's business date: invoices, payments and credit notes are dated by it."""

    def set_today(day: date):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_today


@pytest.fixture
def operator(db):
    return credit_staff(email="operator@campus.example")


@pytest.fixture
def on_account_order(at_payment, account):
    preview = at_payment.client.post(reverse("checkout:preview"), {"credit_account": account.pk})
    response = at_payment.place_order(preview)
    assert response.status_code == 302, response
    order = Order.objects.get()
    assert order.status == "Paid"
    return order


def _nothing_written(order, account, balance_before):
    account.refresh_from_db()
    return (
        not OrderRefund.objects.exists()
        and not CreditNote.objects.exists()
        and not account.ledger.filter(kind=CreditLedgerEntry.Kind.CREDIT_NOTE).exists()
        and account.balance == balance_before == ledger_sum(account)
        and order.sources.get().amount_refunded == 0
    )


def test_full_refund_credits_the_whole_invoice(
    on_account_order, account, operator, run_on_commit, mailoutbox
):
    total = on_account_order.total_incl_tax

    with run_on_commit():
        refund = order_services.order_refund(
            order_id=on_account_order.pk,
            amount=total,
            reason="wrong delivery",
            refunded_by=operator,
        )

    assert refund.status == OrderRefund.Status.SUCCEEDED
    assert (refund.card_amount, refund.wallet_amount) == (Decimal("0.00"), Decimal("0.00"))
    note = CreditNote.objects.get()
    assert (note.refund, note.amount, note.account) == (refund, total, account)
    invoice = Invoice.objects.get()
    assert note.invoice == invoice and invoice.amount_credited == total
    assert invoice.outstanding == 0 and invoice.status == Invoice.Status.CREDITED
    account.refresh_from_db()
    assert account.balance == Decimal("0.00") == ledger_sum(account)
    row = account.ledger.get(kind=CreditLedgerEntry.Kind.CREDIT_NOTE)
    assert (row.amount, row.credit_note, row.balance_after) == (-total, note, Decimal("0.00"))
    on_account_order.refresh_from_db()
    assert on_account_order.status == "Refunded"
    assert on_account_order.sources.get().amount_refunded == total
    decision = account.decisions.get(kind=CreditDecision.Kind.CREDIT_NOTE_ISSUED)
    assert decision.actor == operator and decision.amount == total
    assert on_account_order.notes.filter(message__contains=note.number).exists()
    refund_email = mailoutbox[-1]
    assert refund_email.to == [on_account_order.user.email]
    assert f"is credited to invoice {invoice.number}" in refund_email.body


def test_partial_refunds_reduce_what_is_owed_until_nothing_is_left(
    on_account_order, account, operator
):
    total = on_account_order.total_incl_tax
    line = on_account_order.lines.get()

    order_services.order_refund(
        order_id=on_account_order.pk, amount=Decimal("5.00"), refunded_by=operator
    )

    invoice = Invoice.objects.get()
    assert invoice.outstanding == total - Decimal("5.00")
    assert invoice.status == Invoice.Status.OPEN
    account.refresh_from_db()
    assert account.balance == total - Decimal("5.00") == ledger_sum(account)
    on_account_order.refresh_from_db()
    assert on_account_order.status == "Paid"

    # The rest, by line: the line is worth 12.00, the order may also carry shipping.
    refund = order_services.order_refund(
        order_id=on_account_order.pk,
        amount=total - Decimal("5.00"),
        refunded_by=operator,
    )

    assert refund.amount == total - Decimal("5.00")
    assert CreditNote.objects.count() == 2
    invoice.refresh_from_db()
    assert invoice.outstanding == 0 and invoice.amount_credited == total
    account.refresh_from_db()
    assert account.balance == Decimal("0.00") == ledger_sum(account)
    assert order_services.order_line_refundable_quantities(order=on_account_order) == {
        line.pk: line.quantity
    }


def test_refund_of_a_line_is_credited(on_account_order, account, operator):
    line = on_account_order.lines.get()

    refund = order_services.order_refund(
        order_id=on_account_order.pk, line_quantities={line.pk: 1}, refunded_by=operator
    )

    assert refund.amount == line.line_price_incl_tax == CreditNote.objects.get().amount
    assert Invoice.objects.get().amount_credited == line.line_price_incl_tax


def test_over_refund_is_refused_and_nothing_is_written(on_account_order, account, operator):
    account.refresh_from_db()
    balance = account.balance
    total = on_account_order.total_incl_tax

    with pytest.raises(ValidationError, match="at most"):
        order_services.order_refund(
            order_id=on_account_order.pk, amount=total + Decimal("0.01"), refunded_by=operator
        )

    assert _nothing_written(on_account_order, account, balance)
    assert Invoice.objects.get().amount_credited == 0


def test_refund_beyond_what_the_invoice_still_owes_is_refused_and_nothing_is_written(
    on_account_order, account, operator
):
    """The department already paid most of the invoice: only what is still owed is credited."""
    total = on_account_order.total_incl_tax
    invoice = Invoice.objects.get()
    services.credit_payment_record(
        account_id=account.pk,
        amount=total - Decimal("2.00"),
        received_on=invoice.issued_on,
        invoice_ids=[invoice.pk],
    )
    account.refresh_from_db()
    balance = account.balance

    with pytest.raises(ValidationError) as refused:
        order_services.order_refund(
            order_id=on_account_order.pk, amount=Decimal("3.00"), refunded_by=operator
        )

    assert "At most ¥2.00 of this order can be refunded on account" in refused.value.messages[0]
    assert not OrderRefund.objects.exists() and not CreditNote.objects.exists()
    account.refresh_from_db()
    assert account.balance == balance == Decimal("2.00") == ledger_sum(account)
    invoice.refresh_from_db()
    assert invoice.amount_credited == 0 and invoice.outstanding == Decimal("2.00")

    # What is still owed can be credited: the invoice is then settled (paid + credited).
    order_services.order_refund(
        order_id=on_account_order.pk, amount=Decimal("2.00"), refunded_by=operator
    )
    invoice.refresh_from_db()
    assert invoice.outstanding == 0 and invoice.status == Invoice.Status.PAID


def test_a_resent_refund_signal_does_not_credit_twice(on_account_order, account, operator):
    refund = order_services.order_refund(
        order_id=on_account_order.pk, amount=Decimal("4.00"), refunded_by=operator
    )

    again = services.credit_note_issue_for_refund(refund_id=refund.pk)

    assert again == CreditNote.objects.get()
    assert account.ledger.filter(kind=CreditLedgerEntry.Kind.CREDIT_NOTE).count() == 1


def test_statement_aging_and_balance_report_on_fixed_dates(
    at_payment, account, operator, clock, admin_client
):
    """Order on 10 June (30-day terms: due 10 July), 5.00 paid on 20 June, 3.00 refunded on
    3 July."""
    clock(date(2026, 6, 10))
    preview = at_payment.client.post(reverse("checkout:preview"), {"credit_account": account.pk})
    at_payment.place_order(preview)
    order = Order.objects.get()
    total = order.total_incl_tax
    invoice = Invoice.objects.get()
    assert (invoice.issued_on, invoice.due_on) == (date(2026, 6, 10), date(2026, 7, 10))
    services.credit_payment_record(
        account_id=account.pk, amount=Decimal("5.00"), received_on=date(2026, 6, 20)
    )
    clock(date(2026, 7, 3))
    order_services.order_refund(order_id=order.pk, amount=Decimal("3.00"), refunded_by=operator)
    note = CreditNote.objects.get()
    assert note.issued_on == date(2026, 7, 3)

    june, july = selectors.ar_balance_report(
        first_month=date(2026, 6, 1), last_month=date(2026, 7, 1), account_id=account.pk
    )
    assert (june.opening, june.charged, june.paid, june.credited, june.closing) == (
        Decimal("0.00"),
        total,
        Decimal("5.00"),
        Decimal("0.00"),
        total - Decimal("5.00"),
    )
    assert (july.opening, july.charged, july.paid, july.credited, july.closing) == (
        total - Decimal("5.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("3.00"),
        total - Decimal("8.00"),
    )
    assert july.change == Decimal("-3.00")

    # Aging is rebuilt from dated rows: on 30 June the credit note did not exist yet.
    _rows, june_total = selectors.ar_aging(as_of=date(2026, 6, 30))
    assert june_total.buckets["current"] == total - Decimal("5.00")
    _rows, july_total = selectors.ar_aging(as_of=date(2026, 7, 5))
    assert july_total.buckets["current"] == total - Decimal("8.00")

    statement = selectors.credit_statement(account_id=account.pk, month=date(2026, 7, 1))
    assert statement.opening == total - Decimal("5.00")
    assert [(line.entry.kind, line.entry.amount, line.balance) for line in statement.lines] == [
        (CreditLedgerEntry.Kind.CREDIT_NOTE, Decimal("-3.00"), total - Decimal("8.00"))
    ]
    assert statement.closing == total - Decimal("8.00")
    assert [(i, owed) for i, owed, _bucket in statement.open_invoices] == [
        (invoice, total - Decimal("8.00"))
    ]

    page = admin_client.get(
        reverse("credit-statement", kwargs={"pk": account.pk}), {"month": "2026-07-01"}
    )
    content = page.content.decode()
    assert note.number in content and invoice.number in content
    csv = admin_client.get(
        reverse("credit-balance-report"),
        {"first_month": "2026-06-01", "last_month": "2026-07-01", "format": "csv"},
    ).content.decode()
    assert csv.splitlines()[0].split(",")[:5] == ["Month", "Opening", "Charged", "Paid", "Credited"]
    assert csv.splitlines()[2].startswith(f"2026-07,{total - Decimal('5.00')},0.00,0.00,3.00,")


def test_operator_refunds_an_on_account_order_from_the_dashboard(
    on_account_order, account, admin_client
):
    url = reverse("refunds-dashboard:order-refund", kwargs={"number": on_account_order.number})

    response = admin_client.post(url, {"amount": "4.00", "reason": "dented tin"})

    assert response.status_code == 302, response.content.decode()[:2000]
    note = CreditNote.objects.get()
    assert note.amount == Decimal("4.00") and note.reason == "dented tin"
    page = admin_client.get(url).content.decode()
    assert note.number in page
    too_much = admin_client.post(url, {"amount": "999.00"})
    assert too_much.status_code == 200 and "at most" in too_much.content.decode()
    assert CreditNote.objects.count() == 1
