"""Read-side queries for loyalty (HackSoft style: selectors read, services write)."""

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import F, Max, Q, QuerySet, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from loyalty import economy
from loyalty.models import (
    BasketPointsRedemption,
    CategoryEarningMultiplier,
    EarningCampaign,
    EarningRules,
    MemberCard,
    MemberCardRenewal,
    PointsTransaction,
    ProductEarningMultiplier,
    Tier,
)
from shop.cache import cache_forget
from shop.request_memo import request_memo_read
from staff.roles import CASHIERS_GROUP, MARKETING_MANAGERS_GROUP

orders_paid = get_class("order.selectors", "orders_paid")


def campaign_multiplier(*, at: dt.datetime) -> Decimal:
    best = EarningCampaign.objects.filter(starts_at__lte=at, ends_at__gt=at).aggregate(
        best=Max("multiplier")
    )["best"]
    return best if best is not None else Decimal("1")


def line_multipliers(*, products) -> dict[int, Decimal]:
    """Product id -> multiplier: the product's own, else its most specific category's.

    A product in several categories takes the lowest of them, so a 0 on any category it is
    filed under (low-margin goods) is not undone by another.
    """
    product_ids = {p.pk for p in products} | {p.parent_id for p in products if p.parent_id}
    own = dict(
        ProductEarningMultiplier.objects.filter(product_id__in=product_ids).values_list(
            "product_id", "multiplier"
        )
    )
    by_path = {
        path: multiplier
        for path, multiplier in CategoryEarningMultiplier.objects.values_list(
            "category__path", "multiplier"
        )
    }
    category_paths: dict[int, list[str]] = {}
    if by_path:
        ProductCategory = get_model("catalogue", "ProductCategory")
        for product_id, path in ProductCategory.objects.filter(
            product_id__in=product_ids
        ).values_list("product_id", "category__path"):
            category_paths.setdefault(product_id, []).append(path)
    result = {}
    for product in products:
        for candidate in (product.pk, product.parent_id):
            if candidate in own:
                result[product.pk] = own[candidate]
                break
        else:
            per_category = []
            for path in category_paths.get(product.parent_id or product.pk, []):
                # Treebeard paths: an ancestor's path is a prefix of its descendants' paths.
                matches = [p for p in by_path if path.startswith(p)]
                if matches:
                    per_category.append(by_path[max(matches, key=len)])
            result[product.pk] = min(per_category) if per_category else Decimal("1")
    return result


def order_goods_paid(*, order) -> Decimal:
    """What the customer paid for the goods: after every discount, shipping excluded."""
    return order.total_incl_tax - order.shipping_incl_tax


def order_amount_paid(*, order) -> Decimal:
    return order.total_incl_tax


def order_points_quote(*, order, rules: EarningRules, card, account) -> int:
    """The points a paid order earns under the rules, for the card's type and tier."""
    lines = list(order.lines.select_related("product"))
    multipliers = line_multipliers(products=[line.product for line in lines if line.product_id])
    return economy.points_earned(
        goods_paid=order_goods_paid(order=order),
        line_amounts=[
            (line.line_price_incl_tax, multipliers.get(line.product_id, Decimal("1")))
            for line in lines
        ],
        points_per_cny=rules.points_per_cny,
        minimum_order_value=rules.minimum_order_value,
        campaign_multiplier=campaign_multiplier(at=order.date_placed),
        member_type_multiplier=card.member_type.earn_multiplier,
        tier_multiplier=account.tier.earn_multiplier if account.tier_id else Decimal("1"),
    )


def points_ledger_sum(*, account_id: int) -> int:
    """Sum of every movement: must equal balance + pending balance."""
    return (
        PointsTransaction.objects.filter(account_id=account_id).aggregate(total=Sum("points"))[
            "total"
        ]
        or 0
    )


