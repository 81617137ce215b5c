"""Read-side of the CRM: the 360° profile, restrictions, duplicates, reports and KPIs.

Reports aggregate in SQL (annotate/aggregate with TruncDay/TruncWeek/TruncMonth); Python
only reshapes the few rows per period that come back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Lower, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from core.money import money_round
from crm.models import ContactLogEntry, ListEntry, SurveyInvitation, Ticket
from loyalty.economy import points_money_value
from loyalty.models import EarningRules, MemberCard, PointsAccount, PointsTransaction
from marketing.choices import ValueGroup
from recommendations.selectors import buy_again_products, new_for_you_products
from shop.apps.order.selectors import lines_paid, orders_paid
from wallet.selectors import wallet_get_for_user

User = get_user_model()
Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

# "Repeatedly fails to collect pre-orders": this many no-shows in the window puts the
# member on the grey list (must prepay) without anyone adding them by hand.
NO_SHOW_LIMIT = 2
NO_SHOW_WINDOW = dt.timedelta(days=180)


# =========================================================================== restrictions


@dataclass(frozen=True)
class Restrictions:
    may_pay_on_account: bool = True
    may_preorder: bool = True
    must_prepay_preorders: bool = False
    reason: str = ""
    lists: tuple[str, ...] = ()


def active_list_entries(*, user, now: dt.datetime | None = None):
    now = now or timezone.now()
    return ListEntry.objects.filter(customer=user).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def preorder_no_shows(*, user, now: dt.datetime | None = None) -> int:
    if not apps.is_installed("preorders"):
        return 0
    NoShow = apps.get_model("preorders", "NoShow")
    now = now or timezone.now()
    return NoShow.objects.filter(user=user, created_at__gte=now - NO_SHOW_WINDOW).count()


def customer_restrictions(*, user, now: dt.datetime | None = None) -> Restrictions:
    """What the checkout must refuse this customer (team contract: PREORDERS and credit).

    Black list: no pay-on-account, no pre-orders. Grey list, or NO_SHOW_LIMIT pre-order
    no-shows in NO_SHOW_WINDOW: pre-orders must be prepaid in full. A white-list entry
    waives the automatic no-show rule (staff vouched for the member), never a black entry.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Restrictions()
    entries = list(active_list_entries(user=user, now=now).values_list("kind", "reason"))
    kinds = {kind for kind, _reason in entries}
    reasons = {kind: reason for kind, reason in reversed(entries)}
    if ListEntry.Kind.BLACK in kinds:
        return Restrictions(
            may_pay_on_account=False,
            may_preorder=False,
            must_prepay_preorders=True,
            reason=_("Blacklisted: %(reason)s") % {"reason": reasons[ListEntry.Kind.BLACK]},
            lists=tuple(sorted(kinds)),
        )
    if ListEntry.Kind.GREY in kinds:
        return Restrictions(
            must_prepay_preorders=True,
            reason=_("Grey list: %(reason)s") % {"reason": reasons[ListEntry.Kind.GREY]},
            lists=tuple(sorted(kinds)),
        )
    if ListEntry.Kind.WHITE not in kinds:
        no_shows = preorder_no_shows(user=user, now=now)
        if no_shows >= NO_SHOW_LIMIT:
            return Restrictions(
                must_prepay_preorders=True,
                reason=_("%(count)s pre-orders not collected: pre-orders must be prepaid.")
                % {"count": no_shows},
                lists=(ListEntry.Kind.GREY,),
            )
    return Restrictions(lists=tuple(sorted(kinds)))


# =========================================================================== profile


@dataclass
class CustomerProfile:
    user: object
    cards: list
    card: object | None
    account: object | None
    wallet: object | None
    points_value: Decimal
    lifetime_spend: Decimal
    lifetime_orders: int
    spend_last_12_months: Decimal
    spend_window_end: dt.datetime | None
    orders_by_channel: list[dict]
    recent_orders: list
    favourite_categories: list[dict]
    new_for_you: list
    buy_again: list
    tickets: list
    surveys: list
    contact_log: list
    restrictions: Restrictions
    list_entries: list
    addresses: list = field(default_factory=list)


def favourite_categories(*, user_id: int, limit: int = 5) -> list[dict]:
    """Top categories by units bought (a product's first category)."""
    return list(
        lines_paid()
        .filter(order__user_id=user_id)
        .values(category=F("product__categories__name"))
        .exclude(category=None)
        .annotate(units=Sum("quantity"), spend=Sum("line_price_incl_tax"))
        .order_by("-units", "category")[:limit]
    )


