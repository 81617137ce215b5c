"""The campus-card wallet (stored value) and its ledger.

The wallet is its own row rather than a balance column on a user or card so that it can be
handed from one customer account to another (a CRM merge) by re-pointing one link, without
touching a single ledger row. The tables and constraints are named ``loyalty_...``: renaming
them would rewrite the ledger tables of a live store for nothing a reader or a query gains.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.utils import get_default_currency


class Wallet(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet",
        verbose_name=_("Customer"),
    )
    # Always equal to the sum of this wallet's transactions; only services.py writes it,
    # under select_for_update and in the same transaction as the movement.
    balance = models.DecimalField(
        _("Balance"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(_("Currency"), max_length=12, default=get_default_currency)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        verbose_name = _("Campus-card wallet")
        verbose_name_plural = _("Campus-card wallets")
        db_table = "loyalty_wallet"
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="loyalty_wallet_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return _("Wallet #%(id)s (%(balance)s %(currency)s)") % {
            "id": self.pk,
            "balance": self.balance,
            "currency": self.currency,
        }


class WalletTransaction(models.Model):
    """One signed movement of wallet money; rows are only ever added, never changed."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("Top-up")
        ORDER_PAYMENT = "order_payment", _("Order payment")
        ORDER_REFUND = "order_refund", _("Order refund")
        ADJUSTMENT = "adjustment", _("Staff adjustment")

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("Kind"), max_length=32, choices=Kind.choices)
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(_("Balance after"), max_digits=12, decimal_places=2)
    order = models.ForeignKey(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet_transactions",
    )
    refund = models.ForeignKey(
        "order.OrderRefund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet_transactions",
    )
    # The card payment that funded a top-up.
    payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("Note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Wallet transaction")
        verbose_name_plural = _("Wallet transactions")
        db_table = "loyalty_wallettransaction"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="loyalty_wallettx_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="loyalty_wallettx_balance_after_not_negative",
            ),
            # The unique constraints are the idempotency keys of the ledger: a replayed webhook
            # or a double-clicked button hits them instead of moving money twice.
            models.UniqueConstraint(
                fields=["payment_intent_id"],
                condition=Q(kind="top_up"),
                name="loyalty_wallettx_one_top_up_per_payment_intent",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="order_payment"),
                name="loyalty_wallettx_one_payment_per_order",
            ),
            models.UniqueConstraint(
                fields=["refund"],
                condition=Q(kind="order_refund"),
                name="loyalty_wallettx_one_credit_per_refund",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Wallet transactions are append-only.")
        super().save(*args, **kwargs)
