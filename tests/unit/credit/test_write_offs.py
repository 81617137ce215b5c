"""Write-off only with a manager's approval, and recoverable."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credit import selectors, services
from credit.models import Invoice, WriteOff
from tests.factories.credit import credit_staff
from tests.unit.credit.conftest import ledger_sum

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(account):
    return services.credit_invoice_issue(
        account_id=account.pk, amount=Decimal("80.00"), issued_on=date(2026, 1, 5)
    )


@pytest.fixture
def clerk(db):
    return credit_staff("add_writeoff")


def test_request_changes_nothing_until_a_manager_approves(invoice, clerk, manager, account):
    write_off = services.write_off_request(
        invoice_id=invoice.pk, amount=Decimal("80.00"), reason="dept closed", actor=clerk
    )
    account.refresh_from_db()
    assert account.balance == Decimal("80.00")
    with pytest.raises(PermissionDenied):
        services.write_off_approve(write_off_id=write_off.pk, manager=clerk)

    services.write_off_approve(write_off_id=write_off.pk, manager=manager, today=date(2026, 6, 1))

    invoice.refresh_from_db()
    account.refresh_from_db()
    assert invoice.status == Invoice.Status.WRITTEN_OFF and invoice.outstanding == 0
    assert account.balance == 0 == ledger_sum(account)
    assert account.decisions.filter(kind="write_off_approved", actor=manager).exists()


def test_manager_cannot_approve_own_request(invoice, manager):
    write_off = services.write_off_request(
        invoice_id=invoice.pk, amount=Decimal("10.00"), reason="x", actor=manager
    )
    with pytest.raises(ValidationError, match="Another manager"):
        services.write_off_approve(write_off_id=write_off.pk, manager=manager)
    assert WriteOff.objects.get().status == WriteOff.Status.REQUESTED


def test_cannot_write_off_more_than_owed(invoice, clerk):
    with pytest.raises(ValidationError):
        services.write_off_request(
            invoice_id=invoice.pk, amount=Decimal("80.01"), reason="x", actor=clerk
        )
    services.write_off_request(
        invoice_id=invoice.pk, amount=Decimal("50.00"), reason="x", actor=clerk
    )
    with pytest.raises(ValidationError):  # 50 already requested
        services.write_off_request(
            invoice_id=invoice.pk, amount=Decimal("40.00"), reason="x", actor=clerk
        )


def test_reversal_recovers_the_amount(invoice, clerk, manager, account):
    write_off = services.write_off_request(
        invoice_id=invoice.pk, amount=Decimal("80.00"), reason="gone", actor=clerk
    )
    services.write_off_approve(write_off_id=write_off.pk, manager=manager, today=date(2026, 6, 1))
    services.write_off_reverse(
        write_off_id=write_off.pk,
        manager=manager,
        reason="department paid after all",
        today=date(2026, 7, 2),
    )

    invoice.refresh_from_db()
    account.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN and invoice.outstanding == Decimal("80.00")
    assert account.balance == Decimal("80.00") == ledger_sum(account)
    services.credit_payment_record(
        account_id=account.pk, amount=Decimal("80.00"), received_on=date(2026, 7, 3)
    )
    june, july = selectors.ar_balance_report(
        first_month=date(2026, 6, 1), last_month=date(2026, 7, 1)
    )
    assert june.written_off == Decimal("80.00") and july.written_off == Decimal("-80.00")
    assert july.paid == Decimal("80.00") and july.closing == 0
