"""The one place that talks to Stripe.

Everything else in the shop calls these functions and catches our own exceptions, so that:

* the endpoint and keys come from settings (``STRIPE_API_BASE`` points at localstripe in the
  embedded profile and at https://api.stripe.com in production: no code change between them);
* every call has a timeout, so a hung card processor cannot hang a checkout worker;
* every call that moves money carries an idempotency key chosen by the caller from its own
  database row, so a retry after a timeout can never charge or refund twice on real Stripe;
* the many stripe error classes collapse into three our views know how to explain.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Stripe counts most currencies in hundredths; these it counts in whole units.
# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
# The ids Stripe.js hands the browser: PaymentMethods, and (from the legacy token flow that
# localstripe's fake Stripe.js implements) cards and sources.
PAYMENT_METHOD_ID_PREFIXES = ("pm_", "card_", "src_")


class GatewayError(Exception):
    """Base of our Stripe errors; ``user_message`` is safe to show to a shopper."""

    user_message = _("The payment could not be processed. Please try again.")

    def __init__(
        self, message: str = "", *, user_message: str | None = None, payment_intent_id: str = ""
    ):
        super().__init__(message or str(self.user_message))
        if user_message is not None:
            self.user_message = user_message
        self.payment_intent_id = payment_intent_id


class CardDeclined(GatewayError):
    """The card processor said no: the shopper can fix it with another card."""

    user_message = _("Your card was declined. Please use another card.")


class GatewayUnavailable(GatewayError):
    """Stripe could not be reached or did not answer in time: the outcome is unknown."""

    user_message = _(
        "The card processor did not answer. Please try again in a moment: "
        "if the first try went through you will not be charged twice."
    )


class GatewayRejected(GatewayError):
    """Stripe refused the request itself (bad parameters, keys, state): a bug or setup problem."""


# Asked with each PaymentIntent so the order can say which card paid ("Card ending 4242")
# without another round trip.
PAYMENT_INTENT_EXPAND = ["payment_method"]


@dataclass(frozen=True)
class PaymentIntentResult:
    id: str
    status: str
    amount: Decimal
    currency: str
    client_secret: str
    metadata: dict[str, str]
    latest_charge_id: str
    # The card's last four digits when Stripe sent the payment method expanded (create and
    # retrieve ask for it); a webhook event carries only its id, so it may be empty.
    card_last4: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def requires_action(self) -> bool:
        return self.status == "requires_action"


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: Decimal


def amount_to_minor_units(amount: Decimal, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def amount_from_minor_units(minor_units: int, currency: str) -> Decimal:
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(minor_units).quantize(Decimal("0.01"))
    return (Decimal(minor_units) / 100).quantize(Decimal("0.01"))


def is_payment_method_id(value: str) -> bool:
    return (
        bool(value)
        and value.startswith(PAYMENT_METHOD_ID_PREFIXES)
        and value.replace("_", "").isalnum()
    )


def _client() -> stripe.StripeClient:
    # Built per call (it is cheap) so settings overridden in tests or per environment are
    # always the ones used; nothing is stored in the stripe module's globals.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def _translate(exc: stripe.StripeError, payment_intent_id: str = "") -> GatewayError:
    if isinstance(exc, stripe.CardError):
        error = (exc.json_body or {}).get("error") or {}
        pi = error.get("payment_intent") or {}
        return CardDeclined(str(exc), payment_intent_id=pi.get("id") or payment_intent_id)
    if isinstance(exc, stripe.IdempotencyError):
        # The first request with this key is still in flight: same answer as a timeout.
        return GatewayUnavailable(str(exc), payment_intent_id=payment_intent_id)
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        return GatewayUnavailable(str(exc), payment_intent_id=payment_intent_id)
    if isinstance(exc, stripe.APIError) and (exc.http_status or 500) >= 500:
        return GatewayUnavailable(str(exc), payment_intent_id=payment_intent_id)
    return GatewayRejected(str(exc), payment_intent_id=payment_intent_id)


@contextmanager
def _gateway_errors(what: str, *, payment_intent_id: str = "", log_level: int = logging.INFO):
    """Every Stripe call of ours: log the failure and raise it as one of our exceptions.

    Callers then handle three outcomes (declined, rejected, unavailable) and never a Stripe
    SDK class. Refund failures log as warnings: money owed to a customer needs a person.
    """
    try:
        yield
    except stripe.StripeError as exc:
        logger.log(log_level, "Stripe %s failed (%s): %s", what, type(exc).__name__, exc)
        raise _translate(exc, payment_intent_id) from exc


def payment_intent_result_from_object(pi: Any) -> PaymentIntentResult:
    """From a PaymentIntent as the client returns it or as a webhook's JSON carries it."""
    if hasattr(pi, "to_dict"):
        pi = pi.to_dict()
    latest_charge = pi.get("latest_charge") or ""
    if not isinstance(latest_charge, str):
        latest_charge = latest_charge.get("id", "")
    payment_method = pi.get("payment_method")
    if not isinstance(payment_method, dict):
        payment_method = {}
    # A PaymentMethod keeps the digits under "card"; a card object (what localstripe's
    # Stripe.js creates) has them at the top.
    card_last4 = (payment_method.get("card") or {}).get("last4") or payment_method.get("last4")
    return PaymentIntentResult(
        id=pi["id"],
        status=pi["status"],
        amount=amount_from_minor_units(pi["amount"], pi["currency"]),
        currency=pi["currency"].upper(),
        client_secret=pi.get("client_secret") or "",
        metadata=dict(pi.get("metadata") or {}),
        latest_charge_id=latest_charge,
        card_last4=card_last4 or "",
    )


