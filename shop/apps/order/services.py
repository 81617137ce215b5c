"""Write-side services for orders (HackSoft style: services write, selectors read)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from core.money import CENT
from shop.apps.order.constants import (
    ORDER_STATUS_PAID,
    ORDER_STATUS_PENDING,
    ORDER_STATUS_REFUNDED,
    PAID_STATUSES,
    PAYMENT_EVENT_REFUNDED,
    SOURCE_TYPE_CASH,
    SOURCE_TYPE_ON_ACCOUNT,
    SOURCE_TYPE_STRIPE,
    SOURCE_TYPE_WALLET,
)
from shop.apps.order.signals import order_paid, order_refund_requested, order_refunded
from shop.apps.order.tasks import order_refund_email_send
from shop.apps.payment import stripe_gateway
from wallet import services as wallet_services

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")
OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
Source = get_model("payment", "Source")


@transaction.atomic
def order_mark_paid(*, order_id: int) -> bool:
    """Move a pending order to Paid and fan out to loyalty, wallet, recommendations, stock.

    Idempotent: the order row is locked and an order that is already paid is left alone, so
    a replayed webhook or a retried task does nothing the second time. Returns whether this
    call did the transition.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status in PAID_STATUSES:
        return False
    order.set_status(ORDER_STATUS_PAID)
    # Oscar moves the order, not its lines: a paid order's lines are paid too.
    order.lines.filter(status=ORDER_STATUS_PENDING).update(status=ORDER_STATUS_PAID)
    order_paid.send(sender=Order, order=order)
    return True


# --------------------------------------------------------------------------- refunds


def _sources_by_type(order) -> dict[str, Source]:
    return {
        source.source_type.name: source for source in order.sources.select_related("source_type")
    }


def _pending(order, field: str) -> Decimal:
    return order.refunds.filter(status=OrderRefund.Status.PENDING).aggregate(total=Sum(field))[
        "total"
    ] or Decimal(0)


def _card_pay_back(*, source: Source, refund: OrderRefund, amount: Decimal, reference: str) -> None:
    # Stripe has already sent the money back (order_refund): only our books are left.
    source.refund(amount, reference=reference)


def _wallet_pay_back(
    *, source: Source, refund: OrderRefund, amount: Decimal, reference: str
) -> None:
    wallet_services.wallet_refund(
        wallet_id=int(source.reference.split(":", 1)[1]),
        amount=amount,
        order_id=refund.order_id,
        refund_id=refund.pk,
        created_by=refund.created_by,
    )
    source.refund(amount, reference=f"refund:{refund.public_id}")


def _source_pay_back(
    *, source: Source, refund: OrderRefund, amount: Decimal, reference: str
) -> None:
    # Cash is handed over at the store by whoever records the refund; an on-account part
    # becomes a credit note in credit's order_refunded receiver. Either way only the
    # Source's books change here.
    source.refund(amount, reference=f"refund:{refund.public_id}")


@dataclass(frozen=True)
class RefundRoute:
    """How the part of a refund owed to one payment source type is paid back."""

    # The OrderRefund field holding that part; None for the on-account remainder.
    part_field: str | None
    pay_back: Callable[..., None]


# Money goes back the way it came, in this order: card first (the customer's bank), then the
# campus wallet, then cash at the store; an order bought on account takes the rest as a credit
# note. A payment source type missing here cannot be refunded (refused, never a KeyError).
REFUND_ROUTES: dict[str, RefundRoute] = {
    SOURCE_TYPE_STRIPE: RefundRoute(part_field="card_amount", pay_back=_card_pay_back),
    SOURCE_TYPE_WALLET: RefundRoute(part_field="wallet_amount", pay_back=_wallet_pay_back),
    SOURCE_TYPE_CASH: RefundRoute(part_field="cash_amount", pay_back=_source_pay_back),
    SOURCE_TYPE_ON_ACCOUNT: RefundRoute(part_field=None, pay_back=_source_pay_back),
}
REFUND_PART_FIELDS = tuple(r.part_field for r in REFUND_ROUTES.values() if r.part_field)


def _refund_part(*, refund: OrderRefund, route: RefundRoute) -> Decimal:
    if route.part_field is None:
        return order_refund_account_amount(refund=refund)
    return getattr(refund, route.part_field)


