"""The credit screens show every amount in the store's currency format, and the reminder
email too."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from oscar.test.factories import UserFactory

from credit import services
from credit.demo import credit_demo_install
from credit.models import CreditAccount, Invoice
from tests.factories.credit import credit_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts(mailoutbox):
    for n in range(4):
        UserFactory(username=f"member{n:04d}")
    credit_demo_install()
    return CreditAccount.objects.get(name="Department of Chemistry")


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(response.content.decode().split())


def test_account_list_and_detail_show_limits_balances_and_invoices_in_yuan(client, demo_accounts):
    client.force_login(credit_staff())

    listing = _page(client, reverse("credit-account-list"))
    detail = _page(client, reverse("credit-account-detail", args=[demo_accounts.pk]))

    assert "<td>¥3,000.00</td>" in listing and "<td>¥860.50</td>" in listing
    for shown in ("¥3,000.00", "¥860.50", "¥2,139.50", "¥420.00", "−¥310.00"):
        assert f"<td>{shown}</td>" in detail, shown
    assert "<td>3000.00</td>" not in detail and "<td>860.50</td>" not in detail


def test_aging_approvals_and_write_offs_show_yuan(client, demo_accounts):
    manager = credit_staff("approve_write_off", "add_writeoff")
    invoice = next(i for i in Invoice.objects.filter(account=demo_accounts) if i.outstanding)
    services.write_off_request(
        invoice_id=invoice.pk, amount=Decimal("12.00"), reason="damaged", actor=manager
    )
    client.force_login(manager)

    aging = _page(client, reverse("credit-aging"))
    write_offs = _page(client, reverse("credit-writeoff-list"))
    approvals = _page(client, reverse("credit-approval-list"))

    assert "<td>¥860.50</td>" in aging
    assert "<td>¥12.00</td>" in write_offs
    assert approvals  # opens; its amounts use the same filter


@pytest.mark.parametrize("template", ["reminder.txt", "escalation.txt"])
def test_collection_emails_name_the_amount_in_yuan(demo_accounts, template):
    invoice = next(i for i in Invoice.objects.filter(account=demo_accounts) if i.outstanding)
    context = {"invoice": invoice, "account": demo_accounts, "days": 12, "shop_name": "Store"}

    with translation.override("en"):
        text = render_to_string(f"credit/email/{template}", context)

    assert f"(¥{invoice.outstanding:,.2f})" in text


def test_statement_and_balance_report_show_yuan(client, demo_accounts):
    client.force_login(credit_staff())

    statement = _page(client, reverse("credit-statement", args=[demo_accounts.pk]))
    balance = _page(client, reverse("credit-balance-report"))

    assert "¥" in statement and "<td>¥" in balance
