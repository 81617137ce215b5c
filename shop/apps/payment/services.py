"""Stripe webhook processing: each event once, dispatched to the service that owns it."""

import logging

from django.db import IntegrityError, transaction
from oscar.core.loading import get_class, get_model

from preorders import services as preorder_services
from shop.apps.checkout import services as checkout_services
from shop.apps.order.services import order_refund_reconcile_with_stripe
from shop.apps.payment import stripe_gateway
from wallet import services as wallet_services

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
    payment_intent = _payment_intent_from_event_object(data)
    if payment_intent.metadata.get("kind") == wallet_services.WALLET_TOP_UP_METADATA_KIND:
        wallet_services.wallet_top_up_from_payment_intent(payment_intent=payment_intent)
        return
    if payment_intent.metadata.get("kind") == preorder_services.PREORDER_METADATA_KIND:
        preorder_services.preorder_payment_intent_succeeded(payment_intent=payment_intent)
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
    payment_intent = _payment_intent_from_event_object(data)
    attempt = _attempt_for(payment_intent)
    if attempt is None or attempt.order_id is not None:
        return
    error = data.get("last_payment_error") or {}
    checkout_services.checkout_attempt_fail(
        attempt_id=attempt.pk, message=error.get("message") or "payment_intent.payment_failed"
    )


def _on_charge_refunded(data: dict) -> None:
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


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _payment_intent_is_well_formed(data: dict) -> bool:
    return (
        isinstance(data.get("id"), str)
        and isinstance(data.get("status"), str)
        and _is_int(data.get("amount"))
        and isinstance(data.get("currency"), str)
        and isinstance(data.get("metadata") or {}, dict)
        and isinstance(data.get("latest_charge") or "", (str, dict))
        and isinstance(data.get("last_payment_error") or {}, dict)
    )


def _charge_is_well_formed(data: dict) -> bool:
    return (
        isinstance(data.get("payment_intent") or "", str)
        and (data.get("amount_refunded") is None or _is_int(data.get("amount_refunded")))
        and isinstance(data.get("currency"), str)
    )


# What each handled event type's object must hold for its handler to read it.
EVENT_OBJECT_CHECKS = {
    "payment_intent.succeeded": _payment_intent_is_well_formed,
    "payment_intent.payment_failed": _payment_intent_is_well_formed,
    "charge.refunded": _charge_is_well_formed,
}


def stripe_webhook_event_is_well_formed(*, event) -> bool:
    """Whether a (signed) event has the shape the handlers read.

    A signature proves who sent the body, not that it is an event we understand: a test-mode
    fixture, a newer API version or a bug upstream could still send a list, a null or an object
    without its amount. Those are refused with 400 before any row is written,
    instead of failing inside a handler with a 500 that Stripe would retry for days.
    """
    if not isinstance(event, dict):
        return False
    event_id, event_type, data = event.get("id"), event.get("type"), event.get("data")
    if not (isinstance(event_id, str) and event_id and isinstance(event_type, str)):
        return False
    if len(event_id) > StripeWebhookEvent._meta.get_field("event_id").max_length:
        return False
    if len(event_type) > StripeWebhookEvent._meta.get_field("event_type").max_length:
        return False
    if not (isinstance(data, dict) and isinstance(data.get("object"), dict)):
        return False
    check = EVENT_OBJECT_CHECKS.get(event_type)
    return check is None or check(data["object"])


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
