"""Write-side services of credit accounts (HackSoft style: services write, selectors read).

Every change to what an account owes goes through ``_ledger_post``: it is called with the
account row already locked (``select_for_update``) and writes the ledger row and the new
``balance`` in the same transaction as the cause (invoice, payment, write-off). The
account row is always locked first, so concurrent orders on one account queue there and
the remaining-limit check cannot be passed twice with the same money.
"""

import logging
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from credit import selectors
from credit.models import (
    CreditAccount,
    CreditDecision,
    CreditLedgerEntry,
    CreditNote,
    CreditPayment,
    Invoice,
    OrderApproval,
    PaymentAllocation,
    StatementDelivery,
    WriteOff,
)
from shop.apps.order.constants import ORDER_STATUS_CANCELLED, SOURCE_TYPE_ON_ACCOUNT
from shop.apps.order.services import order_mark_paid, order_refund_account_amount

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
OrderRefund = get_model("order", "OrderRefund")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

#: SOURCE_TYPE_ON_ACCOUNT (from the order constants) is the Oscar payment source type of orders paid on
#: account; finance takings show it, and the order refund services send its part here.
ZERO = Decimal("0.00")

#: Days past due at which each collection stage starts (settings may override).
DEFAULT_COLLECTION_STAGES = {"reminder": 1, "escalation": 15, "hold": 30}


class CreditRefused(ValidationError):
    """The on-account order cannot be placed; the message says why. Nothing was created."""


def _lock(account_id: int) -> CreditAccount:
    return CreditAccount.objects.select_for_update().get(pk=account_id)


def _user_or_none(user):
    """The user to record as the one who acted; None for the system and anonymous users."""
    return user if getattr(user, "is_authenticated", False) else None


def _reason_required(reason: str | None, message: str) -> str:
    """The stripped reason; ``message`` is the error when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message)
    return reason


def _log(*, account, kind, actor=None, reason="", order=None, invoice=None, amount=None):
    return CreditDecision.objects.create(
        account=account,
        kind=kind,
        actor=_user_or_none(actor),
        reason=reason,
        order=order,
        invoice=invoice,
        amount=amount,
    )


def _require(user, codename: str, message: str) -> None:
    if not (user is not None and user.has_perm(f"credit.{codename}")):
        raise PermissionDenied(message)


def _positive_required(amount: Decimal | None, message: str) -> None:
    if amount is None or amount <= 0:
        raise ValidationError(message)


def _account_status_set(
    account: CreditAccount, *, status: str, reason: str = "", by_collection: bool = False
) -> None:
    account.status = status
    account.status_reason = reason[:255]
    account.held_by_collection = by_collection
    account.save(update_fields=["status", "status_reason", "held_by_collection"])


def _ledger_post(
    *, account: CreditAccount, kind: str, amount: Decimal, entry_date: date, actor=None, **cause
) -> CreditLedgerEntry:
    """Move the (locked) account's balance by ``amount`` and record the row with its cause."""
    new_balance = account.balance + amount
    if new_balance < 0:
        raise ValidationError(_("The account cannot owe less than nothing."))
    account.balance = new_balance
    account.save(update_fields=["balance"])
    return CreditLedgerEntry.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        entry_date=entry_date,
        created_by=_user_or_none(actor),
        **cause,
    )


# --------------------------------------------------------------------------- credit file


@transaction.atomic
def credit_account_create(
    *,
    name: str,
    kind: str,
    billing_email: str,
    credit_limit: Decimal,
    payment_term_days: int = 30,
    actor=None,
    holder=None,
    head_name: str = "",
    head_email: str = "",
    buyers: list | None = None,
    grade: str = CreditAccount.Grade.B,
) -> CreditAccount:
    if credit_limit < 0:
        raise ValidationError(_("A credit limit cannot be negative."))
    if kind == CreditAccount.Kind.STAFF and holder is None:
        raise ValidationError(_("A staff member's account needs the staff member."))
    account = CreditAccount.objects.create(
        name=name.strip(),
        kind=kind,
        billing_email=billing_email,
        credit_limit=credit_limit,
        payment_term_days=payment_term_days,
        holder=holder,
        head_name=head_name,
        head_email=head_email,
        grade=grade,
        limit_set_by=_user_or_none(actor),
    )
    account.buyers.set(buyers or ([holder] if holder else []))
    _log(
        account=account,
        kind=CreditDecision.Kind.LIMIT_SET,
        actor=actor,
        amount=credit_limit,
        reason=ngettext(
            "Account opened: limit %(limit)s, %(days)s day's terms, grade %(grade)s",
            "Account opened: limit %(limit)s, %(days)s days' terms, grade %(grade)s",
            payment_term_days,
        )
        % {"limit": currency(credit_limit), "days": payment_term_days, "grade": grade},
    )
    return account


