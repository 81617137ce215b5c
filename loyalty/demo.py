"""Demo members get a member card and the points their purchase history would have earned.

``loyalty_demo_install(as_of=...)`` runs after the demo loader (shop.demo) created the members
and their history orders (moved to end just before ``as_of``, shop/demo/dates.py). It issues
every demo member a card whose number is derived from the member number (so the docs and
``make run`` can name one) with the PIN ``DEMO_CARD_PIN``, then replays each member's paid
orders into the points ledger in bulk: an earn row per order under today's earning rules (the
tier the member held at the time included), and an expire row wherever those points would have
expired by ``as_of``. Balances, pending points and expiring points come out exactly as if the
live services had run order by order, and the tier from the same 12-month spend the nightly
job reads; re-running issues and replays nothing twice (members who already hold a card are
skipped).

Each card runs its member type's ``card_validity_years`` and was issued before the member's
first purchase when that validity covers the history (a shorter one reads as a card renewed on
the way); by a stable draw on the member number a few of them expired after the member stopped
coming and some expire within the month, so the card rules and the renewal screens have cards
to show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from loyalty import economy, selectors
from loyalty.models import (
    EarningCampaign,
    EarningRules,
    MemberCard,
    MemberType,
    PointsAccount,
    PointsTransaction,
    Tier,
)
from shop.apps.order.selectors import orders_paid
from shop.demo import constants as demo_constants

# Printed by `make run` and written in the README: every demo card opens with it.
DEMO_CARD_PIN = "2468"
BULK_BATCH_SIZE = 2000
# A stable spread of member types over member numbers (out of 20): mostly students.
MEMBER_TYPE_BY_REMAINDER = ["student"] * 14 + ["staff"] * 3 + ["faculty"] * 2 + ["alumni"]
# Per mille of members, by a stable draw: cards that expired after their holder's last visit
# (only holders who have not been in for EXPIRED_AFTER_IDLE_DAYS), and cards expiring within
# EXPIRING_WITHIN_DAYS. The rest stay valid past the month.
EXPIRED_PER_MILLE = 20
EXPIRING_PER_MILLE = 40
EXPIRED_AFTER_IDLE_DAYS = 60
EXPIRING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class LoyaltyDemoSummary:
    cards_issued: int
    earn_rows: int
    expire_rows: int
    points_earned: int
    points_expired: int


def demo_card_number(*, member_number: int) -> str:
    return economy.card_number_for_serial(serial=member_number)


def demo_card_sample() -> str | None:
    """A demo member's card number (the busiest shopper's), for load_demo to print.

    Only an active card valid past the month: the printed card must work at the till and on
    the website for whoever tries the demo in the coming weeks.
    """
    busiest = (
        MemberCard.objects.usable(
            on=timezone.localdate() + dt.timedelta(days=EXPIRING_WITHIN_DAYS + 1)
        )
        .filter(user__username__startswith=demo_constants.MEMBER_USERNAME_PREFIX)
        .annotate(order_count=Count("user__orders"))
        .order_by("-order_count", "number")
        .values_list("number", flat=True)
    )
    return busiest.first()


def demo_member_type_code(*, member_number: int) -> str:
    return MEMBER_TYPE_BY_REMAINDER[member_number % len(MEMBER_TYPE_BY_REMAINDER)]


def _stable_draws(member_number: int) -> tuple[int, float]:
    """A per-mille bucket and a fraction in [0, 1), the same on every run for the member."""
    digest = hashlib.sha256(f"card:{member_number}".encode()).digest()
    return (
        int.from_bytes(digest[:4], "big") % 1000,
        int.from_bytes(digest[4:8], "big") / 2**32,
    )


def demo_card_dates(
    *,
    member_number: int,
    first_visit: dt.date,
    last_visit: dt.date,
    today: dt.date,
    validity_years: int,
) -> tuple[dt.date, dt.date]:
    """(issued on, expires on) of a demo member's card valid ``validity_years``, as of ``today``.

    Issued no later than the first visit when the validity reaches from there past the month;
    a shorter validity gives the latest card of a member who renewed. A card that expired did
    so after its holder's last visit, so no history order was paid with an expired card.
    """
    bucket, fraction = _stable_draws(member_number)
    idle_days = (today - last_visit).days
    if bucket < EXPIRED_PER_MILLE and idle_days > EXPIRED_AFTER_IDLE_DAYS:
        # Some day between the last visit and yesterday.
        expires_on = last_visit + dt.timedelta(days=1 + int(fraction * (idle_days - 1)))
    elif bucket < EXPIRED_PER_MILLE + EXPIRING_PER_MILLE:
        expires_on = today + dt.timedelta(days=1 + int(fraction * EXPIRING_WITHIN_DAYS))
    else:
        earliest = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS + 1)
        latest = max(economy.years_later(day=first_visit, years=validity_years), earliest)
        expires_on = earliest + dt.timedelta(days=int(fraction * (latest - earliest).days))
    return economy.years_later(day=expires_on, years=-validity_years), expires_on


def _demo_members_without_card() -> dict[int, int]:
    """user id -> member number, for demo members who hold no card yet."""
    prefix = demo_constants.MEMBER_USERNAME_PREFIX
    members = {}
    holders = MemberCard.objects.filter(user__isnull=False).values("user_id")
    for user_id, username in (
        get_user_model()
        .objects.filter(username__startswith=prefix)
        .exclude(pk__in=holders)
        .values_list("pk", "username")
    ):
        suffix = username[len(prefix) :]
        if suffix.isdigit():
            members[user_id] = int(suffix)
    return members


def _campaign_multiplier_at(campaigns, at: dt.datetime) -> Decimal:
    active = [m for starts, ends, m in campaigns if starts <= at < ends]
    return max(active) if active else Decimal("1")


def _tier_for(tiers: list[Tier], spend: Decimal) -> Tier | None:
    held = None
    for tier in tiers:  # ascending minimum spend
        if tier.minimum_spend <= spend:
            held = tier
    return held


@transaction.atomic
def loyalty_demo_install(*, as_of: dt.datetime | None = None) -> LoyaltyDemoSummary:
    Line = get_model("order", "Line")
    Product = get_model("catalogue", "Product")

    as_of = as_of or timezone.now()
    members = _demo_members_without_card()
    if not members:
        return LoyaltyDemoSummary(0, 0, 0, 0, 0)
    rules = EarningRules.load()
    tiers = list(Tier.objects.order_by("minimum_spend"))
    member_types = {t.code: t for t in MemberType.objects.all()}
    campaigns = list(EarningCampaign.objects.values_list("starts_at", "ends_at", "multiplier"))
    multipliers = selectors.line_multipliers(products=list(Product.objects.only("pk", "parent_id")))
    # Hashing is slow on purpose (PBKDF2): one hash serves every demo card.
    pin_hash = make_password(DEMO_CARD_PIN)

    user_ids = sorted(members)
    orders = list(
        orders_paid()
        .filter(user_id__in=user_ids, date_placed__lte=as_of)
        .order_by("user_id", "date_placed", "pk")
        .values_list("pk", "user_id", "date_placed", "total_incl_tax", "shipping_incl_tax")
    )
    today = timezone.localdate(as_of)
    visits: dict[int, tuple[dt.date, dt.date]] = {}
    for _order_id, user_id, placed, _total, _shipping in orders:  # by user, then date
        day = timezone.localdate(placed)
        visits[user_id] = (visits.get(user_id, (day, day))[0], day)
    accounts = PointsAccount.objects.bulk_create(
        [PointsAccount() for _ in user_ids], batch_size=BULK_BATCH_SIZE
    )
    account_of_user = dict(zip(user_ids, accounts, strict=True))
    cards = []
    for user_id in user_ids:
        first_visit, last_visit = visits.get(user_id, (today, today))
        member_type = member_types[demo_member_type_code(member_number=members[user_id])]
        issued_on, expires_on = demo_card_dates(
            member_number=members[user_id],
            first_visit=first_visit,
            last_visit=last_visit,
            today=today,
            validity_years=member_type.card_validity_years,
        )
        cards.append(
            MemberCard(
                number=demo_card_number(member_number=members[user_id]),
                member_type=member_type,
                account=account_of_user[user_id],
                pin_hash=pin_hash,
                issued_on=issued_on,
                expires_on=expires_on,
                user_id=user_id,
                campus_id=str(members[user_id]),
            )
        )
    MemberCard.objects.bulk_create(cards, batch_size=BULK_BATCH_SIZE)

    lines_of_order: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for order_id, product_id, price in Line.objects.filter(
        order_id__in=[o[0] for o in orders]
    ).values_list("order_id", "product_id", "line_price_incl_tax"):
        lines_of_order.setdefault(order_id, []).append(
            (price, multipliers.get(product_id, Decimal("1")))
        )

    rows: list[PointsTransaction] = []
    earned_total = expired_total = expire_rows = 0
    window: deque[tuple[dt.datetime, Decimal]] = deque()
    current_user = None
    for order_id, user_id, placed, total, shipping in orders:
        account = account_of_user[user_id]
        if user_id != current_user:
            current_user, window = user_id, deque()
        # The tier held when the order was paid: spend of the 12 months before it.
        while window and window[0][0] <= placed - dt.timedelta(days=365):
            window.popleft()
        tier = _tier_for(tiers, sum((g for _d, g in window), Decimal("0")))
        goods = total - shipping
        window.append((placed, goods))
        card_type = member_types[demo_member_type_code(member_number=members[user_id])]
        points = economy.points_earned(
            goods_paid=goods,
            line_amounts=lines_of_order.get(order_id, []),
            points_per_cny=rules.points_per_cny,
            minimum_order_value=rules.minimum_order_value,
            campaign_multiplier=_campaign_multiplier_at(campaigns, placed),
            member_type_multiplier=card_type.earn_multiplier,
            tier_multiplier=tier.earn_multiplier if tier else Decimal("1"),
        )
        if points <= 0:
            continue
        available_at = economy.points_available_at(
            earned_at=placed, pending_days=rules.pending_days
        )
        expires_at = economy.points_expire_at(earned_at=placed, expiry_months=rules.expiry_months)
        expired = expires_at <= as_of
        pending = available_at > as_of
        rows.append(
            PointsTransaction(
                account=account,
                kind=PointsTransaction.Kind.EARN,
                points=points,
                remaining=0 if expired else points,
                is_pending=pending,
                available_at=available_at,
                expires_at=expires_at,
                order_id=order_id,
                created_at=placed,
            )
        )
        earned_total += points
        if expired:
            rows.append(
                PointsTransaction(
                    account=account,
                    kind=PointsTransaction.Kind.EXPIRE,
                    points=-points,
                    available_at=expires_at,
                    created_at=expires_at,
                    reason=_("Expired (earned %(date)s)") % {"date": placed.date()},
                )
            )
            expire_rows += 1
            expired_total += points
        elif pending:
            account.pending_balance += points
        else:
            account.balance += points
    PointsTransaction.objects.bulk_create(rows, batch_size=BULK_BATCH_SIZE)

    # The nightly job's definition of the 12 months, so a member's next order (or the next
    # night) finds the tier it would set itself.
    spends = selectors.accounts_spend_last_12_months(
        now=as_of, account_ids=[account.pk for account in accounts]
    )
    for account in accounts:
        account.spend_last_12_months = spends.get(account.pk, Decimal("0.00"))
        # Demo members are not emailed about the tier their history put them in.
        account.tier = account.tier_notified = _tier_for(tiers, account.spend_last_12_months)
    PointsAccount.objects.bulk_update(
        accounts,
        ["balance", "pending_balance", "spend_last_12_months", "tier", "tier_notified"],
        batch_size=BULK_BATCH_SIZE,
    )
    return LoyaltyDemoSummary(
        cards_issued=len(accounts),
        earn_rows=len(rows) - expire_rows,
        expire_rows=expire_rows,
        points_earned=earned_total,
        points_expired=expired_total,
    )
