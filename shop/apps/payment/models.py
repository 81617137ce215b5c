"""Oscar's payment models, plus the rows that make card checkout exactly-once."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CheckoutAttempt(models.Model):
    """One try at paying for a basket, and everything needed to turn it into an order.

    The browser return and the Stripe webhook both place the order from this row (locked
    with select_for_update), so whichever arrives first places it and the other finds
    ``order`` set. The snapshot fields let the webhook rebuild the order without the
    shopper's session.
    """

    class Status(models.TextChoices):
        STARTED = "started", _("Started")
        REQUIRES_ACTION = "requires_action", _("Waiting for card authentication")
        PLACED = "placed", _("Order placed")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    guest_email = models.EmailField(blank=True)
    order_number = models.CharField(max_length=128, db_index=True)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkout_attempt",
    )
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.STARTED)
    failure_message = models.TextField(blank=True)

    shipping_address_data = models.JSONField(default=dict, blank=True)
    shipping_method_code = models.CharField(max_length=128)

    currency = models.CharField(max_length=12)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    wallet = models.ForeignKey(
        "wallet.Wallet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    wallet_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    card_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    payment_method_id = models.CharField(max_length=255, blank=True)
    # Unique: one PaymentIntent can pay for one attempt, hence at most one order.
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    # Sent with the PaymentIntent create; the same attempt retried reuses it, so real Stripe
    # answers with the first PaymentIntent instead of charging again.
    idempotency_key = models.CharField(max_length=255, unique=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "payment"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("wallet_amount") + F("card_amount"))
                & Q(wallet_amount__gte=0)
                & Q(card_amount__gte=0),
                name="payment_checkoutattempt_parts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"Checkout attempt {self.public_id} for order {self.order_number} ({self.status})"


class StripeWebhookEvent(models.Model):
    """Each Stripe event id processed once: a replayed delivery finds its row and stops."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=128)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "payment"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


from oscar.apps.payment.models import *  # noqa: E402,F401,F403  (Oscar's fork pattern: ours first)
