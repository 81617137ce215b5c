"""The credit dashboard: who may see and do what."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from credit import services
from credit.models import CreditAccount, WriteOff
from tests.factories.credit import credit_staff

pytestmark = pytest.mark.django_db


def test_customers_and_plain_staff_cannot_open_credit_pages(client, account):
    client.force_login(UserFactory())
    assert client.get(reverse("credit-account-list")).status_code in (302, 403)
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("credit-account-detail", args=[account.pk])).status_code in (302, 403)


def test_a_viewer_cannot_set_limits(client, account):
    client.force_login(credit_staff())
    response = client.post(
        reverse("credit-account-limit", args=[account.pk]),
        {"credit_limit": "9999.00", "payment_term_days": 30, "grade": "A", "reason": "x"},
    )
    assert response.status_code in (302, 403)
    account.refresh_from_db()
    assert account.credit_limit == Decimal("100.00")


def test_limit_setter_sets_limit_from_the_account_page(client, account, limit_setter):
    client.force_login(limit_setter)
    response = client.post(
        reverse("credit-account-limit", args=[account.pk]),
        {"credit_limit": "250.00", "payment_term_days": 45, "grade": "A", "reason": "new budget"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.credit_limit, account.payment_term_days, account.grade) == (
        Decimal("250.00"),
        45,
        "A",
    )
    decision = account.decisions.filter(kind="limit_set").first()
    assert decision.actor == limit_setter and "new budget" in decision.reason


def test_hold_payment_and_write_off_through_the_pages(client, account, manager):
    clerk = credit_staff("change_creditaccount", "add_creditpayment", "add_writeoff")
    invoice = services.credit_invoice_issue(
        account_id=account.pk, amount=Decimal("40.00"), issued_on=date(2026, 1, 1)
    )
    client.force_login(clerk)
    client.post(
        reverse("credit-account-status", args=[account.pk]), {"action": "hold", "reason": "audit"}
    )
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.ON_HOLD
    client.post(
        reverse("credit-payment-create", args=[account.pk]),
        {"amount": "15.00", "received_on": "2026-02-01", "method": "transfer", "reference": "T1"},
    )
    client.post(
        reverse("credit-writeoff-request", args=[invoice.pk]), {"amount": "25.00", "reason": "lost"}
    )
    account.refresh_from_db()
    assert account.balance == Decimal("25.00")
    write_off = WriteOff.objects.get()
    # The clerk cannot approve; the manager can.
    client.post(reverse("credit-writeoff-decide", args=[write_off.pk]), {"action": "approve"})
    assert WriteOff.objects.get().status == WriteOff.Status.REQUESTED
    client.force_login(manager)
    assert client.get(reverse("credit-writeoff-list")).status_code == 200
    client.post(reverse("credit-writeoff-decide", args=[write_off.pk]), {"action": "approve"})
    account.refresh_from_db()
    assert WriteOff.objects.get().status == WriteOff.Status.APPROVED and account.balance == 0


def test_new_account_page(client, limit_setter, buyer):
    client.force_login(limit_setter)
    assert client.get(reverse("credit-account-create")).status_code == 200
    response = client.post(
        reverse("credit-account-create"),
        {
            "name": "Dr Chen",
            "kind": "staff",
            "holder_email": buyer.email,
            "billing_email": buyer.email,
            "credit_limit": "200.00",
            "payment_term_days": 14,
        },
    )
    assert response.status_code == 302
    account = CreditAccount.objects.get(name="Dr Chen")
    assert list(account.buyers.all()) == [buyer] and account.limit_set_by == limit_setter


def test_buyer_changes_are_logged(client, account):
    clerk = credit_staff("change_creditaccount")
    newcomer = UserFactory(email="newcomer@chem.campus.example")
    client.force_login(clerk)
    client.post(
        reverse("credit-account-status", args=[account.pk]),
        {"action": "add_buyer", "buyer_email": newcomer.email},
    )
    assert account.buyers.filter(pk=newcomer.pk).exists()
    decision = account.decisions.get(kind="buyer_added")
    assert decision.actor == clerk and decision.reason == newcomer.email
