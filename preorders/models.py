"""Pre-orders: products sold before they arrive, charged at release, never oversold.

Everything lives here rather than on Oscar's models, so no other app needs a migration:
``PreorderSettings`` is one-to-one with a product, ``Preorder`` one-to-one with the Oscar
order line it sold (null while the checkout that reserved it is still paying), ``NoShow``
records an uncollected pre-order against the member (the CRM lists read it).

The cap is enforced in ``preorders.services.preorder_reserve``: it locks the settings row and
sums the *active* pre-orders, so a cancelled pre-order frees its unit by its status alone.
"""

from decimal import Decimal

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Card networks hold an authorisation for about a week; Stripe's default for cards is 7 days.
AUTHORISATION_WINDOW_DAYS = 7


class PaymentPolicy(models.TextChoices):
    PAY_NOW = "pay_now", _("Pay in full now")
    AUTHORISE = "authorise", _("Authorise now, capture at release")
    SAVE_CARD = "save_card", _("Save the card now, charge on release day")


class PreorderSettings(models.Model):
    product = models.OneToOneField(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="preorder_settings",
        verbose_name=_("Product"),
    )
    is_active = models.BooleanField(
        _("Pre-orders open"),
        default=True,
        help_text=_("Untick to stop taking new pre-orders; existing ones are kept."),
    )
    release_date = models.DateField(_("Release date"))
    cap = models.PositiveIntegerField(
        _("Pre-order units"), help_text=_("At most this many units are sold before release.")
    )
    payment_policy = models.CharField(
        _("Payment policy"),
        max_length=16,
        choices=PaymentPolicy.choices,
        default=PaymentPolicy.PAY_NOW,
    )
    collect_in_store = models.BooleanField(
        _("Collected at the campus store"),
        default=False,
        help_text=_("Customers pick it up at the store instead of having it delivered."),
    )
    pickup_days = models.PositiveIntegerField(
        _("Days to collect"),
        default=7,
        help_text=_("After release; then an uncollected pre-order is cancelled."),
    )
    no_show_fee = models.DecimalField(
        _("No-show fee"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_(
            "Kept from the refund of a pre-order nobody collected (per order, never more than paid)."
        ),
    )
    payment_grace_days = models.PositiveIntegerField(
        _("Days to pay after a failed charge"), default=3
    )
    few_left_threshold = models.PositiveIntegerField(
        _("Show remaining units from"),
        default=5,
        help_text=_("The product page shows how many are left at or below this."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pre-order settings")
        verbose_name_plural = _("pre-order settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(no_show_fee__gte=0), name="preorder_settings_fee_not_negative"
            ),
        ]
        permissions = [
            ("hand_over_preorder", _("Can hand over pre-orders at the till")),
            ("view_preorder_report", _("Can view the pre-order report")),
        ]

    def __str__(self):
        return f"{self.product} ({self.release_date})"

    def clean(self):
        if self.cap is not None and self.cap < 1:
            raise ValidationError({"cap": _("Allow at least one pre-order unit.")})

    @property
    def is_released(self) -> bool:
        return self.release_date <= timezone.localdate()


class Preorder(models.Model):
    class Status(models.TextChoices):
        # The unit is held; no money taken yet (card authorised or saved, or checkout paying).
        RESERVED = "reserved", _("Reserved")
        # Paid in full at checkout, waiting for the release.
        AWAITING_RELEASE = "awaiting_release", _("Awaiting release")
        # Charged at (or after) release: in normal fulfilment.
        CHARGED = "charged", _("Charged")
        SHIPPED = "shipped", _("Shipped / collected")
        CANCELLED = "cancelled", _("Cancelled")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")

    # The statuses that hold a unit of the cap.
    HOLDING = (
        Status.RESERVED,
        Status.AWAITING_RELEASE,
        Status.CHARGED,
        Status.SHIPPED,
        Status.PAYMENT_FAILED,
    )
    # Not yet released: the customer may still cancel at no cost.
    BEFORE_RELEASE = (Status.RESERVED, Status.AWAITING_RELEASE, Status.PAYMENT_FAILED)

    settings = models.ForeignKey(
        PreorderSettings,
        on_delete=models.PROTECT,
        related_name="preorders",
        verbose_name=_("Product"),
    )
    line = models.OneToOneField(
        "order.Line",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="preorder",
        verbose_name=_("Order line"),
    )
    order_number = models.CharField(_("Order number"), max_length=128, db_index=True)
    user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="preorders",
    )
    email = models.EmailField(_("Email"), blank=True)
    quantity = models.PositiveIntegerField(_("Quantity"))
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=12)
    policy = models.CharField(_("Payment policy"), max_length=16, choices=PaymentPolicy.choices)
    status = models.CharField(
        _("Status"), max_length=24, choices=Status.choices, default=Status.RESERVED, db_index=True
    )
    expected_date = models.DateField(_("Expected date"))
    collect_in_store = models.BooleanField(_("Collect in store"), default=False)
    # Stripe references: what was authorised, saved or charged.
    payment_method_id = models.CharField(max_length=255, blank=True)
    customer_id = models.CharField(max_length=255, blank=True)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Claimed by one release run at a time (see services.preorder_release).
    release_claimed_at = models.DateTimeField(null=True, blank=True)
    charged_at = models.DateTimeField(_("Charged at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("Payment failed at"), null=True, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    charge_attempts = models.PositiveIntegerField(default=0)
    pay_again_token = models.CharField(max_length=64, blank=True, db_index=True)
    ready_notified_at = models.DateTimeField(null=True, blank=True)
    pickup_deadline = models.DateField(_("Collect by"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(_("Handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("Cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("Why cancelled"), max_length=255, blank=True)
    fee_kept = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pre-order")
        verbose_name_plural = _("pre-orders")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="preorder_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="preorder_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.order_number} · {self.settings.product} × {self.quantity}"

    @property
    def customer_may_cancel(self) -> bool:
        return self.line_id is not None and self.status in self.BEFORE_RELEASE


class NoShow(models.Model):
    """A pre-order the member did not collect in time (read by the CRM's lists)."""

    user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preorder_no_shows"
    )
    preorder = models.OneToOneField(Preorder, on_delete=models.CASCADE, related_name="no_show")
    fee = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pre-order no-show")
        verbose_name_plural = _("pre-order no-shows")

    def __str__(self):
        return f"{self.user} · {self.preorder.order_number}"