@transaction.atomic
def credit_limit_set(
    *,
    account_id: int,
    credit_limit: Decimal,
    payment_term_days: int,
    actor,
    reason: str,
    grade: str | None = None,
) -> CreditAccount:
    """Change limit, terms (and grade). Only a limit setter may; the reason is mandatory."""
    _require(actor, "set_credit_limit", _("You may not set credit limits."))
    reason = _reason_required(reason, _("Say why the limit or terms change."))
    if credit_limit < 0:
        raise ValidationError(_("A credit limit cannot be negative."))
    account = _lock(account_id)
    old = (account.credit_limit, account.payment_term_days, account.grade)
    account.credit_limit = credit_limit
    account.payment_term_days = payment_term_days
    account.grade = grade or account.grade
    account.limit_set_by = actor
    account.grade_review_pending = False
    account.save(
        update_fields=[
            "credit_limit",
            "payment_term_days",
            "grade",
            "limit_set_by",
            "grade_review_pending",
        ]
    )
    _log(
        account=account,
        kind=CreditDecision.Kind.LIMIT_SET,
        actor=actor,
        amount=credit_limit,
        reason=ngettext(
            "Limit %(old_limit)s → %(limit)s, terms %(old_days)s → %(days)s day, grade %(old_grade)s → %(grade)s: %(reason)s",
            "Limit %(old_limit)s → %(limit)s, terms %(old_days)s → %(days)s days, grade %(old_grade)s → %(grade)s: %(reason)s",
            payment_term_days,
        )
        % {
            "old_limit": currency(old[0]),
            "limit": currency(credit_limit),
            "old_days": old[1],
            "days": payment_term_days,
            "old_grade": old[2],
            "grade": account.grade,
            "reason": reason,
        },
    )
    return account


@transaction.atomic
def credit_account_hold(
    *, account_id: int, reason: str, actor=None, by_collection: bool = False
) -> CreditAccount:
    reason = _reason_required(reason, _("Say why the account is put on hold."))
    account = _lock(account_id)
    if account.status == CreditAccount.Status.FROZEN:
        raise ValidationError(_("A frozen account cannot be put on hold."))
    if account.status == CreditAccount.Status.ON_HOLD:
        return account
    _account_status_set(
        account, status=CreditAccount.Status.ON_HOLD, reason=reason, by_collection=by_collection
    )
    _log(account=account, kind=CreditDecision.Kind.HOLD, actor=actor, reason=reason)
    return account


@transaction.atomic
def credit_account_release(*, account_id: int, reason: str, actor=None) -> CreditAccount:
    account = _lock(account_id)
    if account.status != CreditAccount.Status.ON_HOLD:
        raise ValidationError(_("Only an account on hold can be released."))
    _account_status_set(account, status=CreditAccount.Status.ACTIVE)
    _log(account=account, kind=CreditDecision.Kind.RELEASE, actor=actor, reason=reason)
    return account


@transaction.atomic
def credit_account_freeze_leaver(
    *,
    account_id: int,
    actor,
    reason: str,
    settled_on: date | None = None,
    method: str = CreditPayment.Method.PAYROLL,
    reference: str = "",
) -> CreditAccount:
    """A staff member left: freeze the account, remove its buyers and settle the balance.

    The balance is settled by one payment (by default a final payroll deduction) matched
    to every open invoice, so the account ends at zero with nothing open.
    """
    reason = _reason_required(reason, _("Say why the account is frozen."))
    account = _lock(account_id)
    if OrderApproval.objects.filter(account=account, status=OrderApproval.Status.PENDING).exists():
        raise ValidationError(
            _("Decide the orders waiting for approval before freezing the account.")
        )
    _account_status_set(account, status=CreditAccount.Status.FROZEN, reason=reason)
    account.buyers.clear()
    _log(
        account=account,
        kind=CreditDecision.Kind.FREEZE,
        actor=actor,
        reason=reason,
        amount=account.balance,
    )
    if account.balance > 0:
        credit_payment_record(
            account_id=account.pk,
            amount=account.balance,
            received_on=settled_on or timezone.localdate(),
            method=method,
            reference=reference or _("Final settlement"),
            actor=actor,
        )
    return account


