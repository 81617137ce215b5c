"""Read-side helpers for orders (HackSoft style: services write, selectors read)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext
from oscar.core.loading import get_model

from shop.apps.order.constants import (
    PAID_STATUSES,
    SOURCE_TYPE_CASH,
    SOURCE_TYPE_ON_ACCOUNT,
    SOURCE_TYPE_STRIPE,
    SOURCE_TYPE_WALLET,
)

Order = get_model("order", "Order")
Line = get_model("order", "Line")


def orders_paid() -> QuerySet:
    """Orders that were paid, whatever became of them since (shipped, collected, refunded):
    the one definition of "paid orders" for reports, segments, loyalty and recommendations."""
    return Order.objects.filter(status__in=PAID_STATUSES)


def lines_paid() -> QuerySet:
    """The lines of ``orders_paid()``: what was bought, for units and sales per product."""
    return Line.objects.filter(order__status__in=PAID_STATUSES)


@dataclass(frozen=True)
class OrderPayment:
    """One way an order was paid, in the shopper's words: "Campus card wallet", ¥1.90."""

    label: str
    amount: Decimal


def payment_method_label(*, source_type: str) -> str:
    """A payment source type in the words shoppers and staff read ("Bank card", not the
    gateway's name "Stripe"); the one mapping for receipts, reports and dashboard screens."""
    labels = {
        SOURCE_TYPE_STRIPE: gettext("Bank card"),
        SOURCE_TYPE_WALLET: gettext("Campus card wallet"),
        SOURCE_TYPE_ON_ACCOUNT: gettext("Department account"),
        SOURCE_TYPE_CASH: gettext("Cash"),
    }
    return labels.get(source_type, source_type)


def _source_label(source) -> str:
    name = source.source_type.name
    if name == SOURCE_TYPE_STRIPE:
        # The checkout keeps the card's last four digits in the source's label.
        last4 = source.label
        if len(last4) == 4 and last4.isdigit():
            card = gettext("Card ending %(last4)s") % {"last4": last4}
        else:
            card = payment_method_label(source_type=name)
        if source.amount_debited < source.amount_allocated:
            # Only a pre-order leaves a card authorised (or saved) and not yet charged.
            return gettext("%(card)s, authorised: charged on release") % {"card": card}
        return card
    return payment_method_label(source_type=name)


def order_payments(
    *, order, points_spent: int = 0, points_spent_value: Decimal = Decimal(0)
) -> list[OrderPayment]:
    """How the order was paid: the points it spent, then each payment source in the order
    they were taken. Points are a discount in Oscar's books, not a source, yet to the shopper
    they paid part of the bill, so they are listed with the rest. The points come from the
    caller (loyalty keeps them), so that loyalty can read paid orders here without a circle."""
    payments = []
    if points_spent:
        payments.append(
            OrderPayment(
                label=ngettext(
                    "Points (%(points)d point)", "Points (%(points)d points)", points_spent
                )
                % {"points": points_spent},
                amount=points_spent_value,
            )
        )
    for source in order.sources.select_related("source_type").order_by("pk"):
        payments.append(OrderPayment(label=_source_label(source), amount=source.amount_allocated))
    return payments