def customer_profile(*, user_id: int, request=None) -> CustomerProfile:
    user = User.objects.get(pk=user_id)
    cards = list(
        MemberCard.objects.filter(user=user).select_related("member_type", "account__tier")
    )
    card = next(
        (c for c in cards if c.status in MemberCard.CURRENT_STATUSES),
        None,
    )
    account = card.account if card else None
    rules = EarningRules.load()
    points_value = (
        points_money_value(points=account.balance, points_per_cny=rules.points_per_cny_redeemed)
        if account
        else Decimal("0.00")
    )
    orders = orders_paid().filter(user=user)
    totals = orders.aggregate(
        spend=Sum("total_incl_tax"), count=Count("id"), last=Max("date_placed")
    )
    # The same 12 months as the tiers' (loyalty.selectors.accounts_spend_last_12_months).
    window_end = timezone.now()
    spend_12 = orders.filter(
        date_placed__gt=window_end - dt.timedelta(days=365), date_placed__lte=window_end
    ).aggregate(total=Sum("total_incl_tax"))["total"] or Decimal("0.00")
    by_channel = list(
        orders.values("channel")
        .annotate(orders=Count("id"), spend=Sum("total_incl_tax"))
        .order_by("channel")
    )
    channel_labels = dict(Order.Channel.choices)
    for row in by_channel:
        row["label"] = channel_labels.get(row["channel"], row["channel"])
    recent = list(
        Order.objects.filter(user=user)
        .prefetch_related("lines")
        .order_by("-date_placed", "-pk")[:20]
    )
    # The member's own two rows; a member with neither is shown what is popular right now.
    new_for_you = new_for_you_products(user=user, request=request, limit=6)
    buy_again = buy_again_products(user=user, request=request, limit=6)
    return CustomerProfile(
        user=user,
        cards=cards,
        card=card,
        account=account,
        wallet=wallet_get_for_user(user=user),
        points_value=points_value,
        lifetime_spend=totals["spend"] or Decimal("0.00"),
        lifetime_orders=totals["count"],
        spend_last_12_months=spend_12,
        spend_window_end=window_end,
        orders_by_channel=by_channel,
        recent_orders=recent,
        favourite_categories=favourite_categories(user_id=user.pk),
        new_for_you=new_for_you,
        buy_again=buy_again,
        tickets=list(
            Ticket.objects.filter(Q(customer=user) | Q(card__user=user)).select_related(
                "category", "assigned_to"
            )
        ),
        surveys=list(SurveyInvitation.objects.filter(customer=user).select_related("order")),
        contact_log=list(
            ContactLogEntry.objects.filter(customer=user).select_related("created_by")
        ),
        restrictions=customer_restrictions(user=user),
        list_entries=list(ListEntry.objects.filter(customer=user).select_related("created_by")),
        addresses=list(UserAddress.objects.filter(user=user)),
    )


def customer_search(*, query: str, limit: int = 50):
    """Customers by name, email, username or card number."""
    customers = User.objects.filter(is_staff=False).order_by("pk")
    query = (query or "").strip()
    if query:
        customers = customers.filter(
            Q(email__icontains=query)
            | Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(member_cards__number=query.replace(" ", ""))
        ).distinct()
    return customers[:limit]


# =========================================================================== duplicates


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str
    key: str
    user_ids: tuple[int, ...]