@transaction.atomic
def credit_buyer_add(*, account_id: int, user, actor=None) -> None:
    account = _lock(account_id)
    if account.status == CreditAccount.Status.FROZEN:
        raise ValidationError(_("A frozen account cannot get new buyers."))
    account.buyers.add(user)
    _log(account=account, kind=CreditDecision.Kind.BUYER_ADDED, actor=actor, reason=user.email)


@transaction.atomic
def credit_buyer_remove(*, account_id: int, user, actor=None) -> None:
    account = _lock(account_id)
    account.buyers.remove(user)
    _log(account=account, kind=CreditDecision.Kind.BUYER_REMOVED, actor=actor, reason=user.email)


# --------------------------------------------------------------------------- pay on account


def onaccount_precheck(*, account_id: int, buyer, amount: Decimal, today: date | None = None):
    """The checkout's early answer (no lock): raises CreditRefused with the reason."""
    account = CreditAccount.objects.filter(pk=account_id).first()
    if account is None:
        raise CreditRefused(_("This credit account does not exist."))
    assessment = selectors.onaccount_assess(
        account=account, buyer=buyer, amount=amount, today=today or timezone.localdate()
    )
    if assessment.refusal:
        raise CreditRefused(assessment.refusal)
    return assessment


def onaccount_source_build(*, account_id: int, amount: Decimal, currency: str) -> Source:
    """The Oscar payment source an on-account order carries: allocated now, debited when
    the credit is approved (so takings count it only then)."""
    source_type, _created = SourceType.objects.get_or_create(name=SOURCE_TYPE_ON_ACCOUNT)
    return Source(
        source_type=source_type,
        currency=currency,
        amount_allocated=amount,
        reference=f"credit:{account_id}",
    )


@transaction.atomic
def onaccount_order_place(
    *,
    account_id: int,
    buyer,
    amount: Decimal,
    place_order: Callable[[], "Order"],
    today: date | None = None,
) -> tuple["Order", OrderApproval | None]:
    """Place an order on account: refuse it, approve it at once, or refer it to an approver.

    ``place_order`` writes the Oscar order (the checkout's ``place_order``); it runs with
    the account row locked and inside this transaction, so a refusal found here, or any
    error, leaves no order behind. Returns (order, approval); approval is None when the
    order was approved at once (invoice issued, order paid).
    """
    today = today or timezone.localdate()
    account = _lock(account_id)
    assessment = selectors.onaccount_assess(
        account=account, buyer=buyer, amount=amount, today=today
    )
    if assessment.refusal:
        raise CreditRefused(assessment.refusal)
    order = place_order()
    if order.total_incl_tax != amount:
        raise CreditRefused(
            _("Your basket changed while ordering. Nothing was ordered; please review it.")
        )
    if assessment.approve_now:
        _log(
            account=account,
            kind=CreditDecision.Kind.ORDER_AUTO_APPROVED,
            order=order,
            amount=amount,
            reason=_("Within the remaining limit and nothing overdue."),
        )
        _onaccount_charge(account=account, order=order, actor=None, today=today)
        return order, None
    reason = " ".join(str(r) for r in assessment.referrals)
    approval = OrderApproval.objects.create(
        account=account, order=order, amount=amount, referral_reason=reason
    )
    _log(
        account=account,
        kind=CreditDecision.Kind.ORDER_REFERRED,
        order=order,
        amount=amount,
        reason=reason,
    )
    recipients = selectors.credit_approvers_emails()
    if recipients:
        subject = _("On-account order %(number)s waits for your approval") % {
            "number": order.number
        }
        body = _("%(account)s, %(amount)s: %(reason)s") % {
            "account": account.name,
            "amount": currency(amount),
            "reason": reason,
        }
        transaction.on_commit(
            lambda: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True
            )
        )
    return order, approval


@transaction.atomic
def credit_invoice_issue(
    *, account_id: int, amount: Decimal, issued_on: date, order=None, actor=None
) -> Invoice:
    """Invoice ``amount`` to the account, due after its payment term, and charge the ledger.

    Locks the account first (callers holding the lock already re-enter it harmlessly).
    """
    _positive_required(amount, _("An invoice must be for a positive amount."))
    account = _lock(account_id)
    invoice = Invoice.objects.create(
        account=account,
        order=order,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=account.payment_term_days),
        amount=amount,
    )
    _ledger_post(
        account=account,
        kind=CreditLedgerEntry.Kind.CHARGE,
        amount=amount,
        entry_date=issued_on,
        actor=actor,
        invoice=invoice,
    )
    return invoice