def accounts_spend_last_12_months(
    *, now: dt.datetime | None = None, account_ids: list[int] | None = None
) -> dict[int, Decimal]:
    """Goods paid over the last 365 days by each account's card holders, refunds deducted.

    The one definition of "qualifying spend": the nightly tier job reads it for every
    account in three queries, the per-account recompute for one. Accounts without card
    holders or orders are absent (spend 0). A holder of cards in two accounts counts for both.
    """
    now = now or timezone.now()
    holders = MemberCard.objects.filter(user__isnull=False)
    if account_ids is not None:
        holders = holders.filter(account_id__in=account_ids)
    # Distinct pairs: a replaced card leaves two cards of one holder in one account.
    account_users = set(holders.values_list("account_id", "user_id").distinct())
    if not account_users:
        return {}
    OrderRefund = get_model("order", "OrderRefund")
    window = dict(date_placed__gt=now - dt.timedelta(days=365), date_placed__lte=now)
    orders = orders_paid().filter(user_id__in=holders.values("user_id"), **window)
    net_by_user: dict[int, Decimal] = {
        row["user_id"]: row["total"]
        for row in orders.values("user_id")
        .order_by()
        .annotate(total=Sum(F("total_incl_tax") - F("shipping_incl_tax")))
    }
    refunds = OrderRefund.objects.filter(order__in=orders, status=OrderRefund.Status.SUCCEEDED)
    for row in refunds.values("order__user_id").order_by().annotate(total=Sum("amount")):
        net_by_user[row["order__user_id"]] -= row["total"]
    spend: dict[int, Decimal] = {}
    for account_id, user_id in account_users:
        if user_id in net_by_user:
            spend[account_id] = spend.get(account_id, Decimal("0.00")) + net_by_user[user_id]
    return {account_id: max(Decimal("0.00"), total) for account_id, total in spend.items()}


def account_spend_last_12_months(*, account_id: int, now: dt.datetime | None = None) -> Decimal:
    """Goods paid over the last 365 days by the account's card holders, refunds deducted."""
    return accounts_spend_last_12_months(now=now, account_ids=[account_id]).get(
        account_id, Decimal("0.00")
    )


def _user_card(*, user, cards: QuerySet[MemberCard]) -> MemberCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return cards.filter(user=user).select_related("member_type", "account__tier").first()


def card_get_for_user(*, user) -> MemberCard | None:
    """The member's card in play (active, frozen or lost, in date or expired), with its
    account and tier: the card the account pages show, usable or not."""
    return _user_card(user=user, cards=MemberCard.objects.current())


def card_usable_for_user(*, user) -> MemberCard | None:
    """The member's card if it is usable today (``MemberCard.is_usable``), else None: the card
    behind member prices, earning and spending points."""
    return _user_card(user=user, cards=MemberCard.objects.usable())


def card_unusable_reason(*, card: MemberCard) -> str:
    """Why ``card`` gives no member price and no points today, for the member or the cashier;
    "" when it is usable. Says where an expired card is renewed."""
    if card.is_usable():
        return ""
    if card.status == MemberCard.Status.REPLACED:
        return _("This card was replaced: please use your new card.")
    if card.status in (MemberCard.Status.FROZEN, MemberCard.Status.LOST):
        return _(
            "This card is %(status)s. There are no member prices or points on it until it is "
            "replaced at the store's service desk."
        ) % {"status": card.get_status_shown_display().lower()}
    return _(
        "This card expired on %(date)s. There are no member prices or points on it until it "
        "is renewed at the store's service desk."
    ) % {"date": formats.date_format(card.expires_on, "SHORT_DATE_FORMAT")}


