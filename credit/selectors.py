"""Read-side queries of credit accounts: checkout assessment, AR aging, balance report, statements.

Dates: an invoice is *overdue* on the day after its due date; "days past due" on a day D is
``D - due_on``. Historical reports (aging as of a past day, statements) rebuild what was
outstanding from the dated rows (payments by ``received_on``, write-offs by the ledger's
``entry_date``), so a report for last month does not change when a payment arrives today.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.templatetags.currency_filters import currency

from core.money import money_round
from credit.models import (
    CreditAccount,
    CreditLedgerEntry,
    CreditNote,
    Invoice,
    OrderApproval,
    PaymentAllocation,
)
from crm.selectors import customer_restrictions

ZERO = Decimal("0.00")

#: (key, label, lowest days past due, highest days past due or None): the AR aging buckets.
AGING_BUCKETS = [
    ("current", gettext_lazy("Current"), None, 0),
    ("d1_30", gettext_lazy("1–30 days"), 1, 30),
    ("d31_60", gettext_lazy("31–60 days"), 31, 60),
    ("d61_90", gettext_lazy("61–90 days"), 61, 90),
    ("over_90", gettext_lazy("Over 90 days"), 91, None),
]


def aging_bucket(*, days_past_due: int) -> str:
    for key, _label, low, high in AGING_BUCKETS:
        if (low is None or days_past_due >= low) and (high is None or days_past_due <= high):
            return key
    raise AssertionError("the buckets cover every integer")


# --------------------------------------------------------------------------- checkout


def credit_accounts_for_buyer(*, user):
    """Accounts this user may order on (a frozen account is not offered at all)."""
    if not getattr(user, "is_authenticated", False):
        return CreditAccount.objects.none()
    return CreditAccount.objects.filter(buyers=user).exclude(status=CreditAccount.Status.FROZEN)


def credit_account_pending_total(*, account_id: int) -> Decimal:
    """Orders placed on account and still waiting for an approver: they use the limit too."""
    return money_round(
        OrderApproval.objects.filter(
            account_id=account_id, status=OrderApproval.Status.PENDING
        ).aggregate(total=Sum("amount"))["total"]
    )


def credit_account_available(*, account: CreditAccount) -> Decimal:
    return (
        account.credit_limit - account.balance - credit_account_pending_total(account_id=account.pk)
    )


def credit_account_overdue(*, account_id: int, today: date) -> Decimal:
    total = ZERO
    for invoice in Invoice.objects.filter(
        account_id=account_id, status=Invoice.Status.OPEN, due_on__lt=today
    ):
        total += invoice.outstanding
    return money_round(total)


@dataclass
class OnAccountAssessment:
    """``refusal``: the order cannot be placed at all. ``referrals``: why an approver must look."""

    refusal: str | None = None
    referrals: list[str] = field(default_factory=list)

    @property
    def approve_now(self) -> bool:
        return self.refusal is None and not self.referrals


def onaccount_assess(
    *, account: CreditAccount, buyer, amount: Decimal, today: date
) -> OnAccountAssessment:
    """Decide what happens to an order of ``amount`` on ``account`` by ``buyer``.

    Refused outright (nothing is ordered): the buyer is not authorised, the account is
    frozen, or the order does not fit in the remaining limit. The limit is a hard ceiling:
    only a limit setter can raise it, so an approver cannot wave an order through it.
    Referred to an approver: something is overdue, the account is on hold, or its grade
    is D. Otherwise approved at once.
    """
    if not account.buyers.filter(pk=buyer.pk).exists():
        return OnAccountAssessment(
            refusal=_("You are not an authorised buyer on the account “%(account)s”.")
            % {"account": account.name}
        )
    if account.status == CreditAccount.Status.FROZEN:
        return OnAccountAssessment(
            refusal=_("The account “%(account)s” is frozen: it cannot take new orders.")
            % {"account": account.name}
        )
    # A member on the CRM blacklist may not pay on account.
    restrictions = customer_restrictions(user=buyer)
    if not restrictions.may_pay_on_account:
        return OnAccountAssessment(
            refusal=_("Paying on account is not available to you: %(reason)s")
            % {"reason": restrictions.reason}
        )
    available = credit_account_available(account=account)
    if amount > available:
        return OnAccountAssessment(
            refusal=_(
                "This order (%(amount)s) is over the remaining credit limit of “%(account)s” "
                "(%(available)s available of %(limit)s). Nothing was ordered: pay part of the "
                "balance, ask the store to raise the limit, or pay another way."
            )
            % {
                "amount": currency(amount),
                "account": account.name,
                "available": currency(max(available, ZERO)),
                "limit": currency(account.credit_limit),
            }
        )
    assessment = OnAccountAssessment()
    overdue = credit_account_overdue(account_id=account.pk, today=today)
    if overdue > 0:
        assessment.referrals.append(
            _("%(amount)s on the account is overdue.") % {"amount": currency(overdue)}
        )
    if account.status == CreditAccount.Status.ON_HOLD:
        assessment.referrals.append(
            _("The account is on hold: %(reason)s") % {"reason": account.status_reason or "—"}
        )
    if account.grade == CreditAccount.Grade.D:
        assessment.referrals.append(_("The account's credit grade is D."))
    return assessment


# --------------------------------------------------------------------------- refunds


def credit_note_refusal(*, invoice: Invoice, amount: Decimal) -> str | None:
    """Why a credit note of ``amount`` on ``invoice`` is not allowed, or None.

    Never more than the invoice still owes: that is at most what was invoiced for the order
    (less earlier credit notes), and the part already paid or written off cannot be credited
    again, because an account never holds a credit balance (the store keeps no department's
    money): money already paid goes back to the department outside the store.
    """
    if amount > invoice.outstanding:
        return _(
            "At most %(left)s of this order can be refunded on account: invoice %(invoice)s "
            "was for %(amount)s, of which %(paid)s is paid, %(written_off)s written off and "
            "%(credited)s already credited."
        ) % {
            "left": currency(max(invoice.outstanding, ZERO)),
            "invoice": invoice.number,
            "amount": currency(invoice.amount),
            "paid": currency(invoice.amount_paid),
            "written_off": currency(invoice.amount_written_off),
            "credited": currency(invoice.amount_credited),
        }
    return None


def onaccount_refund_refusal(*, order, amount: Decimal) -> str | None:
    """The refund check for an order bought on account, before anything is written."""
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        if amount <= 0:
            return None
        return _("Order %(number)s was not invoiced to an account: there is nothing to credit.") % {
            "number": order.number
        }
    return credit_note_refusal(invoice=invoice, amount=amount)


# --------------------------------------------------------------------------- AR aging


def _outstanding_as_of(*, invoices: list[Invoice], as_of: date) -> dict[int, Decimal]:
    ids = [i.pk for i in invoices]
    paid = defaultdict(lambda: ZERO)
    for row in (
        PaymentAllocation.objects.filter(invoice_id__in=ids, payment__received_on__lte=as_of)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
    ):
        paid[row["invoice_id"]] = row["total"]
    written_off = defaultdict(lambda: ZERO)
    for row in (
        CreditLedgerEntry.objects.filter(write_off__invoice_id__in=ids, entry_date__lte=as_of)
        .values("write_off__invoice_id")
        .annotate(total=Sum("amount"))
    ):
        # Write-offs are negative, their reversals positive: the sum is what stays written off.
        written_off[row["write_off__invoice_id"]] = -row["total"]
    credited = defaultdict(lambda: ZERO)
    for row in (
        CreditNote.objects.filter(invoice_id__in=ids, issued_on__lte=as_of)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
    ):
        credited[row["invoice_id"]] = row["total"]
    return {
        i.pk: money_round(i.amount - paid[i.pk] - written_off[i.pk] - credited[i.pk])
        for i in invoices
    }


def invoices_outstanding_as_of(
    *, as_of: date, account_id: int | None = None
) -> list[tuple[Invoice, Decimal]]:
    invoices = Invoice.objects.filter(issued_on__lte=as_of).select_related("account", "order")
    if account_id is not None:
        invoices = invoices.filter(account_id=account_id)
    # An invoice settled before as_of owes nothing then; skip it cheaply.
    invoices = list(invoices.filter(Q(settled_on__isnull=True) | Q(settled_on__gt=as_of)))
    outstanding = _outstanding_as_of(invoices=invoices, as_of=as_of)
    return [(i, outstanding[i.pk]) for i in invoices if outstanding[i.pk] > 0]


@dataclass
class AgingRow:
    account: CreditAccount | None
    buckets: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


def ar_aging(*, as_of: date) -> tuple[list[AgingRow], AgingRow]:
    """What each account owed on ``as_of``, by days past due; and the total row."""
    keys = [key for key, *_rest in AGING_BUCKETS]
    rows: dict[int, AgingRow] = {}
    total = AgingRow(account=None, buckets=dict.fromkeys(keys, ZERO))
    for invoice, outstanding in invoices_outstanding_as_of(as_of=as_of):
        bucket = aging_bucket(days_past_due=(as_of - invoice.due_on).days)
        row = rows.setdefault(
            invoice.account_id, AgingRow(account=invoice.account, buckets=dict.fromkeys(keys, ZERO))
        )
        row.buckets[bucket] += outstanding
        total.buckets[bucket] += outstanding
    return sorted(rows.values(), key=lambda r: r.account.name), total


# --------------------------------------------------------------------------- AR balance report


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day + relativedelta(day=31)


@dataclass
class BalanceMonth:
    month: date
    opening: Decimal
    charged: Decimal
    paid: Decimal
    written_off: Decimal
    closing: Decimal
    previous_closing: Decimal | None = None
    # Credit notes: refunds of orders bought on account, which reduce what is owed.
    credited: Decimal = ZERO

    @property
    def change(self) -> Decimal | None:
        """Closing against the month before (month-over-month movement of receivables)."""
        return None if self.previous_closing is None else self.closing - self.previous_closing


def ar_balance_report(
    *, first_month: date, last_month: date, account_id: int | None = None
) -> list[BalanceMonth]:
    """Opening, charged, paid, credited, written off (net of reversals) and closing, by month.

    Built from the ledger by ``entry_date``; closing = opening + charged − paid − credited −
    written off, and each month's opening is the previous month's closing.
    """
    entries = CreditLedgerEntry.objects.all()
    if account_id is not None:
        entries = entries.filter(account_id=account_id)
    first, last = month_start(first_month), month_start(last_month)
    if last < first:
        first, last = last, first
    opening = money_round(entries.filter(entry_date__lt=first).aggregate(t=Sum("amount"))["t"])
    sums: dict[tuple[date, str], Decimal] = defaultdict(lambda: ZERO)
    for row in (
        entries.filter(entry_date__gte=first, entry_date__lte=month_end(last))
        .values("entry_date", "kind", "amount")
        .iterator()
    ):
        sums[(month_start(row["entry_date"]), row["kind"])] += row["amount"]
    months = []
    current, previous_closing = first, None
    Kind = CreditLedgerEntry.Kind
    while current <= last:
        charged = money_round(sums[(current, Kind.CHARGE)])
        paid = money_round(-sums[(current, Kind.PAYMENT)])
        written_off = money_round(
            -sums[(current, Kind.WRITE_OFF)] - sums[(current, Kind.WRITE_OFF_REVERSAL)]
        )
        credited = money_round(-sums[(current, Kind.CREDIT_NOTE)])
        closing = opening + charged - paid - credited - written_off
        months.append(
            BalanceMonth(
                month=current,
                opening=opening,
                charged=charged,
                paid=paid,
                written_off=written_off,
                closing=closing,
                previous_closing=previous_closing,
                credited=credited,
            )
        )
        previous_closing = opening = closing
        current += relativedelta(months=1)
    return months


# --------------------------------------------------------------------------- statements


@dataclass
class StatementLine:
    entry: CreditLedgerEntry
    balance: Decimal


@dataclass
class MonthlyStatement:
    account: CreditAccount
    month: date
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal
    open_invoices: list[tuple[Invoice, Decimal, str]]


def credit_ledger_lines(*, account_id: int, limit: int = 100) -> list[StatementLine]:
    """The account's latest ledger rows, newest first, each with the balance after it.

    Rows are often recorded out of date order (a payment received last week is entered today),
    so the stored ``balance_after`` follows the order of entry. The account page reads as a
    statement does: the balance runs in date order and the newest row ends at what is owed.
    """
    balance, lines = ZERO, []
    for entry in CreditLedgerEntry.objects.filter(account_id=account_id).order_by(
        "entry_date", "pk"
    ):
        balance += entry.amount
        lines.append(StatementLine(entry=entry, balance=balance))
    return lines[::-1][:limit]


def credit_statement(*, account_id: int, month: date) -> MonthlyStatement:
    """The account's statement for ``month``: ledger rows, running balance, what is still open."""
    account = CreditAccount.objects.get(pk=account_id)
    first, last = month_start(month), month_end(month)
    entries = CreditLedgerEntry.objects.filter(account=account)
    opening = money_round(entries.filter(entry_date__lt=first).aggregate(t=Sum("amount"))["t"])
    balance, lines = opening, []
    for entry in entries.filter(entry_date__gte=first, entry_date__lte=last).select_related(
        "invoice__order", "payment", "write_off__invoice", "credit_note__invoice__order"
    ):
        balance += entry.amount
        lines.append(StatementLine(entry=entry, balance=balance))
    buckets = dict((key, label) for key, label, *_rest in AGING_BUCKETS)
    open_invoices = [
        (invoice, outstanding, buckets[aging_bucket(days_past_due=(last - invoice.due_on).days)])
        for invoice, outstanding in invoices_outstanding_as_of(as_of=last, account_id=account.pk)
    ]
    open_invoices.sort(key=lambda item: item[0].due_on)
    return MonthlyStatement(
        account=account,
        month=first,
        opening=opening,
        lines=lines,
        closing=balance,
        open_invoices=open_invoices,
    )


