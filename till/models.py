"""The in-store till: registers, cashier shifts, the sales rung up in them, and the weekly rota.

A till sale *is* an Oscar order (channel "store"); ``TillSale`` only adds what the order does
not know: which cashier, in which shift, paid how, and the cash that changed hands. Oscar's
order model is not ours to extend, and the shift report reads these rows alone.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from staff.selectors import staff_name


class Register(models.Model):
    """One till (cash drawer). The "one open shift per till" rule hangs off this row."""

    name = models.CharField(_("Name"), max_length=64, unique=True)
    is_active = models.BooleanField(_("In use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Till")
        verbose_name_plural = _("Tills")

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A cashier's time at one till, from the opening float to the cash count."""

    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("Till")
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="till_shifts",
        verbose_name=_("Cashier"),
    )
    opening_float = models.DecimalField(_("Opening float"), max_digits=10, decimal_places=2)
    opened_at = models.DateTimeField(pgettext_lazy("till shift", "Opened"), db_index=True)
    closed_at = models.DateTimeField(pgettext_lazy("till shift", "Closed"), null=True, blank=True)
    # Frozen at closing time, so the handover report still reads the same if anything about
    # the sales changes later (a refund is a new event, not a different count).
    expected_cash = models.DecimalField(
        _("Expected cash"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    counted_cash = models.DecimalField(
        _("Counted cash"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    closing_note = models.CharField(_("Handover note"), max_length=255, blank=True)
    # The shift that handed this one its drawer (its counted cash is this opening float).
    previous_shift = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_shift",
        verbose_name=_("Taken over from"),
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("Cashier shift")
        verbose_name_plural = _("Cashier shifts")
        permissions = [("use_till", _("Can ring up sales at the till"))]
        constraints = [
            # One drawer, one person: a second shift at a till must wait for the handover.
            models.UniqueConstraint(
                fields=["register"],
                condition=Q(closed_at__isnull=True),
                name="till_shift_one_open_shift_per_register",
            ),
            models.UniqueConstraint(
                fields=["cashier"],
                condition=Q(closed_at__isnull=True),
                name="till_shift_one_open_shift_per_cashier",
            ),
            models.CheckConstraint(
                condition=Q(opening_float__gte=0), name="till_shift_float_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(closed_at__isnull=True, counted_cash__isnull=True, expected_cash__isnull=True)
                    | Q(closed_at__isnull=False, counted_cash__gte=0, expected_cash__gte=0)
                ),
                name="till_shift_closed_with_a_cash_count",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                name="till_shift_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        """The one label a shift is named by (admin, refund drawer choice, logs).

        Its opening is shown on the store's clock in the language's own date format, as the
        till pages show it, never in the database's UTC.
        """
        opened = (
            date_format(timezone.localtime(self.opened_at), "SHORT_DATETIME_FORMAT")
            if self.opened_at
            else ""
        )
        return _("%(till)s, %(cashier)s, %(opened)s") % {
            "till": self.register,
            "cashier": staff_name(user=self.cashier),
            "opened": opened,
        }

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def cash_difference(self) -> Decimal | None:
        if self.counted_cash is None or self.expected_cash is None:
            return None
        return self.counted_cash - self.expected_cash


class TillSale(models.Model):
    class PaymentMethod(models.TextChoices):
        WALLET = "wallet", _("Campus-card wallet")
        CASH = "cash", _("Cash")

    order = models.OneToOneField(
        "order.Order", on_delete=models.PROTECT, related_name="till_sale", verbose_name=_("Order")
    )
    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="sales", verbose_name=_("Shift")
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="till_sales",
        verbose_name=_("Cashier"),
    )
    card = models.ForeignKey(
        "loyalty.MemberCard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="till_sales",
        verbose_name=_("Member card"),
    )
    payment_method = models.CharField(
        _("Paid by"), max_length=16, choices=PaymentMethod.choices, db_index=True
    )
    total = models.DecimalField(_("Total"), max_digits=10, decimal_places=2)
    cash_tendered = models.DecimalField(
        _("Cash tendered"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    change_given = models.DecimalField(
        pgettext_lazy("cash handed back", "Change"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("Rung up"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Till sale")
        verbose_name_plural = _("Till sales")
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="till_sale_total_not_negative"),
            # Cash: tendered covers the total, change is never negative (the service computes it
            # as tendered - total; SQLite's float arithmetic cannot check that equality).
            # Wallet: no cash moved.
            models.CheckConstraint(
                condition=(
                    Q(payment_method="cash", cash_tendered__gte=F("total"), change_given__gte=0)
                    | Q(
                        payment_method="wallet",
                        cash_tendered__isnull=True,
                        change_given__isnull=True,
                    )
                ),
                name="till_sale_cash_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(payment_method="cash") | Q(card__isnull=False),
                name="till_sale_wallet_needs_a_card",
            ),
        ]

    def __str__(self) -> str:
        return str(self.order)


class TillRefund(models.Model):
    """A refund given at the till: which sale, who gave it, and which drawer paid the cash.

    The money side is the order's ``OrderRefund`` (the one refund path: wallet back to the
    wallet, card through Stripe, points taken back and given back). This row adds what the
    drawer needs: the cash handed back comes out of ``shift``'s drawer, so that shift's
    expected cash is lower by ``cash_amount`` and the handover count still agrees.
    """

    refund = models.OneToOneField(
        "order.OrderRefund",
        on_delete=models.PROTECT,
        related_name="till_refund",
        verbose_name=_("Refund"),
    )
    sale = models.ForeignKey(
        TillSale, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("Sale")
    )
    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("Shift")
    )
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="till_refunds",
        verbose_name=_("Refunded by"),
    )
    cash_amount = models.DecimalField(_("Cash paid out"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(_("Refunded at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Till refund")
        verbose_name_plural = _("Till refunds")
        constraints = [
            models.CheckConstraint(
                condition=Q(cash_amount__gte=0), name="till_refund_cash_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.refund)


class RotaPost(models.Model):
    """Where someone works: till 1, till 2, shelves, deli."""

    name = models.CharField(_("Post"), max_length=64, unique=True)
    position = models.PositiveSmallIntegerField(_("Order on the rota"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("Rota post")
        verbose_name_plural = _("Rota posts")

    def __str__(self) -> str:
        return self.name


class RotaAssignment(models.Model):
    """One staff member at one post on one day, from a time to a time."""

    post = models.ForeignKey(
        RotaPost, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("Post")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rota_assignments",
        verbose_name=_("Staff member"),
    )
    day = models.DateField(_("Day"), db_index=True)
    starts_at = models.TimeField(_("From"))
    ends_at = models.TimeField(_("To"))
    note = models.CharField(_("Note"), max_length=255, blank=True)

    class Meta:
        ordering = ["day", "starts_at", "post__position"]
        verbose_name = _("Rota assignment")
        verbose_name_plural = _("Rota assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="till_rota_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.day} {self.starts_at:%H:%M}-{self.ends_at:%H:%M} {self.post}: "
            f"{staff_name(user=self.staff)}"
        )

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A rota slot must end after it starts.")})