def _onaccount_charge(*, account: CreditAccount, order, actor, today: date) -> Invoice:
    """Issue the order's invoice, charge the ledger, debit the source, mark the order paid.

    Approved on-account orders count as *paid* for fulfilment: the store has accepted the
    department's promise to pay, and the money is tracked by the invoice, not the order.
    """
    invoice = credit_invoice_issue(
        account_id=account.pk,
        amount=order.total_incl_tax,
        issued_on=today,
        order=order,
        actor=actor,
    )
    account.refresh_from_db(fields=["balance"])
    for source in order.sources.filter(source_type__name=SOURCE_TYPE_ON_ACCOUNT):
        source.debit(source.amount_allocated - source.amount_debited, reference=invoice.number)
    order_mark_paid(order_id=order.pk)
    return invoice


def _buyer_notify(*, approval: OrderApproval) -> None:
    """Tell the buyer the approver's decision and note (after commit)."""
    order = approval.order
    email = order.user.email if order.user_id else order.guest_email
    if not email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your on-account order %(number)s: %(status)s") % {
            "number": order.number,
            "status": approval.get_status_display(),
        }
        body = render_to_string(
            "credit/email/order_decision.txt",
            {"approval": approval, "order": order, "shop_name": settings.OSCAR_SHOP_NAME},
        )
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
    )


def _decidable_approval(*, approval_id: int, approver) -> OrderApproval:
    _require(approver, "approve_credit_order", _("You may not approve orders on account."))
    approval = OrderApproval.objects.select_related("order").get(pk=approval_id)
    account = _lock(approval.account_id)
    approval = OrderApproval.objects.select_for_update().select_related("order").get(pk=approval_id)
    approval.account = account
    if approval.status != OrderApproval.Status.PENDING:
        raise ValidationError(_("This order was already decided."))
    if approval.order.user_id == approver.pk:
        raise ValidationError(_("You cannot approve your own order."))
    if account.limit_set_by_id == approver.pk:
        # Segregation of duties: who set the limit does not also approve against it.
        raise ValidationError(
            _("You set this account's credit limit: another approver must decide.")
        )
    return approval


def _approval_decide(approval: OrderApproval, *, status: str, approver, note: str) -> None:
    approval.status = status
    approval.decided_by = approver
    approval.decided_at = timezone.now()
    approval.decision_note = note
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def onaccount_order_approve(
    *, approval_id: int, approver, note: str = "", today: date | None = None
) -> Invoice:
    approval = _decidable_approval(approval_id=approval_id, approver=approver)
    account = approval.account
    if account.status == CreditAccount.Status.FROZEN:
        raise ValidationError(_("The account is frozen: the order can only be refused."))
    # The order's own amount is already counted as pending: over the limit now means the
    # limit was lowered since, and only a limit setter may change that.
    if (
        account.balance + selectors.credit_account_pending_total(account_id=account.pk)
        > account.credit_limit
    ):
        raise ValidationError(_("Approving would take the account over its credit limit."))
    _approval_decide(approval, status=OrderApproval.Status.APPROVED, approver=approver, note=note)
    _log(
        account=account,
        kind=CreditDecision.Kind.ORDER_APPROVED,
        actor=approver,
        order=approval.order,
        amount=approval.amount,
        reason=note or approval.referral_reason,
    )
    invoice = _onaccount_charge(
        account=account, order=approval.order, actor=approver, today=today or timezone.localdate()
    )
    _buyer_notify(approval=approval)
    return invoice


@transaction.atomic
def onaccount_order_refuse(*, approval_id: int, approver, note: str) -> OrderApproval:
    note = _reason_required(note, _("Tell the buyer why the order is refused."))
    approval = _decidable_approval(approval_id=approval_id, approver=approver)
    _approval_decide(approval, status=OrderApproval.Status.REFUSED, approver=approver, note=note)
    order = Order.objects.select_for_update().get(pk=approval.order_id)
    # Cancelling gives the stock allocation back (operations' receiver on the status change).
    order.set_status(ORDER_STATUS_CANCELLED)
    _log(
        account=approval.account,
        kind=CreditDecision.Kind.ORDER_REFUSED,
        actor=approver,
        order=order,
        amount=approval.amount,
        reason=note,
    )
    _buyer_notify(approval=approval)
    return approval


