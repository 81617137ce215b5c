"""Demo till data: two tills, the rota posts, this week's rota and weeks of closed shifts.

``till_demo_install()`` runs from ``load_demo`` after the demo staff accounts, the purchase
history and the member cards exist. It is idempotent: tills and posts by name, rota slots only
for a week that has none yet, the shift history only while no history order is a till sale.
What cashiers and operators may do at the till is their roles' (staff/roles.py).

The history's last ``TILL_HISTORY_WEEKS`` weeks become the till's own history: the two demo
cashiers take Till 1 in turns, one opens it with the float in the morning and hands the drawer
over to the other at 15:00, who closes it at night. Every history order of those weeks is a
cash sale rung up in the shift it falls in (the order with its cash payment source, as a live
till sale has), and each shift was counted against what it expected, a few of them a little
short or over, so the shift list, the handover reports and the receipts read like a store's.
The older history orders were paid in cash too (``history_payments_install``): every history
order carries its payment source, so the finance report's takings by method cover them all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from loyalty.models import MemberCard
from shop.apps.order.constants import PAYMENT_EVENT_PAID, SOURCE_TYPE_CASH
from shop.demo import constants as demo_constants
from till import selectors, services
from till.models import Register, RotaAssignment, RotaPost, Shift, TillSale

Line = get_model("order", "Line")
Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
PaymentEventType = get_model("order", "PaymentEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

REGISTER_NAMES = ("Till 1", "Till 2")
HISTORY_REGISTER = "Till 1"
ROTA_POSTS = ("Till 1", "Till 2", "Shelves", "Deli")
# The two demo cashiers (shop.demo.constants) take Till 1 in turns: one the morning, the other
# from the handover to closing; they swap every day.
DEMO_CASHIERS = ("cashier", "cashier2")
STORE_OPENS = dt.time(demo_constants.STORE_OPENS_HOUR)
HANDOVER_AT = dt.time(15)
STORE_CLOSES = dt.time(demo_constants.STORE_CLOSES_HOUR)
BULK_BATCH_SIZE = 1000
# (post, username, from, to) beside the cashiers' Till 1 turns, every opening day: the
# operator on the shelves and on Till 2 over the lunch rush; the deli is left for marketing to
# see an empty post.
DEMO_ROTA_OTHERS = (
    ("Shelves", "operator", dt.time(8), dt.time(12)),
    ("Till 2", "operator", dt.time(12), dt.time(14)),
    ("Shelves", "operator", dt.time(14), dt.time(17)),
)

TILL_HISTORY_WEEKS = 4
# The float counted into the drawer every morning (the open-shift form's suggestion too).
OPENING_FLOAT = Decimal("200.00")
# Per cent of shifts whose count is off, and by how much (counted minus expected).
COUNT_OFF_PERCENT = 20
COUNT_DIFFERENCES = (
    Decimal("-0.50"),
    Decimal("-1.00"),
    Decimal("-2.00"),
    Decimal("-5.00"),
    Decimal("0.50"),
    Decimal("1.00"),
)
# What a cashier writes on a count that is off: the demo's data, in English like its pages.
COUNT_OFF_NOTES = (
    "Counted twice, same result.",
    "Probably gave the wrong change once.",
    "Coins recounted, still the same.",
)
# What a customer pays with when not the exact amount: the next multiple of one of these.
CASH_NOTES = (Decimal("1"), Decimal("10"), Decimal("20"), Decimal("50"), Decimal("100"))


def _draw(key: str) -> int:
    """A stable number for ``key``, the same on every run."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def day_cashiers(*, day: dt.date) -> tuple[str, str]:
    """(morning, afternoon) cashier of Till 1 on ``day``: they swap every day."""
    first, second = DEMO_CASHIERS
    return (first, second) if day.toordinal() % 2 == 0 else (second, first)


def _rota_day(*, day: dt.date) -> list[tuple[str, str, dt.time, dt.time]]:
    morning, afternoon = day_cashiers(day=day)
    return [
        (HISTORY_REGISTER, morning, STORE_OPENS, HANDOVER_AT),
        (HISTORY_REGISTER, afternoon, HANDOVER_AT, STORE_CLOSES),
        *DEMO_ROTA_OTHERS,
    ]