def points_history(*, account_id: int) -> QuerySet[PointsTransaction]:
    return (
        PointsTransaction.objects.filter(account_id=account_id)
        .select_related("order")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class MemberStanding:
    """What the storefront prices a member by: the usable card, its type's discount, the tier.

    Every page a member opens asks for it (each product card's member price, the basket's
    "Member price" offer, the recommendation rows' cache keys), so it is cached per member
    (``member_standing_for_user``).
    """

    card_id: int | None = None
    member_type_id: int | None = None
    discount_percent: Decimal = Decimal("0")
    tier_id: int | None = None


NO_STANDING = MemberStanding()
# Card, tier and member type saves forget the entry (``loyalty.receivers``) or make it stale
# (the catalogue version); the lifetime only bounds what a bulk UPDATE can leave behind.
MEMBER_STANDING_CACHE_SECONDS = 15 * 60


def member_standing_cache_key(*, user_id: int) -> str:
    return f"loyalty:member-standing:{user_id}"


def member_standing_for_user(*, user) -> MemberStanding:
    """The user's standing from their usable card (``NO_STANDING`` without one), cached.

    An entry holds the catalogue version and the local day it was read on: a member type's
    discount change starts a new catalogue version (``shop.apps.catalogue.receivers``), and a
    card stops being usable after its expiry date with no row changing. Saves of the user's
    cards and tier changes forget it (``member_standing_forget``). A request reads it once:
    its prices, basket offer, row keys and page-cache key all ask.
    """
    if not getattr(user, "is_authenticated", False):
        return NO_STANDING
    key = member_standing_cache_key(user_id=user.pk)
    return request_memo_read(key=key, load=lambda: _member_standing_load(user=user, key=key))


def _member_standing_load(*, user, key: str) -> MemberStanding:
    # Imported here: the catalogue's selectors import Oscar's category tags, which need every
    # model loaded, and loyalty's models import this module.
    from shop.apps.catalogue.selectors import catalogue_version

    version = catalogue_version()
    day = timezone.localdate()
    entry = cache.get(key) if version is not None else None
    if entry is not None and entry[0] == version and entry[1] == day:
        return entry[2]
    card = (
        MemberCard.objects.filter(user=user)
        .usable(on=day)
        .select_related("member_type", "account")
        .only("pk", "member_type__discount_percent", "account__tier_id")
        .first()
    )
    standing = (
        MemberStanding(
            card_id=card.pk,
            member_type_id=card.member_type_id,
            discount_percent=card.member_type.discount_percent,
            tier_id=card.account.tier_id,
        )
        if card is not None
        else NO_STANDING
    )
    if version is not None:
        cache.set(key, (version, day, standing), MEMBER_STANDING_CACHE_SECONDS)
    return standing


def member_standing_forget(*, user_ids: Iterable[int | None]) -> None:
    for user_id in set(user_ids) - {None}:
        cache_forget(key=member_standing_cache_key(user_id=user_id))


def member_discount_percent_for_user(*, user) -> Decimal:
    """The member-price discount of the user's card: 0 unless the card is usable."""
    return member_standing_for_user(user=user).discount_percent


def member_discount_percent_for_basket(*, basket) -> Decimal:
    """The owner's member-price discount, read once per basket object.

    Oscar applies the offers up to twice per request (middleware, then basket views), each
    time asking the "Member price" condition and then its benefit, and a basket object lives
    for one request: four identical queries become one. The owner is part of the memo, so
    a basket that changes hands (merged at login) is asked again.
    """
    owner = getattr(basket, "owner", None)
    owner_id = owner.pk if owner is not None else None
    memo = basket.__dict__.get("_member_discount_percent")
    if memo is None or memo[0] != owner_id:
        memo = (owner_id, member_discount_percent_for_user(user=owner))
        basket.__dict__["_member_discount_percent"] = memo
    return memo[1]


@dataclass(frozen=True)
class TierProgress:
    tier: object | None
    next_tier: object | None
    spend: Decimal
    missing: Decimal
    percent: int


def tier_progress(*, account) -> TierProgress:
    """Where the member stands: the tier held and how far the next one is."""
    spend = account.spend_last_12_months
    next_tier = Tier.objects.filter(minimum_spend__gt=spend).order_by("minimum_spend").first()
    if next_tier is None:
        return TierProgress(account.tier, None, spend, Decimal("0.00"), 100)
    floor = account.tier.minimum_spend if account.tier_id else Decimal("0.00")
    span = next_tier.minimum_spend - floor
    percent = int((spend - floor) * 100 / span) if span > 0 else 100
    return TierProgress(
        account.tier, next_tier, spend, next_tier.minimum_spend - spend, max(0, min(100, percent))
    )


def _date_window(queryset, field: str, date_from: dt.date | None, date_to: dt.date | None):
    if date_from:
        queryset = queryset.filter(**{f"{field}__date__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{field}__date__lte": date_to})
    return queryset


def points_history_between(
    *, account_id: int, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[PointsTransaction]:
    return _date_window(points_history(account_id=account_id), "created_at", date_from, date_to)


def account_orders(
    *, account_id: int, date_from: dt.date | None = None, date_to: dt.date | None = None
):
    """Every order of the account's card holders (online and, later, in store), newest first."""
    Order = get_model("order", "Order")
    user_ids = MemberCard.objects.filter(account_id=account_id, user__isnull=False).values(
        "user_id"
    )
    orders = (
        Order.objects.filter(user_id__in=user_ids)
        .prefetch_related("lines")
        .order_by("-date_placed", "-pk")
    )
    return _date_window(orders, "date_placed", date_from, date_to)


# --------------------------------------------------------------------------- marketing admin

# Superusers and the marketing managers may export members' personal data. The till's role:
# whoever takes money at the till never grants points, whatever else they hold.
POINTS_ADJUST_PERMISSION = "loyalty.change_pointsaccount"
CARDS_IMPORT_PERMISSION = "loyalty.add_membercard"
CARD_RENEW_PERMISSION = "loyalty.change_membercard"


def member_cards_for_admin() -> QuerySet[MemberCard]:
    """Every card with what the member list shows, in one query (no per-row lookups)."""
    return MemberCard.objects.select_related(
        "member_type", "account__tier", "user__wallet"
    ).order_by("-issued_on", "-pk")


def member_cards_filter(
    *,
    queryset: QuerySet[MemberCard],
    member_type_ids: list[int] | None = None,
    tier_ids: list[int] | None = None,
    statuses: list[str] | None = None,
    points_min: int | None = None,
    points_max: int | None = None,
) -> QuerySet[MemberCard]:
    """Narrow the member list; one row per member unless replaced cards are asked for.

    ``statuses`` are statuses as shown (``MemberCard.status_shown``): "expired" finds the
    active cards past their date, "active" only the usable ones.

    A replaced card shares its account with the card that replaced it, so listing it by
    default would show the member twice.
    """
    if member_type_ids:
        queryset = queryset.filter(member_type_id__in=member_type_ids)
    if tier_ids:
        queryset = queryset.filter(account__tier_id__in=tier_ids)
    if statuses:
        queryset = queryset.status_shown_in(statuses)
    else:
        queryset = queryset.exclude(status=MemberCard.Status.REPLACED)
    if points_min is not None:
        queryset = queryset.filter(account__balance__gte=points_min)
    if points_max is not None:
        queryset = queryset.filter(account__balance__lte=points_max)
    return queryset


def member_cards_search(*, queryset: QuerySet[MemberCard], query: str) -> QuerySet[MemberCard]:
    """Card number (spaces and dashes ignored), campus ID, email or name (any word order)."""
    query = (query or "").strip()
    if not query:
        return queryset
    condition = Q(campus_id__iexact=query) | Q(user__email__icontains=query)
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) == len(query.replace(" ", "").replace("-", "")):
        condition |= Q(number__contains=digits)
    words = query.split()
    name_match = Q()
    for word in words:
        name_match &= Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word)
    condition |= name_match
    return queryset.filter(condition)