# --------------------------------------------------------------------------- payments


@transaction.atomic
def credit_payment_record(
    *,
    account_id: int,
    amount: Decimal,
    received_on: date,
    method: str = CreditPayment.Method.TRANSFER,
    reference: str = "",
    actor=None,
    invoice_ids: list[int] | None = None,
) -> CreditPayment:
    """Record money received and match it to invoices: the named ones, else oldest due first.

    A payment larger than what the chosen invoices still owe is refused (the store does
    not hold departments' money), so every payment is fully matched.
    """
    _positive_required(amount, _("A payment must be a positive amount."))
    account = _lock(account_id)
    invoices = Invoice.objects.select_for_update().filter(
        account=account, status=Invoice.Status.OPEN
    )
    if invoice_ids:
        invoices = invoices.filter(pk__in=invoice_ids)
    invoices = list(invoices.order_by("due_on", "pk"))
    owed = sum((i.outstanding for i in invoices), ZERO)
    if amount > owed:
        raise ValidationError(
            _("%(amount)s is more than the %(owed)s these invoices still owe.")
            % {"amount": currency(amount), "owed": currency(owed)}
        )
    payment = CreditPayment.objects.create(
        account=account,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference[:128],
        created_by=_user_or_none(actor),
    )
    left = amount
    for invoice in invoices:
        if left <= 0:
            break
        part = min(left, invoice.outstanding)
        PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=part)
        invoice.amount_paid += part
        if invoice.outstanding == 0:
            invoice.status = Invoice.Status.PAID
            invoice.settled_on = received_on
        invoice.save(update_fields=["amount_paid", "status", "settled_on"])
        left -= part
    _ledger_post(
        account=account,
        kind=CreditLedgerEntry.Kind.PAYMENT,
        amount=-amount,
        entry_date=received_on,
        actor=actor,
        payment=payment,
    )
    _collection_hold_lift_if_cleared(account=account, today=max(received_on, timezone.localdate()))
    credit_grade_refresh(account_id=account.pk)
    return payment


def _collection_hold_lift_if_cleared(*, account: CreditAccount, today: date) -> None:
    if (
        account.status == CreditAccount.Status.ON_HOLD
        and account.held_by_collection
        and selectors.credit_account_overdue(account_id=account.pk, today=today) == 0
    ):
        credit_account_release(account_id=account.pk, reason=_("Overdue invoices paid."))


# --------------------------------------------------------------------------- credit notes


@transaction.atomic
def credit_note_issue_for_refund(*, refund_id: int, today: date | None = None) -> CreditNote | None:
    """Credit the invoice of an order bought on account with the account part of a refund.

    Runs inside the transaction that records the ``OrderRefund`` (credit's ``order_refunded``
    receiver), so the refund, the credit note and its ledger row commit or roll back
    together. Idempotent: a refund has at most one credit note. Never more than the invoice
    still owes (``selectors.onaccount_refund_refusal`` has already said so before the refund
    was reserved; this is the same rule under the locks).
    """
    refund = OrderRefund.objects.select_related("order").get(pk=refund_id)
    amount = order_refund_account_amount(refund=refund)
    if amount <= 0:
        return None
    existing = CreditNote.objects.filter(refund=refund).first()
    if existing is not None:
        return existing
    invoice = Invoice.objects.filter(order_id=refund.order_id).first()
    if invoice is None:
        raise ValidationError(
            _("Order %(number)s was not invoiced to an account: there is nothing to credit.")
            % {"number": refund.order.number},
            code="credit_note_no_invoice",
        )
    account = _lock(invoice.account_id)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    refusal = selectors.credit_note_refusal(invoice=invoice, amount=amount)
    if refusal:
        raise ValidationError(refusal, code="credit_note_too_large")
    today = today or timezone.localdate()
    actor = refund.created_by
    note = CreditNote.objects.create(
        account=account,
        invoice=invoice,
        refund=refund,
        amount=amount,
        issued_on=today,
        reason=refund.reason[:255],
        created_by=actor,
    )
    invoice.amount_credited += amount
    if invoice.outstanding == 0:
        # Fully credited: nothing was ever owed; partly paid and credited for the rest: settled.
        invoice.status = (
            Invoice.Status.CREDITED
            if invoice.amount_credited == invoice.amount
            else Invoice.Status.PAID
        )
        invoice.settled_on = today
    invoice.save(update_fields=["amount_credited", "status", "settled_on"])
    _ledger_post(
        account=account,
        kind=CreditLedgerEntry.Kind.CREDIT_NOTE,
        amount=-amount,
        entry_date=today,
        actor=actor,
        credit_note=note,
    )
    _log(
        account=account,
        kind=CreditDecision.Kind.CREDIT_NOTE_ISSUED,
        actor=actor,
        order=refund.order,
        invoice=invoice,
        amount=amount,
        reason=refund.reason,
    )
    OrderNote.objects.create(
        order=refund.order,
        user=_user_or_none(actor),
        note_type=OrderNote.SYSTEM,
        message=_(
            "Credit note %(note)s: %(amount)s credited to invoice %(invoice)s of %(account)s."
        )
        % {
            "note": note.number,
            "amount": currency(amount),
            "invoice": invoice.number,
            "account": account.name,
        },
    )
    _collection_hold_lift_if_cleared(account=account, today=today)
    return note