def _cash_tendered(*, total: Decimal, key: str) -> Decimal:
    """The cash handed over: a quarter pay the exact amount, the rest the next note above."""
    draw = _draw(f"tendered:{key}")
    if not total or draw % 4 == 0:
        return total
    note = CASH_NOTES[draw // 4 % len(CASH_NOTES)]
    return (total // note + 1) * note


def _local(day: dt.date, at: dt.time, *, minutes: int = 0) -> dt.datetime:
    moment = dt.datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment + dt.timedelta(minutes=minutes)


def _history_orders_by_day(*, since: dt.datetime, until: dt.datetime) -> dict[dt.date, list]:
    orders = (
        Order.objects.filter(
            number__startswith=demo_constants.HISTORY_ORDER_NUMBER_PREFIX,
            date_placed__gte=since,
            date_placed__lt=until,
        )
        .order_by("date_placed", "pk")
        .values_list("pk", "number", "user_id", "date_placed", "total_incl_tax")
    )
    by_day: dict[dt.date, list] = {}
    for row in orders:
        by_day.setdefault(timezone.localdate(row[3]), []).append(row)
    return by_day


def _payments_record(*, payments: list[tuple[int, Decimal, str, dt.datetime]]) -> None:
    """A cash Source and "Paid" event for each (order id, amount, reference, paid at), dated
    when it was paid, as a live till sale's. An order that already has a payment source is
    left alone, so no order is paid twice whichever part of the demo reached it first."""
    already_paid = set(
        Source.objects.filter(order_id__in=[row[0] for row in payments]).values_list(
            "order_id", flat=True
        )
    )
    payments = [row for row in payments if row[0] not in already_paid]
    cash, _created = SourceType.objects.get_or_create(name=SOURCE_TYPE_CASH)
    paid, _created = PaymentEventType.objects.get_or_create(name=PAYMENT_EVENT_PAID)
    Source.objects.bulk_create(
        [
            Source(
                order_id=order_id,
                source_type=cash,
                currency=settings.OSCAR_DEFAULT_CURRENCY,
                amount_allocated=amount,
                amount_debited=amount,
                reference=reference,
            )
            for order_id, amount, reference, _paid_at in payments
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    events = PaymentEvent.objects.bulk_create(
        [
            PaymentEvent(order_id=order_id, event_type=paid, amount=amount, reference=reference)
            for order_id, amount, reference, _paid_at in payments
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    paid_at = {row[0]: row[3] for row in payments}
    for event in events:
        event.date_created = paid_at[event.order_id]
    # auto_now_add stamps "now" on insert; the update keeps the dates given.
    PaymentEvent.objects.bulk_update(events, ["date_created"], batch_size=BULK_BATCH_SIZE)
    event_of_order = {event.order_id: event.pk for event in events}
    PaymentEventQuantity.objects.bulk_create(
        [
            PaymentEventQuantity(event_id=event_of_order[order_id], line_id=line_id, quantity=qty)
            for line_id, order_id, qty in Line.objects.filter(
                order_id__in=list(event_of_order)
            ).values_list("pk", "order_id", "quantity")
        ],
        batch_size=BULK_BATCH_SIZE,
    )


def history_payments_install() -> int:
    """Cash payments for the history orders before the till's own weeks; returns how many.

    The history is the store's till sales (channel "store"), and every paid order carries the
    payment source it was paid with, as the checkout and the till write it: the finance
    report's takings by payment method read those. The weeks the till history covers got
    theirs with their shifts; the older orders were paid in cash too, before the till kept
    shifts, so they have a source and "Paid" event but no shift or receipt. Idempotent: only
    orders without a source are paid.
    """
    unpaid = list(
        Order.objects.filter(
            number__startswith=demo_constants.HISTORY_ORDER_NUMBER_PREFIX, sources__isnull=True
        ).values_list("pk", "total_incl_tax", "date_placed")
    )
    _payments_record(payments=[(pk, total, "history", placed) for pk, total, placed in unpaid])
    return len(unpaid)


def till_history_install(*, as_of: dt.datetime) -> int:
    """Closed shifts and their cash sales for the history's last weeks; returns the shifts.

    Runs once: a database whose history orders already include till sales is left alone.
    """
    prefix = demo_constants.HISTORY_ORDER_NUMBER_PREFIX
    if TillSale.objects.filter(order__number__startswith=prefix).exists():
        return 0
    users = get_user_model().objects.in_bulk(DEMO_CASHIERS, field_name="username")
    if len(users) < len(DEMO_CASHIERS):
        return 0
    register = Register.objects.get(name=HISTORY_REGISTER)
    today = timezone.localdate(as_of)
    orders_by_day = _history_orders_by_day(
        since=_local(today - dt.timedelta(weeks=TILL_HISTORY_WEEKS), dt.time()),
        until=_local(today, dt.time()),
    )
    cards: dict[int, tuple[int, dt.date, dt.date]] = {
        user_id: (pk, issued_on, expires_on)
        for pk, user_id, issued_on, expires_on in MemberCard.objects.filter(
            user_id__in={row[2] for rows in orders_by_day.values() for row in rows}
        ).values_list("pk", "user_id", "issued_on", "expires_on")
    }

    shifts_created = 0
    sales: list[TillSale] = []
    placed: dict[int, dt.datetime] = {}
    for day, orders in sorted(orders_by_day.items()):
        handover = _local(day, HANDOVER_AT, minutes=_draw(f"handover:{day}") % 10)
        previous = None
        for part, cashier in enumerate(day_cashiers(day=day)):
            key = f"{day}:{part}"
            shift = Shift(
                register=register,
                cashier=users[cashier],
                opening_float=previous.counted_cash if previous else OPENING_FLOAT,
                opened_at=previous.closed_at if previous else _local(day, STORE_OPENS, minutes=-15),
                closed_at=handover
                if part == 0
                else _local(day, STORE_CLOSES, minutes=5 + _draw(f"close:{key}") % 15),
                previous_shift=previous,
            )
            in_shift = [row for row in orders if shift.opened_at <= row[3] < shift.closed_at]
            cash = sum((row[4] for row in in_shift), Decimal("0.00"))
            shift.expected_cash = shift.opening_float + cash
            shift.counted_cash = shift.expected_cash
            if _draw(f"count:{key}") % 100 < COUNT_OFF_PERCENT:
                off = COUNT_DIFFERENCES[_draw(f"off:{key}") % len(COUNT_DIFFERENCES)]
                shift.counted_cash = max(shift.expected_cash + off, Decimal("0.00"))
                shift.closing_note = COUNT_OFF_NOTES[_draw(f"note:{key}") % len(COUNT_OFF_NOTES)]
            shift.save()
            shifts_created += 1
            for order_id, number, user_id, date_placed, total in in_shift:
                card = cards.get(user_id)
                tendered = _cash_tendered(total=total, key=number)
                sales.append(
                    TillSale(
                        order_id=order_id,
                        shift=shift,
                        cashier=shift.cashier,
                        # The member showed their card, if it was valid that day.
                        card_id=card[0] if card and card[1] <= day <= card[2] else None,
                        payment_method=TillSale.PaymentMethod.CASH,
                        total=total,
                        cash_tendered=tendered,
                        change_given=tendered - total,
                    )
                )
                placed[order_id] = date_placed
            previous = shift
    TillSale.objects.bulk_create(sales)
    for sale in sales:
        sale.created_at = placed[sale.order_id]
    # auto_now_add stamps "now" on insert; the update keeps when each sale was rung up.
    TillSale.objects.bulk_update(sales, ["created_at"])
    _payments_record(
        payments=[
            (sale.order_id, sale.total, f"shift:{sale.shift_id}", placed[sale.order_id])
            for sale in sales
        ]
    )
    return shifts_created


@transaction.atomic
def till_demo_install(*, today: dt.date | None = None, as_of: dt.datetime | None = None) -> int:
    """Tills, posts, this week's rota and the shift history; returns the rota slots created.

    ``as_of`` is the demo's moment (shop.demo.dates): the shift history covers the weeks
    before it.
    """
    for name in REGISTER_NAMES:
        Register.objects.get_or_create(name=name)
    for position, name in enumerate(ROTA_POSTS):
        RotaPost.objects.get_or_create(name=name, defaults={"position": position})
    till_history_install(as_of=as_of or timezone.now())
    # After the till's weeks, so those orders keep the payment their shift recorded.
    history_payments_install()

    monday = selectors.week_monday(day=today or timezone.localdate())
    if RotaAssignment.objects.filter(
        day__gte=monday, day__lt=monday + dt.timedelta(days=7)
    ).exists():
        return 0
    users = get_user_model().objects.in_bulk([*DEMO_CASHIERS, "operator"], field_name="username")
    posts = {post.name: post for post in RotaPost.objects.all()}
    created = 0
    for offset in range(6):  # Monday to Saturday
        day = monday + dt.timedelta(days=offset)
        for post_name, username, starts_at, ends_at in _rota_day(day=day):
            if username not in users:
                continue
            services.rota_assignment_save(
                post_id=posts[post_name].pk,
                staff=users[username],
                day=day,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            created += 1
    return created