def account_cards(*, account_id: int) -> QuerySet[MemberCard]:
    """Every card the member held, replaced ones included, newest first."""
    return (
        MemberCard.objects.filter(account_id=account_id)
        .select_related("member_type", "replaced_by")
        .order_by("-issued_on", "-pk")
    )


def points_adjustments(*, account_id: int | None = None) -> QuerySet[PointsTransaction]:
    """Manual adjustments, the audit trail: who, when, why."""
    adjustments = PointsTransaction.objects.filter(kind=PointsTransaction.Kind.ADJUST)
    if account_id is not None:
        adjustments = adjustments.filter(account_id=account_id)
    return adjustments.select_related("created_by", "account").order_by("-created_at", "-pk")


def _in_group(*, user, name: str) -> bool:
    return user.groups.filter(name=name).exists()


def points_adjust_allowed(*, user) -> bool:
    """The adjustment permission, never for cashiers (superusers excepted)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm(POINTS_ADJUST_PERMISSION) and not _in_group(user=user, name=CASHIERS_GROUP)


def card_renew_allowed(*, user) -> bool:
    """Renewing a card is marketing's (the "Loyalty marketing" role), never a cashier's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm(CARD_RENEW_PERMISSION) and not _in_group(user=user, name=CASHIERS_GROUP)


