from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.test.factories import UserFactory

from credit import selectors
from credit.demo import credit_demo_install
from credit.models import CreditAccount, CreditLedgerEntry, Invoice

pytestmark = pytest.mark.django_db


def test_demo_fills_every_aging_bucket_and_is_idempotent(mailoutbox):
    for n in range(4):
        UserFactory(username=f"member{n:04d}")
    first = credit_demo_install()
    second = credit_demo_install()

    assert first["credit_accounts"] == 4 and second["credit_accounts"] == 0
    rows, total = selectors.ar_aging(as_of=timezone.localdate())
    assert all(amount > 0 for amount in total.buckets.values()), total.buckets
    law = CreditAccount.objects.get(name="School of Law")
    assert law.status == CreditAccount.Status.ON_HOLD
    for account in CreditAccount.objects.all():
        ledger = sum(
            (e.amount for e in CreditLedgerEntry.objects.filter(account=account)), Decimal(0)
        )
        assert account.balance == ledger
    assert CreditAccount.objects.get(kind="staff").holder.username == "member0003"


def test_demo_addresses_are_whole_readable_words(mailoutbox):
    for n in range(4):
        UserFactory(username=f"member{n:04d}")
    credit_demo_install()

    chemistry = CreditAccount.objects.get(name="Department of Chemistry")
    assert chemistry.head_email == "head.chemistry@campus.example"
    assert chemistry.billing_email == "billing.chemistry@campus.example"
    for account in CreditAccount.objects.all():
        for address in filter(None, (account.head_email, account.billing_email)):
            account.full_clean()  # fits the fields and is a valid address
            local = address.split("@")[0]
            # No name cut off mid-word ("head.departmentofchemistr"): a short word or two.
            assert len(local) <= 20 and local.split(".")[-1] in {
                "chemistry",
                "library",
                "law",
                "hui",
            }


def test_demo_invoice_numbers_follow_their_dates(mailoutbox):
    for n in range(4):
        UserFactory(username=f"member{n:04d}")
    credit_demo_install()

    invoices = list(Invoice.objects.order_by("pk"))
    assert len(invoices) > 1
    dates = [invoice.issued_on for invoice in invoices]
    # INV-000001 is the oldest invoice: a statement never shows a later number on an earlier date.
    assert dates == sorted(dates), [(i.number, i.issued_on) for i in invoices]
