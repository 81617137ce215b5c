"""Stripe webhook processing: each event once, dispatched to the service that owns it."""

import logging

from django.db import IntegrityError, transaction
from oscar.core.loading import get_class, get_model

from loyalty import services as wallet_services
from shop.apps.payment import stripe_gateway

logger = logging.getLogger(__name__)

StripeWebhookEvent = get_model("payment", "StripeWebhookEvent")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")


def _payment_intent_from_event_object(data: dict) -> stripe_gateway.PaymentIntentResult:
    return stripe_gateway.payment_intent_result_from_object(data)


def _attempt_for(payment_intent: stripe_gateway.PaymentIntentResult):
    attempt = CheckoutAttempt.objects.filter(payment_intent_id=payment_intent.id).first()
    if attempt is None and payment_intent.metadata.get("checkout_attempt"):
        # Stripe answered after our request timed out, so we never stored the id: the
        # metadata we sent names the attempt.
        attempt = CheckoutAttempt.objects.filter(
            public_id=payment_intent.metadata["checkout_attempt"], payment_intent_id__isnull=True
        ).first()
        if attempt is not None:
            attempt.payment_intent_id = payment_intent.id
            attempt.save(update_fields=["payment_intent_id", "updated_at"])
    return attempt


def _on_payment_intent_succeeded(data: dict) -> None:
    from shop.apps.checkout import services as checkout_services

    payment_intent = _payment_intent_from_event_object(data)
    if payment_intent.metadata.get("kind") == wallet_services.WALLET_TOP_UP_METADATA_KIND:
        wallet_services.wallet_top_up_from_payment_intent(payment_intent=payment_intent)
        return
    attempt = _attempt_for(payment_intent)
    if attempt is None:
        logger.warning("payment_intent.succeeded for unknown PaymentIntent %s", payment_intent.id)
        return
    try:
        checkout_services.checkout_attempt_place_order(
            attempt_id=attempt.pk, payment_intent=payment_intent
        )
    except UnableToPlaceOrder as exc:
        # The attempt is marked failed and the card refunded; nothing for Stripe to retry.
        logger.warning("Webhook could not place order for attempt %s: %s", attempt.pk, exc)


def _on_payment_intent_failed(data: dict) -> None:
    from shop.apps.checkout import services as checkout_services

    payment_intent = _payment_intent_from_event_object(data)
    attempt = _attempt_for(payment_intent)
    if attempt is None or attempt.order_id is not None:
        return
    error = data.get("last_payment_error") or {}
    checkout_services.checkout_attempt_fail(
        attempt_id=attempt.pk, message=error.get("message") or "payment_intent.payment_failed"
    )


def _on_charge_refunded(data: dict) -> None:
    from shop.apps.order.services import order_refund_reconcile_with_stripe

    payment_intent_id = data.get("payment_intent")
    attempt = CheckoutAttempt.objects.filter(
        payment_intent_id=payment_intent_id, order__isnull=False
    ).first()
    if attempt is None:
        return
    order_refund_reconcile_with_stripe(
        order_id=attempt.order_id,
        payment_intent_id=payment_intent_id,
        amount_refunded=stripe_gateway.amount_from_minor_units(
            data.get("amount_refunded") or 0, data["currency"]
        ),
    )


EVENT_HANDLERS = {
    "payment_intent.succeeded": _on_payment_intent_succeeded,
    "payment_intent.payment_failed": _on_payment_intent_failed,
    "charge.refunded": _on_charge_refunded,
}


def stripe_webhook_event_process(*, event: dict) -> bool:
    """Handle a verified Stripe event once; returns False for a replay or an ignored type.

    The event row and the handler's writes commit together: if the handler fails, the row
    is rolled back too and Stripe's retry gets a second chance.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                StripeWebhookEvent.objects.create(
                    event_id=event["id"], event_type=event["type"], payload=event
                )
        except IntegrityError:
            logger.info("Stripe event %s already processed", event["id"])
            return False
        handler = EVENT_HANDLERS.get(event["type"])
        if handler is None:
            return False
        handler(event["data"]["object"])
    return True
