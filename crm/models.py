"""CRM models: contact log, complaints (tickets), satisfaction surveys, customer lists, audit.

Everything hangs off the Django user (the customer account), because orders, cards and
wallets do too; a ticket filed from the card lookup page also keeps the card, since an
unclaimed card has no account yet.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core.fields import recorded_by_field


class ContactLogEntry(models.Model):
    """A staff note, call or email about a customer: who wrote it and when."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Phone call")
        EMAIL = "email", _("Email")

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_contact_log",
        verbose_name=_("Customer"),
    )
    kind = models.CharField(_("Kind"), max_length=16, choices=Kind.choices, default=Kind.NOTE)
    body = models.TextField(_("Text"))
    created_by = recorded_by_field(_("Written by"), blank=False)
    created_at = models.DateTimeField(_("When"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Contact log entry")
        verbose_name_plural = _("Contact log")
        permissions = [
            ("view_customer_profile", _("Can see customer profiles")),
            ("export_personal_data", _("Can export personal data")),
            ("merge_customers", _("Can merge duplicate customers")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:40]}"


class TicketCategory(models.Model):
    """What a complaint is about, and how quickly it must get its first reply."""

    name = models.CharField(_("Name"), max_length=64, unique=True)
    first_reply_hours = models.PositiveIntegerField(
        _("First reply within (hours)"), default=24, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Ticket category")
        verbose_name_plural = _("Ticket categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_reply_hours__gte=1), name="crm_ticketcategory_hours_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crm_tickets",
        verbose_name=_("Customer"),
    )
    card = models.ForeignKey(
        "loyalty.MemberCard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crm_tickets",
        verbose_name=_("Member card"),
    )
    category = models.ForeignKey(
        TicketCategory, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("Category")
    )
    order = models.ForeignKey(
        "order.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crm_tickets",
        verbose_name=_("Order"),
    )
    subject = models.CharField(_("Subject"), max_length=200)
    body = models.TextField(_("What happened"))
    photo = models.ImageField(_("Photo"), upload_to="crm/tickets/%Y/%m/", blank=True)
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crm_assigned_tickets",
        verbose_name=_("Assigned to"),
    )
    created_at = models.DateTimeField(_("Filed"), db_index=True)
    # Copied from the category when filed: changing a category's promise later must not
    # make old tickets overdue (or on time) after the fact.
    first_reply_due_at = models.DateTimeField(_("First reply due"), db_index=True)
    first_replied_at = models.DateTimeField(_("First replied"), null=True, blank=True)
    # Set once by the escalation task: its idempotency key.
    escalated_at = models.DateTimeField(_("Escalated"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("Resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Closed"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("Satisfaction (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Ticket")
        verbose_name_plural = _("Tickets")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(card__isnull=False),
                name="crm_ticket_has_customer_or_card",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | (Q(satisfaction__gte=1) & Q(satisfaction__lte=5)),
                name="crm_ticket_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_overdue(self) -> bool:
        return self.first_replied_at is None and self.first_reply_due_at < timezone.now()


class TicketMessage(models.Model):
    """One message of a ticket's thread: the member's or a staff reply."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = recorded_by_field()
    is_staff_reply = models.BooleanField(_("Staff reply"), default=False)
    body = models.TextField(_("Message"))
    created_at = models.DateTimeField(_("When"), auto_now_add=True)
    # Set once the member was emailed about a staff reply: the notify task's idempotency key.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("Ticket message")
        verbose_name_plural = _("Ticket messages")

    def __str__(self) -> str:
        return self.body[:40]


@register_setting(icon="help")
class SurveySettings(BaseGenericSetting):
    """When satisfaction surveys go out; marketing edits it under Settings."""

    after_order = models.BooleanField(_("Survey after a paid order"), default=True)
    order_delay_hours = models.PositiveIntegerField(
        _("Hours after the order"), default=24, help_text=_("0 sends at once.")
    )
    order_sample_percent = models.PositiveSmallIntegerField(
        _("Share of orders surveyed (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("Members are not asked after every purchase."),
    )
    after_ticket = models.BooleanField(_("Survey after a ticket is closed"), default=True)

    class Meta:
        verbose_name = _("Survey settings")


class SurveyInvitation(models.Model):
    """One NPS question sent to a member; answered through a signed link."""

    class Trigger(models.TextChoices):
        ORDER = "order", _("After an order")
        TICKET = "ticket", _("After a ticket")

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_surveys",
        verbose_name=_("Customer"),
    )
    trigger = models.CharField(_("Sent"), max_length=16, choices=Trigger.choices)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crm_survey",
    )
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="survey"
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("Sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("Answered at"), null=True, blank=True, db_index=True)
    score = models.PositiveSmallIntegerField(
        _("Likelihood to recommend (0-10)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
    )
    comment = models.TextField(_("Comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Survey")
        verbose_name_plural = _("Surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="crm_survey_score_0_to_10"
            ),
            models.CheckConstraint(
                condition=(Q(trigger="order") & Q(order__isnull=False))
                | (Q(trigger="ticket") & Q(ticket__isnull=False)),
                name="crm_survey_has_its_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} #{self.pk}"


class ListEntry(models.Model):
    """A member on the white, grey or black list, with why and until when."""

    class Kind(models.TextChoices):
        WHITE = "white", _("White list (trusted)")
        GREY = "grey", _("Grey list (must prepay pre-orders)")
        BLACK = "black", _("Black list (no on-account payment, no pre-orders)")

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_list_entries",
        verbose_name=_("Customer"),
    )
    kind = models.CharField(_("List"), max_length=8, choices=Kind.choices)
    reason = models.CharField(_("Reason"), max_length=255)
    expires_at = models.DateTimeField(
        _("Expires"), null=True, blank=True, help_text=_("Empty: until removed.")
    )
    created_by = recorded_by_field(_("Added by"))
    created_at = models.DateTimeField(_("Added"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("List entry")
        verbose_name_plural = _("Customer lists")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.customer}"

    def clean(self):
        super().clean()
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Say why the customer is on this list.")})


class PrivacyLog(models.Model):
    """Who exported personal data, merged customers or deleted an account, and when.

    A customer who deletes their own account is its actor, and their row is gone: that entry
    has no actor (the customer's id is in ``subject_user_id``). Every other entry names the
    member of staff, who cannot be deleted while the log names them.
    """

    class Action(models.TextChoices):
        EXPORT = "export", _("Personal data export")
        MERGE = "merge", _("Customer merge")
        ACCOUNT_DELETE = "account_delete", _("Account deleted")

    action = models.CharField(_("Action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("By"),
    )
    # Plain ids and text, not foreign keys: a merged-away customer must stay traceable.
    subject_user_id = models.IntegerField(_("Customer id"), null=True, blank=True)
    detail = models.JSONField(_("Detail"), default=dict)
    created_at = models.DateTimeField(_("When"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor__isnull=False) | Q(action="account_delete"),
                name="crm_privacylog_actor_unless_self_deleted",
            )
        ]
        verbose_name = _("Privacy log entry")
        verbose_name_plural = _("Privacy log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
