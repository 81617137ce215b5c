"""Department credit accounts: credit files, decisions, invoices, payments and the AR ledger.

Models hold fields, constraints and ``clean()``; every write goes through
``credit.services`` and every read the dashboard shows through ``credit.selectors``.

``CreditLedgerEntry`` is the account's ledger: a signed row for every charge (an approved
on-account order), payment, write-off and write-off reversal, with the balance after it.
``CreditAccount.balance`` is updated in the same transaction under the account's row lock,
so it always equals the sum of the rows (tests prove it).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


class CreditAccount(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("College department")
        STAFF = "staff", _("Staff member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        FROZEN = "frozen", _("Frozen")

    class Grade(models.TextChoices):
        A = "A", _("A: pays on time")
        B = "B", _("B: mostly on time")
        C = "C", _("C: often late")
        D = "D", _("D: poor payer")

    name = models.CharField(_("Name"), max_length=128, unique=True)
    kind = models.CharField(_("Kind"), max_length=16, choices=Kind.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_credit_accounts",
        verbose_name=_("Staff member"),
        help_text=_("For a staff member's account: who owes the balance."),
    )
    head_name = models.CharField(_("Department head"), max_length=128, blank=True)
    head_email = models.EmailField(
        _("Department head's email"),
        blank=True,
        help_text=_("Receives the escalation when invoices stay unpaid."),
    )
    billing_email = models.EmailField(
        _("Billing email"), help_text=_("Receives invoices and reminders.")
    )
    credit_limit = models.DecimalField(
        _("Credit limit"), max_digits=12, decimal_places=2, default=ZERO
    )
    limit_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    grade = models.CharField(
        _("Credit grade"), max_length=1, choices=Grade.choices, default=Grade.B
    )
    grade_review_pending = models.BooleanField(
        _("Grade change to review"),
        default=False,
        help_text=_("Set when payment history changed the grade; cleared by a limit setter."),
    )
    payment_term_days = models.PositiveSmallIntegerField(_("Payment term (days)"), default=30)
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.CharField(_("Why"), max_length=255, blank=True)
    # Set when the collection run put the account on hold, so paying lifts only that hold
    # and never one a person decided.
    held_by_collection = models.BooleanField(default=False)
    buyers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="credit_accounts",
        verbose_name=_("Authorised buyers"),
    )
    balance = models.DecimalField(_("Balance owed"), max_digits=12, decimal_places=2, default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Credit account")
        verbose_name_plural = _("Credit accounts")
        permissions = [
            ("set_credit_limit", _("Can set credit limits and terms")),
            ("approve_credit_order", _("Can approve orders on account")),
            ("approve_write_off", _("Can approve write-offs (manager)")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="credit_account_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="credit_account_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CreditDecision(models.Model):
    """Who decided what on an account, when and why: the credit file's audit log."""

    class Kind(models.TextChoices):
        LIMIT_SET = "limit_set", _("Limit or terms set")
        ORDER_AUTO_APPROVED = "order_auto_approved", _("Order approved automatically")
        ORDER_REFERRED = "order_referred", _("Order referred to an approver")
        ORDER_APPROVED = "order_approved", _("Order approved")
        ORDER_REFUSED = "order_refused", _("Order refused")
        HOLD = "hold", _("Put on hold")
        RELEASE = "release", _("Hold lifted")
        FREEZE = "freeze", _("Frozen")
        REMINDER = "reminder", _("Reminder sent")
        ESCALATION = "escalation", _("Escalated to the department head")
        WRITE_OFF_REQUESTED = "write_off_requested", _("Write-off requested")
        WRITE_OFF_APPROVED = "write_off_approved", _("Write-off approved")
        WRITE_OFF_REJECTED = "write_off_rejected", _("Write-off rejected")
        WRITE_OFF_REVERSED = "write_off_reversed", _("Write-off reversed")
        GRADE_CHANGED = "grade_changed", _("Grade changed")
        GRADE_REVIEWED = "grade_reviewed", _("Grade reviewed")
        BUYER_ADDED = "buyer_added", _("Authorised buyer added")
        BUYER_REMOVED = "buyer_removed", _("Authorised buyer removed")
        CREDIT_NOTE_ISSUED = "credit_note_issued", _("Credit note issued (refund)")

    account = models.ForeignKey(CreditAccount, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("Decision"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system decided."),
    )
    order = models.ForeignKey(
        "order.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        "credit.Invoice", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("Why"), blank=True)
    created_at = models.DateTimeField(_("When"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Credit decision")
        verbose_name_plural = _("Credit decisions")

    def __str__(self) -> str:
        return f"{self.account}: {self.get_kind_display()}"


class OrderApproval(models.Model):
    """An on-account order that could not be approved at once, waiting for an approver."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="approvals")
    order = models.OneToOneField(
        "order.Order", on_delete=models.PROTECT, related_name="credit_approval"
    )
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    referral_reason = models.TextField(_("Why it needs approval"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("Approver's note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("On-account order approval")
        verbose_name_plural = _("On-account order approvals")

    def __str__(self) -> str:
        return f"{self.order.number}: {self.get_status_display()}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        WRITTEN_OFF = "written_off", _("Written off")
        # Everything invoiced was refunded: nothing was ever owed for it.
        CREDITED = "credited", _("Credited")

    class CollectionStage(models.IntegerChoices):
        NONE = 0, _("None")
        REMINDED = 1, _("Reminder sent")
        ESCALATED = 2, _("Escalated to the department head")
        HOLD = 3, _("Account on hold")

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="invoices")
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_invoice",
    )
    issued_on = models.DateField(_("Issued on"))
    due_on = models.DateField(_("Due on"))
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(_("Paid"), max_digits=12, decimal_places=2, default=ZERO)
    amount_written_off = models.DecimalField(
        _("Written off"), max_digits=12, decimal_places=2, default=ZERO
    )
    # Credit notes issued against this invoice (refunds of the order it bills).
    amount_credited = models.DecimalField(
        _("Credited"), max_digits=12, decimal_places=2, default=ZERO
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    settled_on = models.DateField(_("Settled on"), null=True, blank=True)
    collection_stage = models.PositiveSmallIntegerField(
        choices=CollectionStage.choices, default=CollectionStage.NONE
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("Invoice")
        verbose_name_plural = _("Invoices")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="credit_invoice_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0)
                & Q(amount_written_off__gte=0)
                & Q(amount_credited__gte=0)
                & Q(amount__gte=F("amount_paid") + F("amount_written_off") + F("amount_credited")),
                name="credit_invoice_not_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("issued_on")), name="credit_invoice_due_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"INV-{self.pk:06d}" if self.pk else "INV-new"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.amount_paid - self.amount_written_off - self.amount_credited


class CreditPayment(models.Model):
    """Money a department (or staff member) paid; allocated to invoices, oldest due first."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Internal transfer")
        CASH = "cash", _("Cash")
        PAYROLL = "payroll", _("Payroll deduction")

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("Received on"))
    method = models.CharField(
        _("Method"), max_length=16, choices=Method.choices, default=Method.TRANSFER
    )
    reference = models.CharField(_("Reference"), max_length=128, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("Payment received")
        verbose_name_plural = _("Payments received")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount} on {self.received_on}"


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(CreditPayment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_allocation_positive"),
            models.UniqueConstraint(fields=["payment", "invoice"], name="credit_allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment} to {self.invoice}"


class WriteOff(models.Model):
    """Writing off what an invoice still owes: requested by one person, approved by a manager.

    Kept recoverable: a reversal puts the amount back on the invoice and the ledger.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for a manager")
        APPROVED = "approved", _("Written off")
        REJECTED = "rejected", _("Rejected")
        REVERSED = "reversed", _("Reversed (recovered)")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="write_offs")
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("Reason"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("Write-off")
        verbose_name_plural = _("Write-offs")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_writeoff_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.amount} ({self.get_status_display()})"


class CreditNote(models.Model):
    """A refund of an order bought on account: it reduces what the order's invoice owes.

    Written by ``services.credit_note_issue_for_refund`` in the same transaction as the
    ``OrderRefund`` it mirrors, one per refund; never more than the invoice still owes.
    """

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="credit_notes"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    refund = models.OneToOneField(
        "order.OrderRefund", on_delete=models.PROTECT, related_name="credit_note"
    )
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    issued_on = models.DateField(_("Issued on"))
    reason = models.CharField(_("Reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("Credit note")
        verbose_name_plural = _("Credit notes")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_positive"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"CN-{self.pk:06d}" if self.pk else "CN-new"


class CreditLedgerEntry(models.Model):
    """One signed movement of an account's balance, written with its cause."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        PAYMENT = "payment", _("Payment")
        WRITE_OFF = "write_off", _("Write-off")
        WRITE_OFF_REVERSAL = "write_off_reversal", _("Write-off reversed")
        CREDIT_NOTE = "credit_note", _("Credit note (refund)")

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    amount = models.DecimalField(
        _("Amount"), max_digits=12, decimal_places=2, help_text=_("Positive raises what is owed.")
    )
    balance_after = models.DecimalField(max_digits=12, decimal_places=2)
    # The business date (invoice issue day, payment receipt day): reports group by it.
    entry_date = models.DateField(_("Date"), db_index=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        CreditPayment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    write_off = models.ForeignKey(
        WriteOff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_date", "pk"]
        verbose_name = _("Ledger entry")
        verbose_name_plural = _("Ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="charge", amount__gt=0, invoice__isnull=False)
                    | Q(kind="payment", amount__lt=0, payment__isnull=False)
                    | Q(kind="write_off", amount__lt=0, write_off__isnull=False)
                    | Q(kind="write_off_reversal", amount__gt=0, write_off__isnull=False)
                    | Q(kind="credit_note", amount__lt=0, credit_note__isnull=False)
                ),
                name="credit_ledger_kind_consistent",
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="credit_ledger_balance_not_negative"
            ),
            # One charge per invoice: a retried approval cannot charge twice.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(kind="charge"),
                name="credit_ledger_one_charge_per_invoice",
            ),
            # One ledger row per credit note: a re-sent refund signal cannot credit twice.
            models.UniqueConstraint(
                fields=["credit_note"],
                condition=Q(kind="credit_note"),
                name="credit_ledger_one_row_per_credit_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.get_kind_display()} {self.amount:+}"


class StatementDelivery(models.Model):
    """A monthly statement emailed to an account: one row per account and month, so the
    monthly task sends each statement once however often it runs."""

    account = models.ForeignKey(
        CreditAccount, on_delete=models.CASCADE, related_name="statement_deliveries"
    )
    month = models.DateField(_("Month"), help_text=_("The first day of the month."))
    closing_balance = models.DecimalField(max_digits=12, decimal_places=2)
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "account__name"]
        verbose_name = _("Statement sent")
        verbose_name_plural = _("Statements sent")
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="credit_statement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.month:%Y-%m}"
