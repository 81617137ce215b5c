"""Checkout services: start a payment attempt, charge it, and place its order exactly once.

The browser (right after the card was charged, or on return from 3-D Secure) and the
Stripe webhook both end in ``checkout_attempt_place_order``. It locks the attempt row, and
the first caller places the order while later callers get that same order back, so racing
or replayed deliveries make exactly one order. The order is rebuilt from the attempt's
snapshot and the frozen basket, and its total must equal what was charged.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.payment.exceptions import UnableToTakePayment
from oscar.core.loading import get_class, get_model

from loyalty.services.redemption import PointsRedemptionRefused
from shop.apps.checkout import baskets
from shop.apps.order.constants import PAYMENT_EVENT_PAID, SOURCE_TYPE_STRIPE, SOURCE_TYPE_WALLET
from shop.apps.order.services import order_mark_paid
from shop.apps.order.tasks import order_confirmation_email_send
from shop.apps.payment import stripe_gateway
from wallet import services as wallet_services
from wallet.models import Wallet

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Transaction = get_model("payment", "Transaction")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")
OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")
Repository = get_class("shipping.repository", "Repository")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
SurchargeApplicator = get_class("checkout.applicator", "SurchargeApplicator")
Selector = get_class("partner.strategy", "Selector")
Applicator = get_class("offer.applicator", "Applicator")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")

CHECKOUT_METADATA_KIND = "checkout"


class CheckoutPaymentIncomplete(Exception):
    """The card payment has not succeeded (yet): no order, nothing to undo."""


@dataclass
class CheckoutQuote:
    """What the shopper would be charged for this basket right now, computed by the server."""

    basket: object
    shipping_address: object | None
    shipping_method: object
    shipping_charge: object
    surcharges: object | None
    order_total: object

    @property
    def total(self) -> Decimal:
        return self.order_total.incl_tax

    @property
    def currency(self) -> str:
        return self.order_total.currency


def checkout_quote_build(
    *, basket, user, shipping_address, shipping_method, request=None
) -> CheckoutQuote:
    shipping_charge = shipping_method.calculate(basket)
    surcharges = SurchargeApplicator(request, {"basket": basket}).get_applicable_surcharges(
        basket, shipping_charge=shipping_charge
    )
    order_total = OrderTotalCalculator(request).calculate(
        basket, shipping_charge, surcharges=surcharges
    )
    return CheckoutQuote(
        basket=basket,
        shipping_address=shipping_address,
        shipping_method=shipping_method,
        shipping_charge=shipping_charge,
        surcharges=surcharges,
        order_total=order_total,
    )


def checkout_basket_fingerprint(*, basket, order_total, shipping_method_code: str) -> str:
    """A digest of what the shopper saw on the preview page.

    Posted back with "place order" and compared with a fresh one, so a basket changed in
    another tab (lines, quantities, prices, offers, shipping) is refused, not charged.
    """
    parts = [
        f"{line.id}:{line.product_id}:{line.stockrecord_id}:{line.quantity}:{line.line_price_incl_tax_incl_discounts}"
        for line in basket.all_lines()
    ]
    parts.append(
        f"total={order_total.incl_tax}:{order_total.currency}:shipping={shipping_method_code}"
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def shipping_address_snapshot(shipping_address) -> dict:
    if shipping_address is None:
        return {}
    data = {}
    for field in ShippingAddress._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(shipping_address, field.attname)
        data[field.attname] = (
            str(value) if value is not None and field.name == "phone_number" else value
        )
    return data


def checkout_wallet_split(
    *, wallet: Wallet | None, use_wallet: bool, total: Decimal
) -> tuple[Decimal, Decimal]:
    """(wallet part, card part) of ``total``: the wallet pays what it can, the card the rest."""
    if not use_wallet or wallet is None or wallet.balance <= 0:
        return Decimal("0.00"), total
    wallet_part = min(wallet.balance, total)
    return wallet_part, total - wallet_part


def checkout_attempt_start(
    *,
    basket,
    user,
    guest_email: str,
    order_number: str,
    quote: CheckoutQuote,
    wallet: Wallet | None,
    wallet_amount: Decimal,
    card_amount: Decimal,
    payment_method_id: str,
) -> CheckoutAttempt:
    """Record the attempt (committed before Stripe is called) or return the same one retried.

    The idempotency key is derived from everything the charge depends on, so retrying the
    same payment after a timeout reuses it, while a new card or a changed basket starts a
    new attempt.
    """
    key_material = "|".join(
        [
            order_number,
            checkout_basket_fingerprint(
                basket=basket,
                order_total=quote.order_total,
                shipping_method_code=quote.shipping_method.code,
            ),
            str(wallet_amount),
            str(card_amount),
            payment_method_id,
        ]
    )
    idempotency_key = (
        f"checkout-{order_number}-{hashlib.sha256(key_material.encode()).hexdigest()[:32]}"
    )
    with transaction.atomic():
        attempt, created = CheckoutAttempt.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "basket": basket,
                "user": user if getattr(user, "is_authenticated", False) else None,
                "guest_email": guest_email or "",
                "order_number": order_number,
                "shipping_address_data": shipping_address_snapshot(quote.shipping_address),
                "shipping_method_code": quote.shipping_method.code,
                "currency": quote.currency,
                "total": quote.total,
                "wallet": wallet if wallet_amount > 0 else None,
                "wallet_amount": wallet_amount,
                "card_amount": card_amount,
                "payment_method_id": payment_method_id,
            },
        )
        if (
            not created
            and attempt.status == CheckoutAttempt.Status.FAILED
            and not attempt.payment_intent_id
        ):
            # Failed before Stripe ever saw it (e.g. wallet short): safe to try again.
            attempt.status = CheckoutAttempt.Status.STARTED
            attempt.failure_message = ""
            attempt.save(update_fields=["status", "failure_message", "updated_at"])
    return attempt


def checkout_attempt_charge_card(*, attempt: CheckoutAttempt) -> stripe_gateway.PaymentIntentResult:
    """Create and confirm the attempt's PaymentIntent (outside any transaction: it is HTTP).

    Raises ``stripe_gateway.CardDeclined`` (attempt failed) or ``GatewayUnavailable``
    (attempt left as is, so a retry sends the same idempotency key).
    """
    if attempt.payment_intent_id:
        # Retried after we already know the PaymentIntent: ask, never create a second one.
        payment_intent = stripe_gateway.payment_intent_retrieve(
            payment_intent_id=attempt.payment_intent_id
        )
    else:
        try:
            payment_intent = stripe_gateway.payment_intent_create(
                amount=attempt.card_amount,
                currency=attempt.currency,
                payment_method_id=attempt.payment_method_id,
                idempotency_key=attempt.idempotency_key,
                metadata={
                    "kind": CHECKOUT_METADATA_KIND,
                    "checkout_attempt": str(attempt.public_id),
                    "order_number": attempt.order_number,
                },
            )
        except stripe_gateway.CardDeclined as exc:
            _attempt_mark_failed(
                attempt_id=attempt.pk,
                message=str(exc.user_message),
                payment_intent_id=exc.payment_intent_id,
            )
            raise
    with transaction.atomic():
        attempt = CheckoutAttempt.objects.select_for_update().get(pk=attempt.pk)
        attempt.payment_intent_id = payment_intent.id
        if payment_intent.requires_action and attempt.status == CheckoutAttempt.Status.STARTED:
            attempt.status = CheckoutAttempt.Status.REQUIRES_ACTION
        attempt.save(update_fields=["payment_intent_id", "status", "updated_at"])
    if payment_intent.status == "requires_payment_method":
        _attempt_mark_failed(
            attempt_id=attempt.pk, message=_("Your card was declined. Please use another card.")
        )
        raise stripe_gateway.CardDeclined(payment_intent_id=payment_intent.id)
    return payment_intent


def _attempt_mark_failed(*, attempt_id: int, message: str, payment_intent_id: str = "") -> None:
    with transaction.atomic():
        attempt = CheckoutAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.order_id:
            return
        attempt.status = CheckoutAttempt.Status.FAILED
        attempt.failure_message = message
        fields = ["status", "failure_message", "updated_at"]
        if payment_intent_id and not attempt.payment_intent_id:
            attempt.payment_intent_id = payment_intent_id
            fields.append("payment_intent_id")
        attempt.save(update_fields=fields)


def checkout_attempt_fail(*, attempt_id: int, message: str) -> None:
    """Give up on an attempt that has no order: thaw its basket so the shopper can retry."""
    _attempt_mark_failed(attempt_id=attempt_id, message=message)
    attempt = CheckoutAttempt.objects.get(pk=attempt_id)
    if attempt.order_id is None:
        baskets.checkout_basket_thaw(basket_id=attempt.basket_id)


class _AttemptOrderPlacer(OrderPlacementMixin):
    """Oscar's OrderPlacementMixin driven from a CheckoutAttempt instead of a request.

    Its place_order writes the addresses, the order, its payment sources and events in the
    way Oscar's checkout view would.
    """

    request = None

    def __init__(
        self, *, attempt: CheckoutAttempt, payment_intent: stripe_gateway.PaymentIntentResult | None
    ):
        self.attempt = attempt
        if attempt.card_amount > 0:
            self._add_source(
                SOURCE_TYPE_STRIPE,
                attempt.card_amount,
                payment_intent.id,
                payment_intent.status,
                label=payment_intent.card_last4,
            )
        if attempt.wallet_amount > 0:
            self._add_source(
                SOURCE_TYPE_WALLET,
                attempt.wallet_amount,
                f"wallet:{attempt.wallet_id}",
                "succeeded",
            )

    def _add_source(
        self, source_type_name: str, amount: Decimal, reference: str, status: str, label: str = ""
    ) -> None:
        source_type, _created = SourceType.objects.get_or_create(name=source_type_name)
        source = Source(
            source_type=source_type,
            currency=self.attempt.currency,
            amount_allocated=amount,
            amount_debited=amount,
            reference=reference,
            # A card's last four digits: the order says "Card ending 4242" to its shopper.
            label=label,
        )
        source.create_deferred_transaction(Transaction.DEBIT, amount, reference, status)
        self.add_payment_source(source)
        self.add_payment_event(PAYMENT_EVENT_PAID, amount, reference=reference)


class _PlacementRefused(Exception):
    pass


class _AttemptAlreadyFailed(_PlacementRefused):
    """Failed earlier, and whatever had to be undone then was undone then."""


def _attempt_rebuild_quote(*, attempt: CheckoutAttempt, user) -> CheckoutQuote:
    basket = Basket._default_manager.get(pk=attempt.basket_id)
    basket.strategy = Selector().strategy(user=user)
    Applicator().apply(basket, user=user, request=None)
    shipping_address = (
        ShippingAddress(**attempt.shipping_address_data) if attempt.shipping_address_data else None
    )
    methods = Repository().get_shipping_methods(
        basket=basket, user=user, shipping_addr=shipping_address
    )
    shipping_method = next((m for m in methods if m.code == attempt.shipping_method_code), None)
    if shipping_method is None:
        raise _PlacementRefused(_("The delivery method of this order is no longer available."))
    return checkout_quote_build(
        basket=basket, user=user, shipping_address=shipping_address, shipping_method=shipping_method
    )


def _attempt_place(
    *, attempt_id: int, payment_intent: stripe_gateway.PaymentIntentResult | None
) -> Order:
    attempt = CheckoutAttempt.objects.select_for_update().get(pk=attempt_id)
    if attempt.order_id is not None:
        return attempt.order
    if attempt.status == CheckoutAttempt.Status.FAILED:
        raise _AttemptAlreadyFailed(attempt.failure_message or _("This payment attempt failed."))
    if attempt.card_amount > 0:
        if (
            payment_intent is None
            or payment_intent.id != attempt.payment_intent_id
            or not payment_intent.succeeded
        ):
            raise CheckoutPaymentIncomplete(attempt.payment_intent_id)
        if (
            payment_intent.amount != attempt.card_amount
            or payment_intent.currency != attempt.currency.upper()
        ):
            raise _PlacementRefused(_("The amount charged does not match this order."))
    # Attempts of one basket (tabs, the webhook) queue on its row here: the first places the
    # order and submits the basket, the next ones find it submitted and refund their card.
    basket_status = (
        Basket._default_manager.select_for_update()
        .filter(pk=attempt.basket_id)
        .values_list("status", flat=True)
        .first()
    )
    if (
        basket_status == Basket.SUBMITTED
        or Order._default_manager.filter(number=attempt.order_number).exists()
    ):
        raise _PlacementRefused(_("This basket has already been ordered."))
    user = attempt.user or AnonymousUser()
    if attempt.wallet_id:
        # Lock the wallet first so concurrent wallet orders queue here, before any order rows.
        wallet = Wallet.objects.select_for_update().get(pk=attempt.wallet_id)
        if wallet.balance < attempt.wallet_amount:
            raise _PlacementRefused(
                _(
                    "Your campus-card balance changed and no longer covers this order. Nothing was charged."
                )
            )
    quote = _attempt_rebuild_quote(attempt=attempt, user=user)
    if quote.total != attempt.total or quote.currency != attempt.currency:
        raise _PlacementRefused(
            _("Your basket changed during payment. Nothing was charged; please review it.")
        )

    placer = _AttemptOrderPlacer(attempt=attempt, payment_intent=payment_intent)
    order_kwargs = {"guest_email": attempt.guest_email} if not attempt.user_id else {}
    order = placer.place_order(
        order_number=attempt.order_number,
        user=user,
        basket=quote.basket,
        shipping_address=quote.shipping_address,
        shipping_method=quote.shipping_method,
        shipping_charge=quote.shipping_charge,
        order_total=quote.order_total,
        surcharges=quote.surcharges,
        **order_kwargs,
    )
    if attempt.wallet_id:
        wallet_services.wallet_pay_order(
            wallet_id=attempt.wallet_id,
            amount=attempt.wallet_amount,
            order_id=order.pk,
            created_by=attempt.user,
        )
    quote.basket.submit()
    attempt.order = order
    attempt.status = CheckoutAttempt.Status.PLACED
    attempt.failure_message = ""
    attempt.save(update_fields=["order", "status", "failure_message", "updated_at"])
    order_mark_paid(order_id=order.pk)
    transaction.on_commit(lambda: order_confirmation_email_send.delay(order.pk))
    logger.info("Order %s placed from checkout attempt %s", order.number, attempt.public_id)
    return order


def checkout_attempt_place_order(
    *, attempt_id: int, payment_intent: stripe_gateway.PaymentIntentResult | None = None
) -> Order:
    """Place the attempt's order once its payment succeeded; return the same order if placed.

    ``payment_intent`` is the verified state of the card payment (from Stripe's answer or a
    signed webhook); it is required when part of the total is paid by card. If the order
    cannot be placed after the card was charged (basket changed, wallet short, a second
    tab won), the attempt fails, the card is refunded and ``UnableToPlaceOrder`` is raised.
    Raises ``CheckoutPaymentIncomplete`` when the card payment has not succeeded yet.
    """
    try:
        with transaction.atomic():
            return _attempt_place(attempt_id=attempt_id, payment_intent=payment_intent)
    except (
        _PlacementRefused,
        wallet_services.WalletBalanceInsufficient,
        PointsRedemptionRefused,  # points spent elsewhere since the choice
    ) as exc:
        message = exc.messages[0] if hasattr(exc, "messages") else str(exc)
        attempt = CheckoutAttempt.objects.get(pk=attempt_id)
        if attempt.order_id is not None:
            return attempt.order
        if isinstance(exc, _AttemptAlreadyFailed):
            raise UnableToPlaceOrder(message) from exc
        checkout_attempt_fail(attempt_id=attempt_id, message=message)
        if attempt.card_amount > 0 and payment_intent is not None and payment_intent.succeeded:
            _attempt_refund_card(attempt=attempt)
            message = _("%(reason)s Your card payment has been refunded.") % {"reason": message}
        raise UnableToPlaceOrder(message) from exc


def _attempt_refund_card(*, attempt: CheckoutAttempt) -> None:
    try:
        stripe_gateway.refund_create(
            payment_intent_id=attempt.payment_intent_id,
            amount=attempt.card_amount,
            currency=attempt.currency,
            idempotency_key=f"checkout-void-{attempt.public_id}",
        )
    except stripe_gateway.GatewayError:
        # Money taken without an order: must reach a human, the log is the alarm.
        logger.error(
            "Could not refund card payment %s of failed attempt %s",
            attempt.payment_intent_id,
            attempt.pk,
        )


def checkout_attempt_pay_and_place(
    *, attempt: CheckoutAttempt
) -> tuple[Order | None, stripe_gateway.PaymentIntentResult | None]:
    """Charge what the card owes (if anything) and place the order when paid.

    Returns (order, payment_intent); order is None while the card needs authentication.
    Raises UnableToTakePayment with a message for the shopper when the payment failed.
    """
    payment_intent = None
    if attempt.card_amount > 0:
        try:
            payment_intent = checkout_attempt_charge_card(attempt=attempt)
        except stripe_gateway.GatewayError as exc:
            if isinstance(exc, stripe_gateway.CardDeclined):
                raise UnableToTakePayment(str(exc.user_message)) from exc
            if isinstance(exc, stripe_gateway.GatewayRejected):
                logger.error("Stripe rejected checkout attempt %s: %s", attempt.pk, exc)
            raise UnableToTakePayment(str(exc.user_message)) from exc
        if payment_intent.requires_action:
            return None, payment_intent
    order = checkout_attempt_place_order(attempt_id=attempt.pk, payment_intent=payment_intent)
    return order, payment_intent


def checkout_attempt_for_payment_intent(*, payment_intent_id: str) -> CheckoutAttempt | None:
    return CheckoutAttempt.objects.filter(payment_intent_id=payment_intent_id).first()
