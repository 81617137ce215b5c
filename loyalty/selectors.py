"""Read-side queries for loyalty (HackSoft style: selectors read, services write)."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import F, Max, QuerySet, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from loyalty.models import (
    CategoryEarningMultiplier,
    EarningCampaign,
    EarningRules,
    MemberCard,
    PointsTransaction,
    ProductEarningMultiplier,
    Tier,
    Wallet,
    WalletTransaction,
)


def wallet_get_for_user(*, user) -> Wallet | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Wallet.objects.filter(user=user).first()


def wallet_statement(*, wallet_id: int, limit: int = 100) -> QuerySet[WalletTransaction]:
    return (
        WalletTransaction.objects.filter(wallet_id=wallet_id)
        .select_related("order", "refund")
        .order_by("-created_at", "-pk")[:limit]
    )


def wallet_ledger_sum(*, wallet_id: int) -> Decimal:
    """The sum of every movement: must always equal the wallet's stored balance."""
    total = WalletTransaction.objects.filter(wallet_id=wallet_id).aggregate(total=Sum("amount"))[
        "total"
    ]
    return total if total is not None else Decimal("0.00")


# --------------------------------------------------------------------------- points


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


def points_compute(
    *,
    goods_paid: Decimal,
    line_amounts: list[tuple[Decimal, Decimal]],
    rules: EarningRules,
    campaign_multiplier: Decimal,
    member_type_multiplier: Decimal,
    tier_multiplier: Decimal,
) -> int:
    """The points for ``goods_paid``; ``line_amounts`` are (line price, line multiplier).

    Line prices only weight the product and category multipliers: the base is what was
    actually paid, so offers and discounts on the order earn nothing. 0 below the minimum
    order value. The one formula both live earning and the demo replay use.
    """
    if goods_paid <= 0 or goods_paid < rules.minimum_order_value:
        return 0
    weights = sum((amount for amount, _multiplier in line_amounts), Decimal("0"))
    if weights > 0:
        weighted = sum((amount * multiplier for amount, multiplier in line_amounts), Decimal("0"))
        line_multiplier = weighted / weights
    else:
        line_multiplier = Decimal("1")
    points = (
        goods_paid
        * rules.points_per_cny
        * line_multiplier
        * campaign_multiplier
        * member_type_multiplier
        * tier_multiplier
    )
    return int(points.to_integral_value(rounding=ROUND_DOWN))


def order_points_quote(*, order, rules: EarningRules, card, account) -> int:
    """The points a paid order earns under the rules, for the card's type and tier."""
    lines = list(order.lines.select_related("product"))
    multipliers = line_multipliers(products=[line.product for line in lines if line.product_id])
    return points_compute(
        goods_paid=order_goods_paid(order=order),
        line_amounts=[
            (line.line_price_incl_tax, multipliers.get(line.product_id, Decimal("1")))
            for line in lines
        ],
        rules=rules,
        campaign_multiplier=campaign_multiplier(at=order.date_placed),
        member_type_multiplier=card.member_type.earn_multiplier,
        tier_multiplier=account.tier.earn_multiplier if account.tier_id else Decimal("1"),
    )


def points_redeemable_maximum(*, order_total: Decimal, rules: EarningRules) -> int:
    """The most points an order of ``order_total`` may take, under the maximum share."""
    share = order_total * rules.maximum_order_share_percent / 100
    return int((share * rules.points_per_cny_redeemed).to_integral_value(rounding=ROUND_DOWN))


def points_ledger_sum(*, account_id: int) -> int:
    """Sum of every movement: must equal balance + pending balance."""
    return (
        PointsTransaction.objects.filter(account_id=account_id).aggregate(total=Sum("points"))[
            "total"
        ]
        or 0
    )


def account_spend_last_12_months(*, account_id: int, now: dt.datetime | None = None) -> Decimal:
    """Goods paid over the last 365 days by the account's card holders, refunds deducted."""
    from shop.apps.order.services import PAID_STATUSES  # order.services imports loyalty

    now = now or timezone.now()
    user_ids = list(
        MemberCard.objects.filter(account_id=account_id, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    if not user_ids:
        return Decimal("0.00")
    Order = get_model("order", "Order")
    OrderRefund = get_model("order", "OrderRefund")
    window = dict(date_placed__gt=now - dt.timedelta(days=365), date_placed__lte=now)
    orders = Order.objects.filter(user_id__in=user_ids, status__in=PAID_STATUSES, **window)
    spent = orders.aggregate(total=Sum(F("total_incl_tax") - F("shipping_incl_tax")))[
        "total"
    ] or Decimal("0.00")
    refunded = OrderRefund.objects.filter(
        order__in=orders, status=OrderRefund.Status.SUCCEEDED
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return max(Decimal("0.00"), spent - refunded)


def card_get_for_user(*, user) -> MemberCard | None:
    """The member's card in play (active, frozen or lost), with its account and tier."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        MemberCard.objects.filter(user=user)
        .exclude(status__in=[MemberCard.Status.REPLACED, MemberCard.Status.EXPIRED])
        .select_related("member_type", "account__tier")
        .first()
    )


def points_history(*, account_id: int) -> QuerySet[PointsTransaction]:
    return (
        PointsTransaction.objects.filter(account_id=account_id)
        .select_related("order")
        .order_by("-created_at", "-pk")
    )


def member_discount_percent_for_user(*, user) -> Decimal:
    """The member-price discount of the user's card: 0 unless the card is active."""
    if not getattr(user, "is_authenticated", False):
        return Decimal("0")
    discount = (
        MemberCard.objects.filter(user=user, status=MemberCard.Status.ACTIVE)
        .values_list("member_type__discount_percent", flat=True)
        .first()
    )
    return discount or Decimal("0")


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