# --------------------------------------------------------------------------- write-offs


@transaction.atomic
def write_off_request(*, invoice_id: int, amount: Decimal, reason: str, actor) -> WriteOff:
    reason = _reason_required(reason, _("Say why the amount should be written off."))
    invoice = Invoice.objects.get(pk=invoice_id)
    account = _lock(invoice.account_id)
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    pending = sum(
        (w.amount for w in invoice.write_offs.filter(status=WriteOff.Status.REQUESTED)), ZERO
    )
    if amount is None or amount <= 0 or amount > invoice.outstanding - pending:
        raise ValidationError(
            _("Write off more than nothing and at most the %(left)s still owed on %(invoice)s.")
            % {"left": invoice.outstanding - pending, "invoice": invoice.number}
        )
    write_off = WriteOff.objects.create(
        invoice=invoice, amount=amount, reason=reason, requested_by=actor
    )
    _log(
        account=account,
        kind=CreditDecision.Kind.WRITE_OFF_REQUESTED,
        actor=actor,
        invoice=invoice,
        amount=amount,
        reason=reason,
    )
    return write_off


def _decidable_write_off(
    *, write_off_id: int, manager, status: str
) -> tuple[WriteOff, CreditAccount]:
    _require(manager, "approve_write_off", _("Only a manager may decide write-offs."))
    write_off = WriteOff.objects.select_related("invoice").get(pk=write_off_id)
    account = _lock(write_off.invoice.account_id)
    write_off = WriteOff.objects.select_for_update().select_related("invoice").get(pk=write_off_id)
    if write_off.status != status:
        raise ValidationError(
            _("This write-off is %(status)s.") % {"status": write_off.get_status_display()}
        )
    return write_off, account


def _write_off_decide(write_off: WriteOff, *, status: str, manager) -> None:
    write_off.status = status
    write_off.decided_by = manager
    write_off.decided_at = timezone.now()
    write_off.save(update_fields=["status", "decided_by", "decided_at"])


def _write_off_book(
    *,
    account: CreditAccount,
    write_off: WriteOff,
    invoice: Invoice,
    manager,
    today: date,
    reason: str,
    reversal: bool = False,
) -> None:
    """Take the write-off off what the account owes (or, reversed, put it back) and log it."""
    _ledger_post(
        account=account,
        kind=CreditLedgerEntry.Kind.WRITE_OFF_REVERSAL
        if reversal
        else CreditLedgerEntry.Kind.WRITE_OFF,
        amount=write_off.amount if reversal else -write_off.amount,
        entry_date=today,
        actor=manager,
        write_off=write_off,
    )
    _log(
        account=account,
        kind=CreditDecision.Kind.WRITE_OFF_REVERSED
        if reversal
        else CreditDecision.Kind.WRITE_OFF_APPROVED,
        actor=manager,
        invoice=invoice,
        amount=write_off.amount,
        reason=reason,
    )