# --------------------------------------------------------------------------- grade


@dataclass
class PaymentHistory:
    invoices: int
    on_time: int
    average_days_late: Decimal

    @property
    def on_time_ratio(self) -> Decimal | None:
        if not self.invoices:
            return None
        return (Decimal(self.on_time) / Decimal(self.invoices)).quantize(Decimal("0.01"))


def credit_payment_history(*, account_id: int, today: date | None = None) -> PaymentHistory:
    """On-time ratio and average days late over settled invoices and those already overdue.

    An invoice still open past its due date counts as late by the days so far: a payer
    who stops paying must not keep an A because nothing was settled late *yet*.
    """
    today = today or timezone.localdate()
    invoices = Invoice.objects.filter(account_id=account_id).filter(
        Q(status=Invoice.Status.PAID)
        | Q(status=Invoice.Status.OPEN, due_on__lt=today)
        | Q(status=Invoice.Status.WRITTEN_OFF)
    )
    count = on_time = late_days = 0
    for invoice in invoices:
        if invoice.status == Invoice.Status.PAID and invoice.settled_on:
            late = max((invoice.settled_on - invoice.due_on).days, 0)
        else:
            late = max((today - invoice.due_on).days, 0)
        count += 1
        on_time += late == 0
        late_days += late
    average = (Decimal(late_days) / count).quantize(Decimal("0.1")) if count else Decimal("0")
    return PaymentHistory(invoices=count, on_time=on_time, average_days_late=average)


def credit_grade_from_history(*, history: PaymentHistory, current: str) -> str:
    """A: ≥ 90 % on time and ≤ 3 days late on average; B: ≥ 75 % and ≤ 10; C: ≥ 50 % and
    ≤ 30; D otherwise. With fewer than three invoices the history says too little: keep
    the grade the limit setter gave."""
    ratio = history.on_time_ratio
    if ratio is None or history.invoices < 3:
        return current
    late = history.average_days_late
    if ratio >= Decimal("0.90") and late <= 3:
        return CreditAccount.Grade.A
    if ratio >= Decimal("0.75") and late <= 10:
        return CreditAccount.Grade.B
    if ratio >= Decimal("0.50") and late <= 30:
        return CreditAccount.Grade.C
    return CreditAccount.Grade.D


def credit_approvers_emails(*, permission: str = "approve_credit_order") -> list[str]:
    perm = Permission.objects.filter(content_type__app_label="credit", codename=permission).first()
    query = Q(is_superuser=True)
    if perm is not None:
        query |= Q(user_permissions=perm) | Q(groups__permissions=perm)
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted(set(users.filter(query).values_list("email", flat=True)))


def last_month(today: date) -> date:
    return month_start(month_start(today) - timedelta(days=1))
