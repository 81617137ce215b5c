"""Oscar's order models, plus the refund record operators create from the dashboard."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import AbstractOrder


class OrderRefund(models.Model):
    """One refund an operator asked for, and how it was paid back.

    The row is written (``pending``) before Stripe is called, so its id is the refund's
    idempotency key and its amount counts against what is still refundable while Stripe
    answers: two operators clicking at once cannot refund more than was paid.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="refunds")
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    # How the amount was split between the payment sources: card first, then wallet, then
    # cash paid out at the store; what is left is credited to the account of an order bought
    # on account (shop.apps.order.services.order_refund_account_amount).
    card_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    wallet_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    cash_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # {order line id (str): quantity} when refunding lines; empty for an amount refund.
    line_quantities = models.JSONField(default=dict, blank=True)
    # {order line id (str): quantity} of the refunded goods that came back sellable and go
    # back on the shelf when the refund is recorded (operations' order_refunded receiver).
    restock_quantities = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("Reason"), max_length=255, blank=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    failure_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "order"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Refund")
        verbose_name_plural = _("Refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(card_amount__gte=0) & Q(wallet_amount__gte=0) & Q(cash_amount__gte=0),
                name="order_refund_parts_not_negative",
            ),
            # The on-account part is the remainder, so it is never negative either.
            models.CheckConstraint(
                condition=Q(amount__gte=F("card_amount") + F("wallet_amount") + F("cash_amount")),
                name="order_refund_parts_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return _("Refund of %(amount)s for order %(number)s") % {
            "amount": self.amount,
            "number": self.order.number,
        }


class Order(AbstractOrder):
    """Oscar's order, plus the sales channel it came from.

    Online checkout and the in-store till both end in an Oscar order; the channel is what
    reports, points and recommendations use to tell them apart (and to treat them alike).
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        STORE = "store", _("In store")

    channel = models.CharField(
        _("Channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE, db_index=True
    )


from oscar.apps.order.models import *  # noqa: E402,F401,F403  (Oscar's fork pattern: ours first)