@transaction.atomic
def write_off_approve(*, write_off_id: int, manager, today: date | None = None) -> WriteOff:
    write_off, account = _decidable_write_off(
        write_off_id=write_off_id, manager=manager, status=WriteOff.Status.REQUESTED
    )
    if write_off.requested_by_id == manager.pk:
        raise ValidationError(_("Another manager must approve the write-off you requested."))
    invoice = Invoice.objects.select_for_update().get(pk=write_off.invoice_id)
    if write_off.amount > invoice.outstanding:
        raise ValidationError(
            _("The invoice now owes less than this write-off: reject it and ask again.")
        )
    today = today or timezone.localdate()
    invoice.amount_written_off += write_off.amount
    if invoice.outstanding == 0:
        invoice.status = Invoice.Status.WRITTEN_OFF
        invoice.settled_on = today
    invoice.save(update_fields=["amount_written_off", "status", "settled_on"])
    _write_off_decide(write_off, status=WriteOff.Status.APPROVED, manager=manager)
    _write_off_book(
        account=account,
        write_off=write_off,
        invoice=invoice,
        manager=manager,
        today=today,
        reason=write_off.reason,
    )
    _collection_hold_lift_if_cleared(account=account, today=today)
    return write_off


@transaction.atomic
def write_off_reject(*, write_off_id: int, manager, reason: str = "") -> WriteOff:
    write_off, account = _decidable_write_off(
        write_off_id=write_off_id, manager=manager, status=WriteOff.Status.REQUESTED
    )
    _write_off_decide(write_off, status=WriteOff.Status.REJECTED, manager=manager)
    _log(
        account=account,
        kind=CreditDecision.Kind.WRITE_OFF_REJECTED,
        actor=manager,
        invoice=write_off.invoice,
        amount=write_off.amount,
        reason=reason,
    )
    return write_off


@transaction.atomic
def write_off_reverse(
    *, write_off_id: int, manager, reason: str, today: date | None = None
) -> WriteOff:
    """Recover a write-off (the debtor paid after all): the amount is owed again."""
    reason = _reason_required(reason, _("Say why the write-off is reversed."))
    write_off, account = _decidable_write_off(
        write_off_id=write_off_id, manager=manager, status=WriteOff.Status.APPROVED
    )
    today = today or timezone.localdate()
    invoice = Invoice.objects.select_for_update().get(pk=write_off.invoice_id)
    invoice.amount_written_off -= write_off.amount
    invoice.status = Invoice.Status.OPEN
    invoice.settled_on = None
    invoice.save(update_fields=["amount_written_off", "status", "settled_on"])
    write_off.status = WriteOff.Status.REVERSED
    write_off.save(update_fields=["status"])
    _write_off_book(
        account=account,
        write_off=write_off,
        invoice=invoice,
        manager=manager,
        today=today,
        reason=reason,
        reversal=True,
    )
    return write_off


# --------------------------------------------------------------------------- grade


@transaction.atomic
def credit_grade_refresh(*, account_id: int, today: date | None = None) -> bool:
    """Re-grade from payment history; a change is logged and flagged for a limit setter's review.

    Returns whether the grade changed. Idempotent: the same history gives the same grade.
    """
    account = _lock(account_id)
    history = selectors.credit_payment_history(account_id=account.pk, today=today)
    grade = selectors.credit_grade_from_history(history=history, current=account.grade)
    if grade == account.grade:
        return False
    old = account.grade
    account.grade = grade
    account.grade_review_pending = True
    account.save(update_fields=["grade", "grade_review_pending"])
    _log(
        account=account,
        kind=CreditDecision.Kind.GRADE_CHANGED,
        reason=ngettext(
            "Grade %(old)s → %(new)s: %(on_time)s of %(count)s invoice on time, %(late)s days late on average.",
            "Grade %(old)s → %(new)s: %(on_time)s of %(count)s invoices on time, %(late)s days late on average.",
            history.invoices,
        )
        % {
            "old": old,
            "new": grade,
            "on_time": history.on_time,
            "count": history.invoices,
            "late": history.average_days_late,
        },
    )
    return True


@transaction.atomic
def credit_grade_review(*, account_id: int, actor, note: str) -> CreditAccount:
    _require(actor, "set_credit_limit", _("You may not review credit grades."))
    account = _lock(account_id)
    account.grade_review_pending = False
    account.save(update_fields=["grade_review_pending"])
    _log(account=account, kind=CreditDecision.Kind.GRADE_REVIEWED, actor=actor, reason=note)
    return account


# --------------------------------------------------------------------------- collection


def _collection_stages() -> dict[str, int]:
    return {**DEFAULT_COLLECTION_STAGES, **getattr(settings, "CREDIT_COLLECTION_STAGES", {})}


def _email_on_commit(*, template: str, context: dict, subject: str, recipients: list[str]) -> None:
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
    transaction.on_commit(
        lambda: send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False
        )
    )