def _refund_split(*, order, sources: dict[str, Source], amount: Decimal) -> dict[str, Decimal]:
    """``amount`` shared out over the order's sources in REFUND_ROUTES order, by what each has left.

    What each source has left counts the refunds still in flight. Raises ValidationError when
    the order has a payment source this module cannot pay back.
    """
    unknown = sorted(name for name in sources if name not in REFUND_ROUTES)
    if unknown:
        raise ValidationError(
            _("This order was paid by %(methods)s, which cannot be refunded here.")
            % {"methods": ", ".join(unknown)},
            code="refund_source_unknown",
        )
    parts: dict[str, Decimal] = {}
    left = amount
    for name, route in REFUND_ROUTES.items():
        source = sources.get(name)
        if source is None or left <= 0:
            continue
        in_flight = (
            _pending(order, route.part_field)
            if route.part_field
            else _pending(order, "amount") - sum(_pending(order, f) for f in REFUND_PART_FIELDS)
        )
        available = source.amount_debited - source.amount_refunded - in_flight
        parts[name] = min(left, max(available, Decimal(0)))
        left -= parts[name]
    if left > 0:
        # Only reachable if the sources' books disagree with what order_refundable_amount saw.
        raise ValidationError(
            _("You can refund at most %(max)s for this order.") % {"max": amount - left},
            code="refund_too_large",
        )
    return parts


def order_refundable_amount(*, order) -> Decimal:
    """What can still be refunded: paid minus refunded minus refunds in flight."""
    paid = sum((s.amount_debited - s.amount_refunded for s in order.sources.all()), Decimal("0.00"))
    return paid - _pending(order, "amount")


def order_line_refundable_quantities(*, order) -> dict[int, int]:
    refunded: dict[int, int] = {}
    for refund in order.refunds.exclude(status=OrderRefund.Status.FAILED):
        for line_id, quantity in (refund.line_quantities or {}).items():
            refunded[int(line_id)] = refunded.get(int(line_id), 0) + int(quantity)
    return {line.pk: line.quantity - refunded.get(line.pk, 0) for line in order.lines.all()}


def order_lines_refunded_mark(*, order, whole_order: bool) -> int:
    """Give the status "Refunded" to the lines refunded in full (every line: ``whole_order``).

    Oscar's status pipeline moves the order; its lines keep the status they were given, so a
    refunded line would otherwise still read "Pending" or "Paid" on the order pages.
    """
    lines = order.lines.exclude(status=ORDER_STATUS_REFUNDED)
    if not whole_order:
        refunded = [
            line_id
            for line_id, left in order_line_refundable_quantities(order=order).items()
            if left <= 0
        ]
        lines = lines.filter(pk__in=refunded)
    return lines.update(status=ORDER_STATUS_REFUNDED)


def _lines_amount(*, order, line_quantities: dict[int, int]) -> Decimal:
    remaining = order_line_refundable_quantities(order=order)
    lines = {line.pk: line for line in order.lines.all()}
    amount = Decimal("0.00")
    for line_id, quantity in line_quantities.items():
        if line_id not in lines:
            raise ValidationError(_("Line %(id)s is not part of this order.") % {"id": line_id})
        if quantity < 0 or quantity > remaining[line_id]:
            raise ValidationError(
                _("At most %(n)s of “%(title)s” can still be refunded.")
                % {"n": remaining[line_id], "title": lines[line_id].title}
            )
        line = lines[line_id]
        amount += (line.line_price_incl_tax * quantity / line.quantity).quantize(CENT)
    return amount


