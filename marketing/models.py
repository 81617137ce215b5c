"""Marketing: nightly customer value figures, rule segments and email campaigns.

Models hold fields, constraints and ``clean()``; ``marketing.services`` writes and
``marketing.selectors`` reads. The segmentation engine (pure functions) is
``marketing.segmentation``; rules compile to a query in ``marketing.rules``.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField, StreamField

from core.fields import recorded_by_field
from marketing.blocks import SegmentConditionsBlock
from marketing.choices import Lifecycle, ValueGroup
from marketing.rules import ALL, ANY, RuleError, rules_compile


class SegmentationRun(models.Model):
    """One run of the nightly segmentation: when, as of which day, how long it took."""

    as_of = models.DateField(_("As of"), unique=True)
    customers = models.PositiveIntegerField(_("Customers scored"), default=0)
    retention_rate = models.DecimalField(
        _("Store retention rate"), max_digits=5, decimal_places=4, default=Decimal("0")
    )
    seconds = models.FloatField(_("Seconds"), default=0)
    finished_at = models.DateTimeField(_("Finished"), auto_now=True)

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("Segmentation run")
        verbose_name_plural = _("Segmentation runs")

    def __str__(self) -> str:
        return str(self.as_of)


class CustomerValue(models.Model):
    """A customer's RFM scores, value group, lifecycle and CLV as of the latest run.

    One row per customer with at least one paid order, rewritten in bulk every night.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="marketing_value",
        verbose_name=_("Customer"),
    )
    as_of = models.DateField(_("As of"))
    first_order_at = models.DateTimeField(_("First paid order"))
    last_order_at = models.DateTimeField(_("Last paid order"))
    recency_days = models.PositiveIntegerField(_("Days since last purchase"))
    frequency = models.PositiveIntegerField(_("Paid orders"))
    monetary = models.DecimalField(_("Total spend"), max_digits=12, decimal_places=2)
    recency_score = models.PositiveSmallIntegerField(_("R"))
    frequency_score = models.PositiveSmallIntegerField(_("F"))
    monetary_score = models.PositiveSmallIntegerField(_("M"))
    value_group = models.CharField(
        _("Value group"), max_length=16, choices=ValueGroup.choices, db_index=True
    )
    lifecycle = models.CharField(
        _("Lifecycle stage"), max_length=16, choices=Lifecycle.choices, db_index=True
    )
    is_dormant = models.BooleanField(_("Dormant"), default=False, db_index=True)
    margin_rate = models.DecimalField(_("Margin rate"), max_digits=5, decimal_places=4)
    clv_historical = models.DecimalField(
        _("Historical value (margin)"), max_digits=12, decimal_places=2
    )
    clv_expected = models.DecimalField(_("Expected future value"), max_digits=12, decimal_places=2)
    clv_total = models.DecimalField(_("Customer lifetime value"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("Customer value")
        verbose_name_plural = _("Customer values")
        constraints = [
            models.CheckConstraint(
                condition=Q(recency_score__gte=1, recency_score__lte=5)
                & Q(frequency_score__gte=1, frequency_score__lte=5)
                & Q(monetary_score__gte=1, monetary_score__lte=5),
                name="marketing_customervalue_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: R{self.recency_score}F{self.frequency_score}M{self.monetary_score}"


class SegmentSizeSnapshot(models.Model):
    """How many customers a segment held on a day: "segment sizes over time"."""

    day = models.DateField(_("Day"), db_index=True)
    key = models.CharField(_("Segment key"), max_length=64)
    label = models.CharField(_("Segment"), max_length=128)
    size = models.PositiveIntegerField(_("Customers"))

    class Meta:
        ordering = ["day", "key"]
        verbose_name = _("Segment size")
        verbose_name_plural = _("Segment sizes")
        constraints = [
            models.UniqueConstraint(fields=["day", "key"], name="marketing_snapshot_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.key}: {self.size}"


class Segment(models.Model):
    """Customers picked by conditions marketing writes in the admin (or a built-in group)."""

    class Match(models.TextChoices):
        ALL = ALL, _("All conditions (AND)")
        ANY = ANY, _("Any condition (OR)")

    name = models.CharField(_("Name"), max_length=128, unique=True)
    description = models.TextField(_("Description"), blank=True)
    match = models.CharField(_("Match"), max_length=8, choices=Match.choices, default=Match.ALL)
    conditions = StreamField(
        SegmentConditionsBlock(),
        verbose_name=_("Conditions"),
        help_text=_("Members matching these conditions belong to the segment."),
    )
    # Built-in segments mirror the nightly value groups, lifecycle stages and dormant list.
    is_builtin = models.BooleanField(_("Built in"), default=False, editable=False)
    created_by = recorded_by_field(editable=False)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["-is_builtin", "name"]
        verbose_name = _("Segment")
        verbose_name_plural = _("Segments")

    def __str__(self) -> str:
        return self.name

    @property
    def rules(self) -> list[dict]:
        """The conditions as plain ``{field, operator, value}`` dicts."""
        return [
            {
                "field": child.value.get("field"),
                "operator": child.value.get("operator"),
                "value": child.value.get("value"),
            }
            for child in self.conditions
        ]

    def clean(self):
        super().clean()
        try:
            rules_compile(rules=self.rules, match=self.match)
        except RuleError as error:
            raise ValidationError(error.messages, code=error.code) from None


class MarketingConsent(models.Model):
    """Whether a customer still accepts marketing email (kept here, not on the user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="marketing_consent",
        verbose_name=_("Customer"),
    )
    email_opt_out = models.BooleanField(_("Unsubscribed from marketing email"), default=False)
    changed_at = models.DateTimeField(_("Changed"), auto_now=True)

    class Meta:
        verbose_name = _("Marketing consent")
        verbose_name_plural = _("Marketing consents")

    def __str__(self) -> str:
        return f"{self.user_id}: {'opted out' if self.email_opt_out else 'subscribed'}"


def _control_seed() -> str:
    return secrets.token_hex(8)


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    class VoucherMode(models.TextChoices):
        NONE = "none", _("No voucher")
        SHARED = "shared", _("One code shared by every recipient")
        UNIQUE = "unique", _("One code per recipient")

    name = models.CharField(_("Name"), max_length=128, unique=True)
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("Segment")
    )
    subject = models.CharField(_("Email subject"), max_length=200)
    body = RichTextField(
        _("Email body"),
        help_text=_(
            "Placeholders: {name}, {points}, {recommendations}, {voucher_code}. Links are "
            "tracked automatically."
        ),
    )
    bonus_points = models.PositiveIntegerField(
        _("Bonus points"), default=0, help_text=_("Given once to each recipient when sent.")
    )
    points_multiplier = models.DecimalField(
        _("Points multiplier for recipients"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1.01")), MaxValueValidator(Decimal("10"))],
        help_text=_("Recipients earn this many times the points on orders in the window."),
    )
    multiplier_starts_at = models.DateTimeField(_("Multiplier from"), null=True, blank=True)
    multiplier_ends_at = models.DateTimeField(_("Multiplier until"), null=True, blank=True)
    voucher_mode = models.CharField(
        _("Voucher"), max_length=8, choices=VoucherMode.choices, default=VoucherMode.NONE
    )
    voucher_offer = models.ForeignKey(
        "offer.ConditionalOffer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"offer_type": "Voucher"},
        related_name="+",
        verbose_name=_("Voucher offer"),
        help_text=_("An Oscar offer of type 'Voucher': what the code gives."),
    )
    voucher_valid_days = models.PositiveIntegerField(_("Voucher valid for (days)"), default=30)
    shared_voucher = models.ForeignKey(
        "voucher.Voucher",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    control_percent = models.PositiveSmallIntegerField(
        _("Control group (%)"),
        default=10,
        validators=[MaxValueValidator(50)],
        help_text=_("Members held out at random to measure the campaign's effect."),
    )
    # The seed of the control-group draw: the same campaign always holds out the same members.
    control_seed = models.CharField(max_length=32, default=_control_seed, editable=False)
    scheduled_at = models.DateTimeField(
        _("Send at"), null=True, blank=True, help_text=_("Empty: send only when told to.")
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    sent_at = models.DateTimeField(_("Sent"), null=True, blank=True, editable=False)
    created_by = recorded_by_field(editable=False)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Campaign")
        verbose_name_plural = _("Campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(control_percent__lte=50), name="marketing_campaign_control_max_50"
            ),
            models.CheckConstraint(
                condition=Q(voucher_mode="none") | Q(voucher_offer__isnull=False),
                name="marketing_campaign_voucher_needs_offer",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.pk and self.status in (self.Status.SENDING, self.Status.SENT):
            raise ValidationError(_("This campaign was sent; it can no longer be changed."))
        errors = {}
        if self.voucher_mode != self.VoucherMode.NONE and not self.voucher_offer_id:
            errors["voucher_offer"] = _("Choose the offer the voucher gives.")
        if self.points_multiplier:
            if not (self.multiplier_starts_at and self.multiplier_ends_at):
                errors["multiplier_ends_at"] = _("A multiplier needs its start and end.")
            elif self.multiplier_ends_at <= self.multiplier_starts_at:
                errors["multiplier_ends_at"] = _("The window must end after it starts.")
        if errors:
            raise ValidationError(errors)


class CampaignRecipient(models.Model):
    """One member drawn for a campaign: sent the email, or held out in the control group."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        CONTROL = "control", _("Control group (not sent)")
        SKIPPED = "skipped", _("Skipped (unsubscribed or no email)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_receipts"
    )
    is_control = models.BooleanField(_("Control group"), default=False)
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    sent_at = models.DateTimeField(_("Sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("Opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("Clicked"), null=True, blank=True)
    voucher = models.ForeignKey(
        "voucher.Voucher", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    bonus_transaction = models.OneToOneField(
        "loyalty.PointsTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_bonus",
    )

    class Meta:
        verbose_name = _("Campaign recipient")
        verbose_name_plural = _("Campaign recipients")
        constraints = [
            # Never twice to the same member, whatever retries or double clicks happen.
            models.UniqueConstraint(
                fields=["campaign", "user"], name="marketing_recipient_once_per_campaign"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.user_id} {self.status}"


class CampaignMultiplierAward(models.Model):
    """Extra points of a campaign multiplier for one order: at most once per order."""

    recipient = models.ForeignKey(
        CampaignRecipient, on_delete=models.CASCADE, related_name="multiplier_awards"
    )
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="+")
    transaction = models.OneToOneField(
        "loyalty.PointsTransaction", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "order"], name="marketing_multiplier_once_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}/{self.order_id}"