@transaction.atomic
def collection_run(*, today: date | None = None) -> dict[str, int]:
    """Advance every overdue invoice through the collection stages; lift cleared holds.

    Stages by days past due (``CREDIT_COLLECTION_STAGES``): a reminder to the billing
    email, then an escalation to the department head, then the account goes on hold.
    Each invoice remembers its stage, so a second run the same day sends nothing; an
    invoice jumps straight to the stage its age calls for (one email, not three).
    """
    today = today or timezone.localdate()
    stages = _collection_stages()
    counts = {"reminded": 0, "escalated": 0, "held": 0, "released": 0}
    Stage = Invoice.CollectionStage
    overdue = (
        Invoice.objects.filter(status=Invoice.Status.OPEN, due_on__lt=today)
        .select_related("account")
        .order_by("account_id", "due_on", "pk")
    )
    for invoice in overdue:
        days = (today - invoice.due_on).days
        target = Stage.NONE
        if days >= stages["hold"]:
            target = Stage.HOLD
        elif days >= stages["escalation"]:
            target = Stage.ESCALATED
        elif days >= stages["reminder"]:
            target = Stage.REMINDED
        if target <= invoice.collection_stage:
            continue
        account = _lock(invoice.account_id)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if target <= invoice.collection_stage:
            continue
        context = {
            "invoice": invoice,
            "account": account,
            "days": days,
            "shop_name": settings.OSCAR_SHOP_NAME,
        }
        if target == Stage.REMINDED:
            template, kind, counted = "reminder", CreditDecision.Kind.REMINDER, "reminded"
            subject = _("Reminder: invoice %(number)s is overdue") % {"number": invoice.number}
            recipients = [account.billing_email]
        else:
            template, kind, counted = "escalation", CreditDecision.Kind.ESCALATION, "escalated"
            subject = _("Unpaid invoice %(number)s of %(account)s") % {
                "number": invoice.number,
                "account": account.name,
            }
            recipients = [
                account.head_email or (account.holder.email if account.holder else ""),
                account.billing_email,
            ]
        _email_on_commit(
            template=f"credit/email/{template}.txt",
            context=context,
            subject=subject,
            recipients=recipients,
        )
        _log(
            account=account,
            kind=kind,
            invoice=invoice,
            amount=invoice.outstanding,
            reason=ngettext("%(days)s day past due", "%(days)s days past due", days)
            % {"days": days},
        )
        counts[counted] += 1
        if target == Stage.HOLD and account.status == CreditAccount.Status.ACTIVE:
            credit_account_hold(
                account_id=account.pk,
                reason=ngettext(
                    "Invoice %(number)s is %(days)s day overdue.",
                    "Invoice %(number)s is %(days)s days overdue.",
                    days,
                )
                % {"number": invoice.number, "days": days},
                by_collection=True,
            )
            counts["held"] += 1
        invoice.collection_stage = target
        invoice.save(update_fields=["collection_stage"])
    for account in CreditAccount.objects.filter(
        status=CreditAccount.Status.ON_HOLD, held_by_collection=True
    ):
        before = account.status
        _collection_hold_lift_if_cleared(account=_lock(account.pk), today=today)
        account.refresh_from_db(fields=["status"])
        counts["released"] += account.status != before
    for account_id in CreditAccount.objects.exclude(status=CreditAccount.Status.FROZEN).values_list(
        "pk", flat=True
    ):
        credit_grade_refresh(account_id=account_id, today=today)
    return counts


# --------------------------------------------------------------------------- statements


@transaction.atomic
def credit_statements_send(*, month: date) -> int:
    """Email each account its statement for ``month`` (once: ``StatementDelivery``).

    Accounts with nothing to say (no movement in the month and nothing owed) get no email.
    Returns how many statements were sent.
    """
    first = selectors.month_start(month)
    sent = 0
    for account in CreditAccount.objects.exclude(
        statement_deliveries__month=first
    ).select_for_update():
        statement = selectors.credit_statement(account_id=account.pk, month=first)
        if not statement.lines and statement.closing == 0:
            continue
        StatementDelivery.objects.create(
            account=account,
            month=first,
            closing_balance=statement.closing,
            sent_to=account.billing_email,
        )
        _email_on_commit(
            template="credit/email/statement.txt",
            context={"statement": statement, "shop_name": settings.OSCAR_SHOP_NAME},
            subject=_("Statement of %(account)s for %(month)s")
            % {"account": account.name, "month": formats.date_format(first, "YEAR_MONTH_FORMAT")},
            recipients=[account.billing_email],
        )
        sent += 1
    return sent