def _restock_clean(
    *, order, line_quantities: dict[int, int], restock_quantities: dict[int, int]
) -> dict[int, int]:
    """The units that go back on the shelf, checked against what this refund gives back.

    A line refund puts back at most the units it refunds of each line; an amount refund (the
    till's "whole sale") at most the units of each line not refunded yet. Whether the shelf
    ever lost those units is the stock ledger's to say (operations' order_refund_requested
    receiver), before any money moves.
    """
    restock = {int(k): int(v) for k, v in restock_quantities.items() if int(v) != 0}
    if not restock:
        return {}
    lines = {line.pk: line for line in order.lines.all()}
    cap = line_quantities or order_line_refundable_quantities(order=order)
    for line_id, quantity in restock.items():
        if line_id not in lines:
            raise ValidationError(_("Line %(id)s is not part of this order.") % {"id": line_id})
        if quantity < 0 or quantity > cap.get(line_id, 0):
            raise ValidationError(
                ngettext(
                    "“%(title)s”: at most %(n)s unit refunded here can go back to stock.",
                    "“%(title)s”: at most %(n)s units refunded here can go back to stock.",
                    cap.get(line_id, 0),
                )
                % {"title": lines[line_id].title, "n": cap.get(line_id, 0)},
                code="restock_too_many",
            )
    return restock


def _refund_reserve(
    *,
    order_id: int,
    amount: Decimal | None,
    line_quantities: dict[int, int],
    restock_quantities: dict[int, int],
    reason: str,
    refunded_by,
    cash_drawer_shift_id: int | None,
) -> OrderRefund:
    with transaction.atomic():
        # The order lock serialises refunds of one order: the "never more than paid" check
        # below counts pending refunds, and two operators cannot both pass it.
        order = Order.objects.select_for_update().get(pk=order_id)
        line_quantities = {int(k): int(v) for k, v in line_quantities.items() if int(v) != 0}
        if line_quantities and amount is not None:
            raise ValidationError(_("Refund either lines or an amount, not both."))
        if line_quantities:
            amount = _lines_amount(order=order, line_quantities=line_quantities)
        if amount is None or amount <= 0:
            raise ValidationError(_("Enter an amount or the lines to refund."))
        amount = Decimal(amount).quantize(CENT)
        refundable = order_refundable_amount(order=order)
        if amount > refundable:
            raise ValidationError(
                _("You can refund at most %(max)s for this order.") % {"max": refundable},
                code="refund_too_large",
            )
        restock = _restock_clean(
            order=order, line_quantities=line_quantities, restock_quantities=restock_quantities
        )
        parts = _refund_split(order=order, sources=_sources_by_type(order), amount=amount)
        refund = OrderRefund.objects.create(
            order=order,
            amount=amount,
            **{
                route.part_field: parts.get(name, Decimal(0))
                for name, route in REFUND_ROUTES.items()
                if route.part_field
            },
            line_quantities={str(k): v for k, v in line_quantities.items()},
            restock_quantities={str(k): v for k, v in restock.items()},
            reason=reason,
            created_by=refunded_by if getattr(refunded_by, "is_authenticated", False) else None,
        )
        order_refund_requested.send(
            sender=Order, order=order, refund=refund, cash_drawer_shift_id=cash_drawer_shift_id
        )
        return refund


def order_refund_account_amount(*, refund) -> Decimal:
    """The part of a refund that goes back to a credit account rather than card, wallet or cash."""
    return refund.amount - sum(getattr(refund, field) for field in REFUND_PART_FIELDS)


def _refund_record(*, refund_id: int, stripe_refund_id: str = "") -> OrderRefund:
    with transaction.atomic():
        refund = OrderRefund.objects.select_for_update().select_related("order").get(pk=refund_id)
        if refund.status != OrderRefund.Status.PENDING:
            return refund
        order = Order.objects.select_for_update().get(pk=refund.order_id)
        sources = _sources_by_type(order)
        for name, route in REFUND_ROUTES.items():
            part = _refund_part(refund=refund, route=route)
            if part:
                route.pay_back(
                    source=sources[name], refund=refund, amount=part, reference=stripe_refund_id
                )
        event_type, _created = PaymentEventType.objects.get_or_create(name=PAYMENT_EVENT_REFUNDED)
        event = PaymentEvent.objects.create(
            order=order,
            event_type=event_type,
            amount=refund.amount,
            reference=stripe_refund_id or str(refund.public_id),
        )
        for line_id, quantity in (refund.line_quantities or {}).items():
            PaymentEventQuantity.objects.create(
                event=event, line_id=int(line_id), quantity=quantity
            )
        refund.status = OrderRefund.Status.SUCCEEDED
        refund.stripe_refund_id = stripe_refund_id
        refund.completed_at = timezone.now()
        refund.save(update_fields=["status", "stripe_refund_id", "completed_at"])
        OrderNote.objects.create(
            order=order,
            user=refund.created_by,
            note_type=OrderNote.SYSTEM,
            message=_(
                "Refunded %(amount)s (card %(card)s, campus card %(wallet)s, "
                "cash at the store %(cash)s). %(reason)s"
            )
            % {
                "amount": currency(refund.amount, order.currency),
                "card": currency(refund.card_amount, order.currency),
                "wallet": currency(refund.wallet_amount, order.currency),
                "cash": currency(refund.cash_amount, order.currency),
                "reason": refund.reason,
            },
        )
        fully_refunded = order_refundable_amount(order=order) <= 0
        if fully_refunded and ORDER_STATUS_REFUNDED in order.available_statuses():
            order.set_status(ORDER_STATUS_REFUNDED)
        order_lines_refunded_mark(order=order, whole_order=fully_refunded)
        order_refunded.send(sender=Order, order=order, refund=refund)
        transaction.on_commit(lambda: order_refund_email_send.delay(refund.pk))
        return refund