def card_renewable(*, card: MemberCard) -> bool:
    """Active cards (in date or past it) and cards marked expired; a frozen or lost card is
    replaced instead, a replaced one is history."""
    return card.status in (MemberCard.Status.ACTIVE, MemberCard.Status.EXPIRED)


def card_renewal_expiry_default(*, card: MemberCard, today: dt.date | None = None) -> dt.date:
    """The member type's validity, counted from today for an expired card and from the
    current expiry date for one renewed early (early renewal loses no days)."""
    today = today or timezone.localdate()
    start = card.expires_on if card.expires_on >= today else today
    return economy.years_later(day=start, years=card.member_type.card_validity_years)


def card_renewals(*, account_id: int) -> QuerySet[MemberCardRenewal]:
    """Every renewal of the member's cards, newest first, with who renewed."""
    return (
        MemberCardRenewal.objects.filter(card__account_id=account_id)
        .select_related("card", "renewed_by")
        .order_by("-renewed_at", "-pk")
    )


def cards_import_allowed(*, user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(CARDS_IMPORT_PERMISSION))


def member_export_allowed(*, user) -> bool:
    """Exporting personal data is a manager privilege."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or _in_group(user=user, name=MARKETING_MANAGERS_GROUP)


# --------------------------------------------------------------------------- points at checkout


@dataclass(frozen=True)
class PointsRedemptionQuote:
    points: int
    discount: Decimal


def points_discount_value(*, points: int, rules: EarningRules) -> Decimal:
    """What ``points`` are worth in CNY, rounded down to the cent (never in the member's favour)."""
    return economy.points_money_value(points=points, points_per_cny=rules.points_per_cny_redeemed)


def basket_points_chosen(*, basket) -> int:
    """The points the basket's owner chose to spend on it (0: none)."""
    owner = getattr(basket, "owner", None)
    if not basket.pk or owner is None or not owner.is_authenticated:
        return 0
    return (
        BasketPointsRedemption.objects.filter(basket_id=basket.pk)
        .values_list("points", flat=True)
        .first()
        or 0
    )


def basket_points_redemption_quote(*, basket, goods_value: Decimal) -> PointsRedemptionQuote | None:
    """The points discount the basket gets now, or None.

    The choice was checked when it was made; here it is only capped (balance, maximum share
    of a basket that may have shrunk since), never raised. Points spent are the fewest that
    buy the discount, so rounding to the cent never costs the member a point.
    """
    chosen = basket_points_chosen(basket=basket)
    if chosen <= 0:
        return None
    card = card_usable_for_user(user=basket.owner)
    if card is None:
        return None
    rules = EarningRules.load()
    balance = card.account.balance
    if balance < rules.minimum_balance_to_redeem:
        return None
    points = min(
        chosen,
        balance,
        economy.points_redeemable_maximum(
            order_total=goods_value,
            maximum_share_percent=rules.maximum_order_share_percent,
            points_per_cny=rules.points_per_cny_redeemed,
        ),
    )
    discount = points_discount_value(points=points, rules=rules)
    if discount <= 0:
        return None
    points = min(
        points,
        economy.money_points_cost(amount=discount, points_per_cny=rules.points_per_cny_redeemed),
    )
    return PointsRedemptionQuote(points=points, discount=discount)


@dataclass(frozen=True)
class PointsRedemptionOptions:
    """What the checkout shows a member about spending points on this basket."""

    card: object | None
    balance: int
    minimum_balance: int
    maximum_points: int
    points_per_cny: int
    chosen: int
    usable: bool
    reason: str


def points_redemption_options(
    *, user, basket, goods_value: Decimal
) -> PointsRedemptionOptions | None:
    """None for shoppers without a card; else the balance, limits and why they cannot redeem."""
    card = card_get_for_user(user=user)
    if card is None:
        return None
    rules = EarningRules.load()
    account = card.account
    maximum = min(
        account.balance,
        economy.points_redeemable_maximum(
            order_total=goods_value,
            maximum_share_percent=rules.maximum_order_share_percent,
            points_per_cny=rules.points_per_cny_redeemed,
        ),
    )
    reason = ""
    if not card.is_usable():
        reason = card_unusable_reason(card=card)
    elif account.balance < rules.minimum_balance_to_redeem:
        reason = _("You need at least %(minimum)s points to redeem them.") % {
            "minimum": rules.minimum_balance_to_redeem
        }
    return PointsRedemptionOptions(
        card=card,
        balance=account.balance,
        minimum_balance=rules.minimum_balance_to_redeem,
        maximum_points=maximum,
        points_per_cny=rules.points_per_cny_redeemed,
        chosen=basket_points_chosen(basket=basket),
        usable=not reason and maximum > 0,
        reason=reason,
    )


def order_points_redemption(*, order_id: int) -> PointsTransaction | None:
    return PointsTransaction.objects.filter(
        kind=PointsTransaction.Kind.REDEEM, order_id=order_id
    ).first()


# --------------------------------------------------------------------------- bonuses, reminders


def points_expiring_credits(*, now: dt.datetime, days: int) -> QuerySet[PointsTransaction]:
    """Unspent credits expiring within ``days`` whose member was not warned about them yet."""
    return PointsTransaction.objects.filter(
        points__gt=0,
        remaining__gt=0,
        is_pending=False,
        expires_at__gt=now,
        expires_at__lte=now + dt.timedelta(days=days),
        expiry_reminder__isnull=True,
    ).order_by("account_id", "expires_at", "pk")


def birthday_matches(*, date_of_birth: dt.date, day: dt.date) -> bool:
    """29 February birthdays are celebrated on 28 February in other years."""
    if (date_of_birth.month, date_of_birth.day) == (day.month, day.day):
        return True
    return (
        (date_of_birth.month, date_of_birth.day) == (2, 29)
        and (day.month, day.day) == (2, 28)
        and not calendar.isleap(day.year)
    )


# --------------------------------------------------------------------------- the member's points

# The account's Points page lists the credits that expire within this many days, with dates.
POINTS_EXPIRING_SOON_DAYS = 60


@dataclass(frozen=True)
class PointsOnDate:
    points: int
    on: dt.date


@dataclass(frozen=True)
class PointsSummary:
    """What a member's points are worth now, as the account's Points page shows them."""

    balance: int
    balance_value: Decimal
    pending: int
    # When the pending points become spendable, soonest first.
    pending_dates: list[PointsOnDate]
    expiring: int
    # When the points expiring within ``expiring_days`` expire, soonest first.
    expiring_dates: list[PointsOnDate]
    expiring_days: int
    minimum_to_redeem: int
    points_per_cny: int


def _points_by_date(rows: list[tuple[int, dt.datetime]]) -> list[PointsOnDate]:
    by_date: dict[dt.date, int] = {}
    for points, moment in rows:
        day = timezone.localdate(moment)
        by_date[day] = by_date.get(day, 0) + points
    return [PointsOnDate(points=points, on=day) for day, points in sorted(by_date.items())]


def points_summary(
    *, account, now: dt.datetime | None = None, expiring_days: int = POINTS_EXPIRING_SOON_DAYS
) -> PointsSummary:
    """The account's balance, pending points and points expiring soon, as of ``now``.

    Pending credits whose date has passed count as spendable although no service has locked
    the account to move them yet: the next one that does moves them (``_account_lock``), and
    the member must not see points as pending that they can already spend.
    """
    now = now or timezone.now()
    rules = EarningRules.load()
    credits = PointsTransaction.objects.filter(account_id=account.pk, points__gt=0, remaining__gt=0)
    pending_rows = list(credits.filter(is_pending=True).values_list("remaining", "available_at"))
    released = sum(points for points, available_at in pending_rows if available_at <= now)
    still_pending = [(points, at) for points, at in pending_rows if at > now]
    expiring_rows = list(
        credits.filter(
            Q(is_pending=False) | Q(available_at__lte=now),
            expires_at__gt=now,
            expires_at__lte=now + dt.timedelta(days=expiring_days),
        ).values_list("remaining", "expires_at")
    )
    balance = account.balance + released
    return PointsSummary(
        balance=balance,
        balance_value=points_discount_value(points=balance, rules=rules),
        pending=account.pending_balance - released,
        pending_dates=_points_by_date(still_pending),
        expiring=sum(points for points, _at in expiring_rows),
        expiring_dates=_points_by_date(expiring_rows),
        expiring_days=expiring_days,
        minimum_to_redeem=rules.minimum_balance_to_redeem,
        points_per_cny=rules.points_per_cny_redeemed,
    )


@dataclass(frozen=True)
class OrderPoints:
    """The points an order earned and spent, for the thank-you page and the confirmation."""

    earned: int
    # Earned points still in their pending period become spendable on this date.
    earned_available_on: dt.date | None
    spent: int
    spent_value: Decimal


def order_points(*, order_id: int, now: dt.datetime | None = None) -> OrderPoints | None:
    """None when the order neither earned nor spent points."""
    now = now or timezone.now()
    rows = list(
        PointsTransaction.objects.filter(
            order_id=order_id,
            kind__in=[PointsTransaction.Kind.EARN, PointsTransaction.Kind.REDEEM],
        ).values_list("kind", "points", "available_at")
    )
    earned = next((row for row in rows if row[0] == PointsTransaction.Kind.EARN), None)
    spent = -sum(points for kind, points, _at in rows if kind == PointsTransaction.Kind.REDEEM)
    if earned is None and not spent:
        return None
    available_at = earned[2] if earned is not None else None
    spent_value = _order_points_discount(order_id=order_id, points=spent) if spent else Decimal(0)
    return OrderPoints(
        earned=earned[1] if earned is not None else 0,
        earned_available_on=(
            timezone.localdate(available_at) if available_at and available_at > now else None
        ),
        spent=spent,
        spent_value=spent_value,
    )


def _order_points_discount(*, order_id: int, points: int) -> Decimal:
    """What the spent points took off the order: its "Points" discount line, as charged."""
    OrderDiscount = get_model("order", "OrderDiscount")
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    PointsRedemptionBenefit = get_model("loyalty", "PointsRedemptionBenefit")
    benefit_class = f"{PointsRedemptionBenefit.__module__}.{PointsRedemptionBenefit.__name__}"
    points_offers = ConditionalOffer.objects.filter(benefit__proxy_class=benefit_class)
    amount = OrderDiscount.objects.filter(
        order_id=order_id, offer_id__in=points_offers.values("pk")
    ).aggregate(total=Sum("amount"))["total"]
    if amount is None:
        # Points spent without the offer (a staff redemption): their value under the rules.
        return points_discount_value(points=points, rules=EarningRules.load())
    return amount