def duplicate_groups(*, limit: int = 100) -> list[DuplicateGroup]:
    """Active customers sharing an email (any case), a full name or an address phone number."""
    customers = User.objects.filter(is_active=True, is_staff=False)
    groups: list[DuplicateGroup] = []

    def collect(reason: str, rows: Iterable[tuple[str, int]]) -> None:
        by_key: dict[str, list[int]] = {}
        for key, user_id in rows:
            by_key.setdefault(key, []).append(user_id)
        for key, ids in sorted(by_key.items()):
            if len(set(ids)) > 1:
                groups.append(DuplicateGroup(reason, key, tuple(sorted(set(ids)))))

    emails = (
        customers.exclude(email="")
        .annotate(key=Lower("email"))
        .values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("key")
    )
    collect(
        _("Same email"),
        customers.annotate(key=Lower("email"))
        .filter(key__in=Subquery(emails))
        .values_list("key", "pk"),
    )
    names = (
        customers.exclude(first_name="")
        .exclude(last_name="")
        .annotate(first=Lower("first_name"), last=Lower("last_name"))
        .values("first", "last")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    name_keys = {(row["first"], row["last"]) for row in names}
    if name_keys:
        rows = customers.annotate(first=Lower("first_name"), last=Lower("last_name")).filter(
            first__in=[first for first, _last in name_keys],
            last__in=[last for _first, last in name_keys],
        )
        collect(
            _("Same name"),
            (
                (f"{row.first} {row.last}", row.pk)
                for row in rows
                if (row.first, row.last) in name_keys
            ),
        )
    phones = (
        UserAddress.objects.filter(user__in=customers)
        .exclude(phone_number="")
        .values("phone_number")
        .annotate(n=Count("user", distinct=True))
        .filter(n__gt=1)
        .values("phone_number")
    )
    collect(
        _("Same phone"),
        (
            (str(phone), user_id)
            for phone, user_id in UserAddress.objects.filter(
                phone_number__in=Subquery(phones), user__in=customers
            ).values_list("phone_number", "user_id")
        ),
    )
    return groups[:limit]


# =========================================================================== reports


@dataclass(frozen=True)
class DateWindow:
    """The days a report covers: ``start`` is the first day's midnight, ``end`` the midnight
    after the last day (exclusive), so queries read ``>= start`` and ``< end``."""

    start: dt.datetime
    end: dt.datetime

    @property
    def start_date(self) -> dt.date:
        return timezone.localtime(self.start).date()

    @property
    def end_date(self) -> dt.date:
        """The last day included, as people name a window ("to 4 December")."""
        return timezone.localtime(self.end).date() - dt.timedelta(days=1)


def report_window(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> DateWindow:
    """The requested days, or the last 12 months up to today (the demo's history is moved to
    end just before today, shop/demo/dates.py)."""
    tz = timezone.get_current_timezone()
    if date_to is None:
        date_to = timezone.localdate()
    if date_from is None:
        # Twelve whole months, the last one being date_to's: monthly charts start clean.
        month_index = date_to.year * 12 + date_to.month - 1 - 11
        date_from = dt.date(month_index // 12, month_index % 12 + 1, 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    return DateWindow(
        start=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz),
        end=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


PERIOD_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}

# How a period's figures compare with a whole one: ``COMPLETE``, still running (``SO_FAR``:
# today falls in it) or cut by the window's first or last day (``PARTIAL``).
PERIOD_COMPLETE, PERIOD_SO_FAR, PERIOD_PARTIAL = "complete", "so_far", "partial"


def _period_end(start: dt.date, period: str) -> dt.date:
    """The first day after the period that starts on ``start``."""
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    return start.replace(day=1) + relativedelta(months=1)


def period_state(
    *, start: dt.date, period: str, window: DateWindow | None, now: dt.datetime | None = None
) -> str:
    """Whether the period starting on ``start`` is whole, running or cut by ``window``.

    Without a window only "running" counts (the KPIs measure whole calendar months).
    """
    today = timezone.localdate(now) if now else timezone.localdate()
    end = _period_end(start, period)
    if start <= today < end and (window is None or window.end_date >= today):
        return PERIOD_SO_FAR
    if window is not None and (
        start < window.start_date or end - dt.timedelta(days=1) > window.end_date
    ):
        return PERIOD_PARTIAL
    return PERIOD_COMPLETE


def _window_orders(window: DateWindow):
    return orders_paid().filter(date_placed__gte=window.start, date_placed__lt=window.end)


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def sales_by_period(
    *, window: DateWindow, period: str = "month", now: dt.datetime | None = None
) -> list[dict]:
    """Orders, revenue and customers per period; ``state`` says whether a period is whole
    (a running month's bar is its takings so far, and is labelled so)."""
    trunc = PERIOD_TRUNC.get(period)
    if trunc is None:
        raise ValueError(f"Unknown period {period!r}")
    rows = (
        _window_orders(window)
        .annotate(period=trunc("date_placed"))
        .values("period")
        .annotate(
            orders=Count("id"),
            revenue=Sum("total_incl_tax"),
            customers=Count("user", distinct=True),
        )
        .order_by("period")
    )
    return [
        {
            **row,
            "period": _day(row["period"]),
            "revenue": money_round(row["revenue"]),
            "state": period_state(start=_day(row["period"]), period=period, window=window, now=now),
        }
        for row in rows
    ]


def sales_by_channel(*, window: DateWindow) -> list[dict]:
    labels = dict(Order.Channel.choices)
    rows = (
        _window_orders(window)
        .values("channel")
        .annotate(orders=Count("id"), revenue=Sum("total_incl_tax"))
        .order_by("channel")
    )
    return [
        {
            **row,
            "revenue": money_round(row["revenue"]),
            "label": str(labels.get(row["channel"], row["channel"])),
        }
        for row in rows
    ]


def sales_by_member_type(*, window: DateWindow) -> list[dict]:
    """Orders by the member type of the buyer's newest card; "no card" for the others."""
    newest_card_type = (
        MemberCard.objects.filter(user=OuterRef("user"))
        .order_by("-issued_on", "-pk")
        .values("member_type__name")[:1]
    )
    rows = (
        _window_orders(window)
        .annotate(member_type=Subquery(newest_card_type))
        .values("member_type")
        .annotate(orders=Count("id"), revenue=Sum("total_incl_tax"))
        .order_by("member_type")
    )
    return [
        {**row, "revenue": money_round(row["revenue"]), "label": row["member_type"] or _("No card")}
        for row in rows
    ]


def _customers_with_first_purchase():
    first = (
        orders_paid().filter(user=OuterRef("pk")).order_by("date_placed").values("date_placed")[:1]
    )
    return User.objects.annotate(first_purchase=Subquery(first)).filter(
        first_purchase__isnull=False
    )


def first_purchases_by_month(*, start: dt.datetime, end: dt.datetime) -> dict[dt.date, int]:
    """Customers whose first paid purchase falls in each month of [start, end)."""
    rows = (
        _customers_with_first_purchase()
        .filter(first_purchase__gte=start, first_purchase__lt=end)
        .annotate(month=TruncMonth("first_purchase"))
        .values("month")
        .annotate(n=Count("id"))
    )
    return {_day(row["month"]): row["n"] for row in rows}


def new_vs_returning(*, window: DateWindow, now: dt.datetime | None = None) -> list[dict]:
    """Per month: active customers, and how many of them bought for the very first time."""
    active = {
        _day(row["month"]): row["active"]
        for row in _window_orders(window)
        .annotate(month=TruncMonth("date_placed"))
        .values("month")
        .annotate(active=Count("user", distinct=True))
    }
    new = first_purchases_by_month(start=window.start, end=window.end)
    return [
        {
            "period": month,
            "active": active[month],
            "new": new.get(month, 0),
            "returning": active[month] - new.get(month, 0),
            "state": period_state(start=month, period="month", window=window, now=now),
        }
        for month in sorted(active)
    ]


def points_flows(*, window: DateWindow, now: dt.datetime | None = None) -> list[dict]:
    """Points issued (earned + positive adjustments), redeemed and expired per month."""
    rows = (
        PointsTransaction.objects.filter(created_at__gte=window.start, created_at__lt=window.end)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            issued=Sum("points", filter=Q(kind__in=["earn", "adjust"], points__gt=0)),
            redeemed=Sum("points", filter=Q(kind="redeem")),
            expired=Sum("points", filter=Q(kind="expire")),
        )
        .order_by("month")
    )
    return [
        {
            "period": _day(row["month"]),
            "issued": row["issued"] or 0,
            "redeemed": -(row["redeemed"] or 0),
            "expired": -(row["expired"] or 0),
            "state": period_state(start=_day(row["month"]), period="month", window=window, now=now),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class PointsLiability:
    points: int
    pending_points: int
    points_per_cny: int
    value: Decimal
    pending_value: Decimal


def points_liability() -> PointsLiability:
    """What the points members hold would cost the store if all were redeemed, in CNY."""
    rules = EarningRules.load()
    totals = PointsAccount.objects.aggregate(points=Sum("balance"), pending=Sum("pending_balance"))
    points, pending = totals["points"] or 0, totals["pending"] or 0
    rate = rules.points_per_cny_redeemed
    return PointsLiability(
        points=points,
        pending_points=pending,
        points_per_cny=rate,
        value=points_money_value(points=points, points_per_cny=rate),
        pending_value=points_money_value(points=pending, points_per_cny=rate),
    )


def tier_distribution() -> list[dict]:
    """Members per tier (accounts with a card in play)."""
    rows = (
        PointsAccount.objects.filter(cards__status__in=MemberCard.CURRENT_STATUSES)
        .values("tier__name", "tier__minimum_spend")
        .annotate(members=Count("id", distinct=True))
        .order_by("tier__minimum_spend")
    )
    return [{"label": row["tier__name"] or _("No tier"), "members": row["members"]} for row in rows]


def complaint_kpis(*, window: DateWindow, now: dt.datetime | None = None) -> list[dict]:
    """Per month: tickets, per 1,000 orders, mean hours to first reply, overdue, satisfaction.

    The rate per 1,000 orders is left blank for a month the window does not hold whole (the
    running month, or one cut by the window's first or last day): complaints come in days
    after the order, so a few days' orders against their complaints read as a jump.
    """
    first_reply = ExpressionWrapper(
        F("first_replied_at") - F("created_at"), output_field=DurationField()
    )
    rows = (
        Ticket.objects.filter(created_at__gte=window.start, created_at__lt=window.end)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            tickets=Count("id"),
            mean_first_reply=Avg(first_reply),
            late=Count(
                "id",
                filter=Q(first_replied_at__gt=F("first_reply_due_at"))
                | Q(first_replied_at__isnull=True, first_reply_due_at__lt=timezone.now()),
            ),
            satisfaction=Avg("satisfaction"),
        )
        .order_by("month")
    )
    orders = {
        _day(row["month"]): row["orders"]
        for row in _window_orders(window)
        .annotate(month=TruncMonth("date_placed"))
        .values("month")
        .annotate(orders=Count("id"))
    }
    result = []
    for row in rows:
        month = _day(row["month"])
        state = period_state(start=month, period="month", window=window, now=now)
        hours = (
            round(row["mean_first_reply"].total_seconds() / 3600, 1)
            if row["mean_first_reply"] is not None
            else None
        )
        result.append(
            {
                "period": month,
                "tickets": row["tickets"],
                "per_1000_orders": round(row["tickets"] * 1000 / orders[month], 2)
                if orders.get(month) and state == PERIOD_COMPLETE
                else None,
                "mean_hours_to_first_reply": hours,
                "late": row["late"],
                "satisfaction": round(row["satisfaction"], 2) if row["satisfaction"] else None,
                "state": state,
            }
        )
    return result


def ticket_queue():
    """Staff's ticket list: open first, overdue first among them."""
    return Ticket.objects.select_related("category", "customer", "assigned_to")


# =========================================================================== KPIs


def _month_starts(window: DateWindow, *, today: dt.date) -> list[dt.datetime]:
    """The calendar months the window touches, up to today's (later ones hold nothing yet)."""
    tz = timezone.get_current_timezone()
    start = window.start_date.replace(day=1)
    months = []
    while start <= min(window.end_date, today):
        months.append(dt.datetime.combine(start, dt.time.min, tzinfo=tz))
        start += relativedelta(months=1)
    return months


def kpis_by_month(*, window: DateWindow, now: dt.datetime | None = None) -> list[dict]:
    """Retention, churn, member growth, repeat purchase, satisfaction and complaint rate.

    Retention of month m: customers who bought in m-1 and bought again in m, over the
    buyers of m-1 (churn is the rest). Member growth: customers whose first paid purchase
    falls in m. Repeat-purchase rate: buyers of m with at least two orders in m.
    Satisfaction: NPS of the survey answers of m. One query per measure and month, each an
    SQL aggregate. Every month is a whole calendar month.

    The running month (``state`` "so_far") keeps its counts (buyers, new members, survey
    answers: month to date, labelled so) but has no rates. A rate needs the whole month:
    after three days most of last month's buyers have not been back yet (churn would read
    99 %), hardly anyone has bought twice, and complaints trail their orders by days. An
    analyst compares a rate with the same rate of earlier months, so the rate charts end
    with the last whole month rather than show a number that only looks comparable.
    """
    now = now or timezone.now()
    months = _month_starts(window, today=timezone.localdate(now))
    if not months:
        return []
    bounds = list(zip(months, [*months[1:], None], strict=True))
    previous_start = months[0] - relativedelta(months=1)
    rows = []
    orders = orders_paid().filter(user__isnull=False)
    prev_buyers = orders.filter(date_placed__gte=previous_start, date_placed__lt=months[0])
    # A member "joins" with their first paid purchase: cards of the demo were all issued on one
    # day, and accounts can be created long before anyone buys.
    members_total = _customers_with_first_purchase().filter(first_purchase__lt=months[0]).count()
    first_purchase = first_purchases_by_month(start=months[0], end=window.end)
    for start, end in bounds:
        end = end or start + relativedelta(months=1)
        month_orders = orders.filter(date_placed__gte=start, date_placed__lt=end)
        buyers = month_orders.aggregate(n=Count("user", distinct=True))["n"]
        prev_count = prev_buyers.aggregate(n=Count("user", distinct=True))["n"]
        retained = month_orders.filter(user_id__in=prev_buyers.values("user_id")).aggregate(
            n=Count("user", distinct=True)
        )["n"]
        repeaters = month_orders.values("user_id").annotate(n=Count("id")).filter(n__gte=2).count()
        new_members = first_purchase.get(start.date(), 0)
        members_total += new_members
        nps = SurveyInvitation.objects.filter(
            answered_at__gte=start, answered_at__lt=end
        ).aggregate(
            answers=Count("id"),
            promoters=Count("id", filter=Q(score__gte=9)),
            detractors=Count("id", filter=Q(score__lte=6)),
        )
        tickets = Ticket.objects.filter(created_at__gte=start, created_at__lt=end).count()
        order_count = month_orders.count()
        state = period_state(start=start.date(), period="month", window=None, now=now)
        whole = state == PERIOD_COMPLETE
        retention = round(retained * 100 / prev_count, 1) if prev_count and whole else None
        rows.append(
            {
                "period": start.date(),
                "buyers": buyers,
                "retention_percent": retention,
                "churn_percent": round(100 - retention, 1) if retention is not None else None,
                "new_members": new_members,
                "members_total": members_total,
                "repeat_purchase_percent": round(repeaters * 100 / buyers, 1)
                if buyers and whole
                else None,
                "nps": round((nps["promoters"] - nps["detractors"]) * 100 / nps["answers"])
                if nps["answers"] and whole
                else None,
                "survey_answers": nps["answers"],
                "complaints_per_1000_orders": round(tickets * 1000 / order_count, 2)
                if order_count and whole
                else None,
                "state": state,
            }
        )
        prev_buyers = month_orders
    return rows


# =========================================================================== loyalty-value matrix

NPS_GROUPS = ("promoter", "passive", "detractor")


def nps_group(score: int) -> str:
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def loyalty_value_matrix(*, rows: Iterable[tuple[str | None, int, int]]) -> dict[str, dict]:
    """Satisfaction (NPS group) against value group, from (value_group, score, count) rows.

    Kept free of the marketing app so it can be tested with its own inputs; the view feeds
    it from ``survey_scores_by_value_group``.
    """
    matrix: dict[str, dict] = {}
    for value_group, score, count in rows:
        group = value_group or "unscored"
        cell = matrix.setdefault(group, {name: 0 for name in NPS_GROUPS} | {"total": 0})
        cell[nps_group(score)] += count
        cell["total"] += count
    for cell in matrix.values():
        total = cell["total"]
        cell["nps"] = round((cell["promoter"] - cell["detractor"]) * 100 / total) if total else None
    return matrix


def survey_scores_by_value_group() -> list[tuple[str | None, int, int]]:
    """(value group, score, answers) in one query; value groups come from the marketing app's
    nightly segmentation when it is installed."""
    answered = SurveyInvitation.objects.filter(score__isnull=False)
    if apps.is_installed("marketing"):
        CustomerValue = apps.get_model("marketing", "CustomerValue")
        answered = answered.annotate(
            value_group=Subquery(
                CustomerValue.objects.filter(user=OuterRef("customer")).values("value_group")[:1]
            )
        )
        rows = answered.values("value_group", "score").annotate(n=Count("id"))
        return [(row["value_group"], row["score"], row["n"]) for row in rows]
    rows = answered.values("score").annotate(n=Count("id"))
    return [(None, row["score"], row["n"]) for row in rows]


def value_group_labels() -> dict[str, str]:
    labels = {"unscored": _("Not scored")}
    if apps.is_installed("marketing"):
        labels.update({value: str(label) for value, label in ValueGroup.choices})
    return labels
