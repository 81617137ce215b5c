"""Pay on account at checkout: approved at once, referred to an approver, or refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from credit import services
from credit.models import CreditAccount, CreditLedgerEntry, Invoice, OrderApproval
from operations.selectors import takings_daily
from shop.apps.order.constants import SOURCE_TYPE_ON_ACCOUNT
from tests.unit.credit.conftest import ledger_sum

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
Transaction = get_model("payment", "Transaction")

pytestmark = pytest.mark.django_db


def _place_on_account(checkout, account):
    preview = checkout.client.post(reverse("checkout:preview"), {"credit_account": account.pk})
    assert preview.status_code == 200, preview
    return preview, checkout.place_order(preview)


def _limit_cut_to_five(account, limit_setter):
    services.credit_limit_set(
        account_id=account.pk,
        credit_limit=Decimal("5.00"),
        payment_term_days=30,
        actor=limit_setter,
        reason="budget cut",
    )


def test_order_within_limit_is_approved_invoiced_and_paid(at_payment, account):
    preview, response = _place_on_account(at_payment, account)

    assert "On account of Department of Chemistry" in preview.content.decode()
    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.status == "Paid"
    source = order.sources.get()
    assert source.source_type.name == SOURCE_TYPE_ON_ACCOUNT
    assert source.amount_debited == order.total_incl_tax
    invoice = Invoice.objects.get()
    assert invoice.order == order and invoice.amount == order.total_incl_tax
    assert invoice.due_on == invoice.issued_on + timedelta(days=30)
    account.refresh_from_db()
    assert account.balance == order.total_incl_tax == ledger_sum(account)
    assert account.decisions.filter(kind="order_auto_approved", order=order).exists()
    assert Basket.objects.get().status == Basket.SUBMITTED
    takings = takings_daily(start=invoice.issued_on, end=invoice.issued_on)
    assert [(r["method"], r["amount"]) for r in takings] == [
        ("Department account", order.total_incl_tax)
    ]


def test_order_over_the_remaining_limit_is_refused_with_a_clear_message(
    at_payment, account, limit_setter
):
    _limit_cut_to_five(account, limit_setter)
    response = at_payment.client.post(reverse("checkout:preview"), {"credit_account": account.pk})

    assert response.status_code == 200
    content = response.content.decode()
    assert "over the remaining credit limit" in content and "Nothing was ordered" in content
    assert not Order.objects.exists() and not Invoice.objects.exists()


def test_limit_lowered_between_preview_and_place_order_creates_nothing(
    at_payment, account, limit_setter
):
    preview = at_payment.client.post(reverse("checkout:preview"), {"credit_account": account.pk})
    _limit_cut_to_five(account, limit_setter)
    response = at_payment.place_order(preview)

    assert response.status_code == 200
    assert "over the remaining credit limit" in response.content.decode()
    assert not Order.objects.exists()
    assert not Invoice.objects.exists() and not CreditLedgerEntry.objects.exists()
    assert not Transaction.objects.exists()
    assert Basket.objects.get().status == Basket.OPEN
    account.refresh_from_db()
    assert account.balance == 0


def test_someone_not_authorised_cannot_pay_on_the_account(client, product, account):
    from oscar.test.factories import UserFactory

    from tests.factories.payments import CheckoutDriver

    stranger = UserFactory()
    client.force_login(stranger)
    checkout = CheckoutDriver(client)
    checkout.add_to_basket(product)
    checkout.enter_shipping_address()
    response = client.post(reverse("checkout:preview"), {"credit_account": account.pk})

    assert "not an authorised buyer" in response.content.decode()
    assert not Order.objects.exists()


def test_order_with_something_overdue_waits_for_an_approver_and_the_buyer_sees_why(
    at_payment, account
):
    old = timezone.localdate() - timedelta(days=45)
    services.credit_invoice_issue(account_id=account.pk, amount=Decimal("20.00"), issued_on=old)
    preview, response = _place_on_account(at_payment, account)

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.status == "Pending"
    approval = OrderApproval.objects.get(order=order)
    assert approval.status == OrderApproval.Status.PENDING
    assert "20.00 on the account is overdue" in approval.referral_reason
    assert order.sources.get().amount_debited == 0
    thank_you = at_payment.client.get(response.url)
    assert "waits for a credit approver" in thank_you.content.decode()
    assert "overdue" in thank_you.content.decode()
    account.refresh_from_db()
    assert account.balance == Decimal("20.00")  # nothing charged for the waiting order


def test_frozen_account_is_not_offered(at_payment, account, limit_setter):
    response = at_payment.client.get(reverse("checkout:payment-details"))
    assert "Charge to Department of Chemistry" in response.content.decode()
    services.credit_account_freeze_leaver(
        account_id=account.pk, actor=limit_setter, reason="closed"
    )
    account.refresh_from_db()
    assert account.status == CreditAccount.Status.FROZEN
    response = at_payment.client.get(reverse("checkout:payment-details"))
    assert "Charge to Department of Chemistry" not in response.content.decode()