def order_refund(
    *,
    order_id: int,
    amount: Decimal | None = None,
    line_quantities: dict[int, int] | None = None,
    restock_quantities: dict[int, int] | None = None,
    reason: str = "",
    refunded_by=None,
    cash_drawer_shift_id: int | None = None,
) -> OrderRefund:
    """Refund part or all of a paid order: an amount, or quantities of its lines.

    Never more than was paid (minus earlier refunds). The card part goes back through a
    Stripe Refund (idempotency key = the refund row), the wallet part back to the wallet, the
    cash part is paid out at the store and the on-account part becomes a credit note;
    a "Refunded" payment event is recorded and a fully refunded order becomes "Refunded".
    ``restock_quantities`` ({line id: units}) are the refunded goods that came back sellable:
    they go back on the shelf in the transaction that records the refund.
    A cash part is handed over from a till drawer: ``cash_drawer_shift_id`` names the open
    shift whose drawer pays it, and the till's order_refund_requested receiver refuses a cash
    part without one (till sales are refunded through ``till.services.till_sale_refund``,
    which picks the drawer and records which shift paid).
    Raises ValidationError with a message for the operator, changing nothing, when refused.
    """
    refund = _refund_reserve(
        order_id=order_id,
        amount=amount,
        line_quantities=line_quantities or {},
        restock_quantities=restock_quantities or {},
        reason=reason,
        refunded_by=refunded_by,
        cash_drawer_shift_id=cash_drawer_shift_id,
    )
    stripe_refund_id = ""
    if refund.card_amount:
        card = _sources_by_type(refund.order)[SOURCE_TYPE_STRIPE]
        try:
            result = stripe_gateway.refund_create(
                payment_intent_id=card.reference,
                amount=refund.card_amount,
                currency=card.currency,
                idempotency_key=f"order-refund-{refund.public_id}",
            )
        except stripe_gateway.GatewayError as exc:
            with transaction.atomic():
                OrderRefund.objects.filter(pk=refund.pk).update(
                    status=OrderRefund.Status.FAILED, failure_message=str(exc)
                )
            raise ValidationError(
                _("Stripe did not accept the refund: %(reason)s") % {"reason": exc.user_message}
            ) from exc
        stripe_refund_id = result.id
    return _refund_record(refund_id=refund.pk, stripe_refund_id=stripe_refund_id)


def order_refund_reconcile_with_stripe(
    *, order_id: int, payment_intent_id: str, amount_refunded: Decimal
) -> OrderRefund | None:
    """Record card refunds made outside our dashboard (Stripe's), from ``charge.refunded``.

    Compares Stripe's running total with what we recorded (including refunds in flight), so a
    replayed or late event for a refund we made ourselves records nothing.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        card = _sources_by_type(order).get(SOURCE_TYPE_STRIPE)
        if card is None or card.reference != payment_intent_id:
            return None
        missing = amount_refunded - card.amount_refunded - _pending(order, "card_amount")
        if missing <= 0:
            return None
        refund = OrderRefund.objects.create(
            order=order,
            amount=missing,
            card_amount=missing,
            reason=_("Refunded in Stripe"),
        )
    return _refund_record(refund_id=refund.pk, stripe_refund_id="")
