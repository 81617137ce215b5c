"""Demo data for department credit accounts, to be called from ``manage.py load_demo``.

``credit_demo_install()`` is idempotent: an account that already exists (by name) is left
alone. Dates are relative to **today** (``timezone.localdate()``), not to the end of the
purchase history: AR aging, the collection stages and the approval routing all look at
"days past due" now, so the aging page (which opens as of today) shows every bucket.

Four accounts: Chemistry pays on time (current and 1–30 days), the Library is slow (31–60
and 61–90 days), the School of Law has an invoice over 90 days and ends on hold after the
collection run, and Dr Chen is a staff member's account with a small current invoice.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from credit import services
from credit.models import CreditAccount
from shop.demo.constants import EMAIL_DOMAIN, MEMBER_USERNAME_PREFIX


@dataclass(frozen=True)
class DemoInvoice:
    amount: str
    days_past_due: int  # negative: not yet due
    paid: str = "0"


@dataclass(frozen=True)
class DemoAccount:
    name: str
    kind: str
    limit: str
    term_days: int
    head_name: str
    invoices: tuple[DemoInvoice, ...]
    # The account's part of its addresses: head.<mailbox>@ and billing.<mailbox>@, short words
    # a person reads and types, well inside an address's 64-character local part.
    mailbox: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "Department of Chemistry",
        CreditAccount.Kind.DEPARTMENT,
        "3000.00",
        30,
        "Prof. Zhang Wei",
        (
            DemoInvoice("420.00", -20),
            DemoInvoice("260.50", -5),
            DemoInvoice("180.00", 12),
            DemoInvoice("310.00", 40, paid="310.00"),
        ),
        mailbox="chemistry",
    ),
    DemoAccount(
        "University Library",
        CreditAccount.Kind.DEPARTMENT,
        "1500.00",
        30,
        "Dr. Liu Fang",
        (
            DemoInvoice("95.00", 45),
            DemoInvoice("150.00", 75, paid="50.00"),
            DemoInvoice("60.00", -10),
        ),
        mailbox="library",
    ),
    DemoAccount(
        "School of Law",
        CreditAccount.Kind.DEPARTMENT,
        "1000.00",
        30,
        "Prof. Wang Jun",
        (DemoInvoice("380.00", 120), DemoInvoice("90.00", 20)),
        mailbox="law",
    ),
    DemoAccount(
        "Dr Chen Hui (staff)",
        CreditAccount.Kind.STAFF,
        "300.00",
        14,
        "",
        (DemoInvoice("45.60", -3),),
        mailbox="chen.hui",
    ),
)


@transaction.atomic
def credit_demo_install() -> dict:
    """Install the demo accounts and invoices; returns counts for load_demo to print."""
    today = timezone.localdate()
    User = get_user_model()
    members = list(
        User.objects.filter(username__startswith=MEMBER_USERNAME_PREFIX).order_by("pk")[:4]
    )
    created = invoices = 0
    to_issue: list[tuple[date, CreditAccount, DemoInvoice]] = []
    for index, spec in enumerate(DEMO_ACCOUNTS):
        if CreditAccount.objects.filter(name=spec.name).exists():
            continue
        buyer = members[index] if index < len(members) else None
        holder = buyer if spec.kind == CreditAccount.Kind.STAFF else None
        if spec.kind == CreditAccount.Kind.STAFF and holder is None:
            continue  # a staff account needs a person; no members loaded yet
        account = services.credit_account_create(
            name=spec.name,
            kind=spec.kind,
            billing_email=f"billing.{spec.mailbox}@{EMAIL_DOMAIN}",
            head_name=spec.head_name,
            head_email=f"head.{spec.mailbox}@{EMAIL_DOMAIN}" if spec.head_name else "",
            credit_limit=Decimal(spec.limit),
            payment_term_days=spec.term_days,
            holder=holder,
            buyers=[buyer] if buyer else [],
        )
        created += 1
        for item in spec.invoices:
            issued_on = today - timedelta(days=spec.term_days + item.days_past_due)
            to_issue.append((issued_on, account, item))
    # An invoice's number is its row id, so they are issued oldest first across all accounts:
    # a statement then reads INV-000001 as the oldest, as a real ledger would.
    for issued_on, account, item in sorted(to_issue, key=lambda row: (row[0], row[1].pk)):
        invoice = services.credit_invoice_issue(
            account_id=account.pk, amount=Decimal(item.amount), issued_on=issued_on
        )
        invoices += 1
        if Decimal(item.paid):
            services.credit_payment_record(
                account_id=account.pk,
                amount=Decimal(item.paid),
                received_on=min(invoice.due_on + timedelta(days=3), today),
                invoice_ids=[invoice.pk],
                reference=f"DEMO-{invoice.number}",
            )
    collection = services.collection_run(today=today) if created else {}
    return {
        "credit_accounts": created,
        "credit_invoices": invoices,
        "credit_on_hold": CreditAccount.objects.filter(status=CreditAccount.Status.ON_HOLD).count(),
        "collection": collection,
    }
