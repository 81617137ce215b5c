"""Approval routing: who may approve an on-account order, and what approving does."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from credit import services
from credit.models import CreditDecision, OrderApproval
from tests.factories.credit import credit_staff
from tests.unit.credit.conftest import ledger_sum

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(at_payment, account):
    """An order referred to an approver because 20.00 is overdue on the account."""
    old = timezone.localdate() - timedelta(days=45)
    services.credit_invoice_issue(account_id=account.pk, amount=Decimal("20.00"), issued_on=old)
    preview = at_payment.client.post(reverse("checkout:preview"), {"credit_account": account.pk})
    at_payment.place_order(preview)
    return OrderApproval.objects.get()


def test_approver_approves_invoice_is_issued_and_order_paid(waiting, approver, account):
    invoice = services.onaccount_order_approve(
        approval_id=waiting.pk, approver=approver, note="head confirmed"
    )

    waiting.refresh_from_db()
    assert waiting.status == OrderApproval.Status.APPROVED and waiting.decided_by == approver
    assert invoice.order == waiting.order
    assert Order.objects.get(pk=waiting.order_id).status == "Paid"
    account.refresh_from_db()
    assert account.balance == Decimal("20.00") + invoice.amount == ledger_sum(account)
    decision = account.decisions.get(kind=CreditDecision.Kind.ORDER_APPROVED)
    assert decision.actor == approver and decision.reason == "head confirmed"


def test_the_limit_setter_cannot_approve_even_with_the_approver_permission(waiting, account):
    setter_and_approver = credit_staff("set_credit_limit", "approve_credit_order")
    services.credit_limit_set(
        account_id=account.pk,
        credit_limit=Decimal("500.00"),
        payment_term_days=30,
        actor=setter_and_approver,
        reason="new budget",
    )
    with pytest.raises(ValidationError, match="another approver"):
        services.onaccount_order_approve(approval_id=waiting.pk, approver=setter_and_approver)
    assert OrderApproval.objects.get().status == OrderApproval.Status.PENDING


def test_a_limit_setter_without_the_approver_permission_is_denied(waiting, limit_setter):
    with pytest.raises(PermissionDenied):
        services.onaccount_order_approve(approval_id=waiting.pk, approver=limit_setter)


def test_buyer_cannot_approve_own_order(waiting, buyer):
    from django.contrib.auth.models import Permission

    buyer.user_permissions.add(Permission.objects.get(codename="approve_credit_order"))
    buyer = type(buyer).objects.get(pk=buyer.pk)
    with pytest.raises(ValidationError, match="your own order"):
        services.onaccount_order_approve(approval_id=waiting.pk, approver=buyer)


def test_refusal_cancels_the_order_charges_nothing_and_tells_the_buyer_why(
    waiting, approver, account, checkout, run_on_commit, mailoutbox
):
    with pytest.raises(ValidationError):
        services.onaccount_order_refuse(approval_id=waiting.pk, approver=approver, note="")
    mailoutbox.clear()
    with run_on_commit():
        services.onaccount_order_refuse(
            approval_id=waiting.pk, approver=approver, note="Pay the overdue invoice first."
        )

    assert [m.to for m in mailoutbox] == [["secretary@chem.campus.example"]]
    assert "Pay the overdue invoice first." in mailoutbox[0].body
    page = checkout.client.get(
        reverse("customer:order", kwargs={"order_number": waiting.order.number})
    )
    assert "Pay the overdue invoice first." in page.content.decode()

    assert Order.objects.get(pk=waiting.order_id).status == "Cancelled"
    account.refresh_from_db()
    assert account.balance == Decimal("20.00")
    assert account.decisions.filter(kind="order_refused", actor=approver).exists()
    with pytest.raises(ValidationError, match="already decided"):
        services.onaccount_order_approve(approval_id=waiting.pk, approver=approver)


def test_approval_page_lists_and_decides(waiting, approver, client):
    client.force_login(approver)
    page = client.get(reverse("credit-approval-list"))
    assert page.status_code == 200 and waiting.order.number in page.content.decode()
    response = client.post(
        reverse("credit-approval-decide", args=[waiting.pk]), {"action": "approve", "note": ""}
    )
    assert response.status_code == 302
    assert OrderApproval.objects.get().status == OrderApproval.Status.APPROVED
