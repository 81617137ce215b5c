"""Collection by stage (reminder, escalation, hold), release when paid; leavers; grades."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from oscar.test.factories import UserFactory

from credit import services, tasks
from credit.models import CreditAccount, CreditDecision, Invoice
from tests.factories.credit import credit_account
from tests.unit.credit.conftest import ledger_sum

pytestmark = pytest.mark.django_db

ISSUED = date(2026, 3, 1)  # due 2026-03-31 with 30-day terms


@pytest.fixture
def overdue(account):
    return services.credit_invoice_issue(
        account_id=account.pk, amount=Decimal("60.00"), issued_on=ISSUED
    )


def _run(day, run_on_commit):
    with run_on_commit():
        return services.collection_run(today=day)


def test_stages_reminder_escalation_hold_each_once(account, overdue, mailoutbox, run_on_commit):
    assert _run(date(2026, 3, 31), run_on_commit)["reminded"] == 0  # due today: not overdue

    assert _run(date(2026, 4, 1), run_on_commit)["reminded"] == 1
    assert [m.to for m in mailoutbox] == [["office@chem.campus.example"]]
    assert _run(date(2026, 4, 1), run_on_commit) == {
        "reminded": 0,
        "escalated": 0,
        "held": 0,
        "released": 0,
    }
    assert len(mailoutbox) == 1

    assert _run(date(2026, 4, 15), run_on_commit)["escalated"] == 1
    assert "head@chem.campus.example" in mailoutbox[-1].to
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ACTIVE

    counts = _run(date(2026, 4, 30), run_on_commit)
    assert counts["held"] == 1
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ON_HOLD and account.held_by_collection
    assert "overdue" in account.status_reason
    assert _run(date(2026, 5, 1), run_on_commit)["held"] == 0
    assert len(mailoutbox) == 3


def test_hold_is_lifted_when_the_overdue_invoice_is_paid(account, overdue, run_on_commit):
    _run(date(2026, 5, 1), run_on_commit)
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ON_HOLD

    services.credit_payment_record(
        account_id=account.pk, amount=Decimal("60.00"), received_on=date(2026, 5, 3)
    )

    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ACTIVE and not account.held_by_collection
    assert account.balance == 0 == ledger_sum(account)
    assert account.decisions.filter(kind=CreditDecision.Kind.RELEASE).exists()
    assert Invoice.objects.get().status == Invoice.Status.PAID


def test_partial_payment_keeps_the_hold_and_a_manual_hold_is_not_lifted_by_paying(
    account, overdue, run_on_commit, limit_setter
):
    _run(date(2026, 5, 1), run_on_commit)
    services.credit_payment_record(
        account_id=account.pk, amount=Decimal("10.00"), received_on=date(2026, 5, 3)
    )
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ON_HOLD

    other = credit_account(name="Physics", limit="100.00", limit_setter=limit_setter)
    services.credit_account_hold(account_id=other.pk, reason="audit", actor=limit_setter)
    invoice = services.credit_invoice_issue(
        account_id=other.pk, amount=Decimal("5.00"), issued_on=ISSUED
    )
    services.credit_payment_record(
        account_id=other.pk, amount=invoice.amount, received_on=date(2026, 4, 2)
    )
    other.refresh_from_db()
    assert other.status == CreditAccount.Status.ON_HOLD


def test_payment_over_what_is_owed_is_refused_and_changes_nothing(account, overdue):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="more than"):
        services.credit_payment_record(
            account_id=account.pk, amount=Decimal("61.00"), received_on=ISSUED
        )
    account.refresh_from_db()
    assert account.balance == Decimal("60.00") and account.payments.count() == 0


def test_leaver_account_is_frozen_and_settled(limit_setter):
    leaver = UserFactory(email="lecturer@campus.example")
    account = services.credit_account_create(
        name="Dr Chen",
        kind=CreditAccount.Kind.STAFF,
        billing_email=leaver.email,
        credit_limit=Decimal("300.00"),
        holder=leaver,
        actor=limit_setter,
    )
    assert list(account.buyers.all()) == [leaver]
    services.credit_invoice_issue(account_id=account.pk, amount=Decimal("80.00"), issued_on=ISSUED)
    services.credit_invoice_issue(
        account_id=account.pk, amount=Decimal("20.00"), issued_on=date(2026, 4, 1)
    )

    services.credit_account_freeze_leaver(
        account_id=account.pk,
        actor=limit_setter,
        reason="left the college",
        settled_on=date(2026, 4, 20),
    )

    account.refresh_from_db()
    assert account.status == CreditAccount.Status.FROZEN
    assert not account.buyers.exists()
    assert account.balance == 0 == ledger_sum(account)
    assert set(account.invoices.values_list("status", flat=True)) == {Invoice.Status.PAID}
    assert account.payments.get().method == "payroll"


def test_grade_follows_payment_history_and_is_flagged_for_review(account, limit_setter):
    for month in (1, 2, 3):
        invoice = services.credit_invoice_issue(
            account_id=account.pk, amount=Decimal("10.00"), issued_on=date(2026, month, 1)
        )
        services.credit_payment_record(
            account_id=account.pk,
            amount=Decimal("10.00"),
            received_on=invoice.due_on + timedelta(days=40),
        )
    account.refresh_from_db()
    assert account.grade == CreditAccount.Grade.D and account.grade_review_pending
    change = account.decisions.get(kind=CreditDecision.Kind.GRADE_CHANGED)
    assert "0 of 3 invoices on time" in change.reason
    services.credit_grade_review(account_id=account.pk, actor=limit_setter, note="agreed")
    account.refresh_from_db()
    assert not account.grade_review_pending


def test_beat_task_runs_the_collection(account, overdue, mailoutbox):
    result = tasks.collection_daily.delay().get()
    # Today the 2026-03-31 invoice is long overdue: it goes straight to hold, one email.
    assert result["held"] == 1 and result["reminded"] == 0