def payment_intent_create(
    *,
    amount: Decimal,
    currency: str,
    payment_method_id: str,
    idempotency_key: str,
    metadata: dict[str, str],
    capture_method: str = "automatic",
) -> PaymentIntentResult:
    """Create and confirm a card PaymentIntent in one call.

    ``capture_method="manual"`` only authorises (status ``requires_capture``): pre-orders
    capture it at release with ``payment_intent_capture``.

    The payment method is given at creation because confirming later with a payment method
    is not implemented by localstripe, and one round trip is faster anyway. A declined card
    raises ``CardDeclined``; a card that needs 3-D Secure comes back ``requires_action``.
    """
    with _gateway_errors("PaymentIntent create"):
        pi = _client().v1.payment_intents.create(
            params={
                "amount": amount_to_minor_units(amount, currency),
                "currency": currency.lower(),
                "payment_method": payment_method_id,
                "payment_method_types": ["card"],
                "confirm": True,
                "capture_method": capture_method,
                "metadata": metadata,
                "expand": PAYMENT_INTENT_EXPAND,
            },
            options={"idempotency_key": idempotency_key},
        )
    return payment_intent_result_from_object(pi)


def payment_intent_retrieve(*, payment_intent_id: str) -> PaymentIntentResult:
    with _gateway_errors("PaymentIntent retrieve", payment_intent_id=payment_intent_id):
        pi = _client().v1.payment_intents.retrieve(
            payment_intent_id, params={"expand": PAYMENT_INTENT_EXPAND}
        )
    return payment_intent_result_from_object(pi)


def payment_intent_capture(*, payment_intent_id: str, idempotency_key: str) -> PaymentIntentResult:
    """Capture an authorised (``requires_capture``) PaymentIntent in full."""
    with _gateway_errors("capture", payment_intent_id=payment_intent_id):
        pi = _client().v1.payment_intents.capture(
            payment_intent_id, options={"idempotency_key": idempotency_key}
        )
    return payment_intent_result_from_object(pi)


def payment_intent_cancel(*, payment_intent_id: str, idempotency_key: str) -> PaymentIntentResult:
    """Void an uncaptured PaymentIntent: the authorisation is released, nothing is charged."""
    with _gateway_errors("cancel", payment_intent_id=payment_intent_id):
        pi = _client().v1.payment_intents.cancel(
            payment_intent_id, options={"idempotency_key": idempotency_key}
        )
    return payment_intent_result_from_object(pi)


@dataclass(frozen=True)
class SavedCard:
    customer_id: str
    setup_intent_id: str
    payment_method_id: str


def card_save_for_later(
    *, email: str, payment_method_id: str, idempotency_key: str, metadata: dict[str, str]
) -> SavedCard:
    """Save a card for an off-session charge later: Customer + confirmed SetupIntent.

    The SetupIntent is created first and confirmed with the card afterwards because
    localstripe refuses ``payment_method``/``confirm`` at creation (Stripe accepts both ways).
    A card refused while saving raises ``CardDeclined``.
    """
    client = _client()
    with _gateway_errors("card save"):
        customer = client.v1.customers.create(
            params={"email": email, "metadata": metadata},
            options={"idempotency_key": f"{idempotency_key}-customer"},
        )
        setup_intent = client.v1.setup_intents.create(
            params={
                "customer": customer.id,
                "payment_method_types": ["card"],
                "usage": "off_session",
                "metadata": metadata,
            },
            options={"idempotency_key": f"{idempotency_key}-setup"},
        )
        setup_intent = client.v1.setup_intents.confirm(
            setup_intent.id, params={"payment_method": payment_method_id}
        )
        client.v1.payment_methods.attach(payment_method_id, params={"customer": customer.id})
    if setup_intent.status != "succeeded":
        raise CardDeclined(f"SetupIntent {setup_intent.id} is {setup_intent.status}")
    return SavedCard(
        customer_id=customer.id,
        setup_intent_id=setup_intent.id,
        payment_method_id=payment_method_id,
    )


def payment_intent_charge_saved_card(
    *,
    amount: Decimal,
    currency: str,
    customer_id: str,
    payment_method_id: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> PaymentIntentResult:
    """Charge a saved card with nobody present (``off_session``); a refusal raises CardDeclined."""
    with _gateway_errors("off-session charge"):
        pi = _client().v1.payment_intents.create(
            params={
                "amount": amount_to_minor_units(amount, currency),
                "currency": currency.lower(),
                "customer": customer_id,
                "payment_method": payment_method_id,
                "payment_method_types": ["card"],
                "confirm": True,
                "off_session": True,
                "metadata": metadata,
                "expand": PAYMENT_INTENT_EXPAND,
            },
            options={"idempotency_key": idempotency_key},
        )
    return payment_intent_result_from_object(pi)


def refund_create(
    *, payment_intent_id: str, amount: Decimal, currency: str, idempotency_key: str
) -> RefundResult:
    with _gateway_errors("refund", payment_intent_id=payment_intent_id, log_level=logging.WARNING):
        refund = _client().v1.refunds.create(
            params={
                "payment_intent": payment_intent_id,
                "amount": amount_to_minor_units(amount, currency),
                "metadata": {"idempotency_key": idempotency_key},
            },
            options={"idempotency_key": idempotency_key},
        )
    refund = refund.to_dict()
    return RefundResult(
        id=refund["id"],
        status=refund["status"],
        amount=amount_from_minor_units(refund["amount"], refund["currency"]),
    )


def webhook_event_construct(*, payload: bytes, signature_header: str | None) -> Any:
    """Verify the ``Stripe-Signature`` header and return the event; ``ValueError`` if forged."""
    try:
        return stripe.Webhook.construct_event(
            payload, signature_header, settings.STRIPE_WEBHOOK_SECRET
        )
    except stripe.SignatureVerificationError as exc:
        raise ValueError(f"bad Stripe signature: {exc}") from exc
    except (AttributeError, TypeError) as exc:
        # A correctly signed body that is JSON but not an object (null, a list): the stripe
        # library fails building the event from it; it is no event of ours.
        raise ValueError(f"not a Stripe event: {exc}") from exc
