"""The member price a product card shows, read from the "Member price" site offer.

The basket prices members through the offer (``ActiveMemberCardCondition`` and
``MemberTypeDiscountBenefit`` of ``loyalty.offers``); the cards show what that offer will
give, so they read the same offer, its range and the same discount, never a second rule:

- the offer (open, within its dates), the products of its range and the member types'
  discounts a visitor is shown are the same for every shopper and change only when an
  offer, a range, the catalogue or a member type is saved: they are read in one go and
  cached under the catalogue version (``shop.apps.catalogue.receivers`` starts a new one on
  those saves); the offer's dates are compared with the clock on every request;
- the viewer's discount is the one the offer's condition reads for the request's basket
  (``member_discount_percent_for_basket``, which applies the card rules): worked out once
  per request from the member's standing, which is cached per member across requests
  (``loyalty.selectors.member_standing_for_user``).

A page of cards therefore costs no query per product and, once warm, no query for pricing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.core.utils import round_half_up_two_dec

from loyalty import selectors
from loyalty.models import MemberType
from loyalty.offers import MemberTypeDiscountBenefit

ConditionalOffer = get_model("offer", "ConditionalOffer")
catalogue_version = get_class("catalogue.selectors", "catalogue_version")
Product = get_model("catalogue", "Product")

MEMBER_PRICING_REQUEST_ATTRIBUTE = "_shop_member_pricing"
MEMBER_PRICE_OFFER_CACHE_SECONDS = 60 * 60
MEMBER_PRICE_BENEFIT_CLASS = (
    f"{MemberTypeDiscountBenefit.__module__}.{MemberTypeDiscountBenefit.__name__}"
)


@dataclass(frozen=True)
class RangeMembership:
    """The products of a range: every product but ``product_ids``, or only ``product_ids``."""

    includes_all_products: bool
    product_ids: frozenset[int]

    def contains(self, product_id: int) -> bool:
        return (product_id in self.product_ids) != self.includes_all_products


def range_membership(*, product_range) -> RangeMembership:
    """Which products ``product_range`` holds, in one query.

    A range of all products keeps the few it leaves out, any other range the products it
    holds, so the set stays small either way.
    """
    in_range = product_range.all_products().values("pk")
    if product_range.includes_all_products:
        ids = Product.objects.exclude(pk__in=in_range).values_list("pk", flat=True)
    else:
        ids = in_range.values_list("pk", flat=True)
    return RangeMembership(product_range.includes_all_products, frozenset(ids))


@dataclass(frozen=True)
class MemberPriceOffer:
    """What the cards need of the open "Member price" offer."""

    starts: dt.datetime | None
    ends: dt.datetime | None
    membership: RangeMembership
    # The member types' discounts above 0, highest first: what a visitor is shown.
    type_discounts: tuple[Decimal, ...]

    def is_running(self, *, now: dt.datetime) -> bool:
        return (self.starts is None or self.starts <= now) and (
            self.ends is None or now <= self.ends
        )


def member_price_offer() -> MemberPriceOffer | None:
    """The open site offer giving member-type discounts (the highest priority one), or None.

    Cached under the catalogue version; without a cache it is read from the database.
    """
    version = catalogue_version()
    key = f"offer:member-price:{version}"
    cached = cache.get(key) if version is not None else None
    if cached is None:
        cached = _member_price_offer_load() or False
        if version is not None:
            cache.set(key, cached, MEMBER_PRICE_OFFER_CACHE_SECONDS)
    return cached or None


def _member_price_offer_load() -> MemberPriceOffer | None:
    offer = (
        ConditionalOffer.objects.filter(
            offer_type=ConditionalOffer.SITE,
            status=ConditionalOffer.OPEN,
            benefit__proxy_class=MEMBER_PRICE_BENEFIT_CLASS,
            benefit__range__isnull=False,
        )
        .select_related("benefit__range")
        .order_by("-priority", "pk")
        .first()
    )
    if offer is None:
        return None
    type_discounts = tuple(
        MemberType.objects.filter(discount_percent__gt=0)
        .order_by("-discount_percent")
        .values_list("discount_percent", flat=True)
        .distinct()
    )
    return MemberPriceOffer(
        starts=offer.start_datetime,
        ends=offer.end_datetime,
        membership=range_membership(product_range=offer.benefit.range),
        type_discounts=type_discounts,
    )


@dataclass(frozen=True)
class MemberPrice:
    """What a card shows beside the regular price."""

    amount: Decimal
    percent: Decimal
    # True: the viewer's own price; False: what a member pays (shown to everyone else).
    is_viewers: bool
    # For a visitor when member types get different discounts: the lowest member price.
    is_lowest: bool


@dataclass(frozen=True)
class MemberPricing:
    """The member price of any product for one request's viewer."""

    membership: RangeMembership | None = None
    viewer_percent: Decimal = Decimal("0")
    visitor_percents: tuple[Decimal, ...] = ()

    def for_product(self, *, product, price: Decimal | None) -> MemberPrice | None:
        """None when the product is outside the offer's range or nothing comes off its price."""
        if self.membership is None or not price or not self.membership.contains(product.pk):
            return None
        if self.viewer_percent:
            percent, is_viewers, is_lowest = self.viewer_percent, True, False
        elif self.visitor_percents:
            percent, is_viewers = self.visitor_percents[0], False
            is_lowest = len(self.visitor_percents) > 1
        else:
            return None
        # As the basket prices one unit: the benefit takes the exact percentage off the line
        # and the basket rounds its total half up to the cent.
        amount = round_half_up_two_dec(price - price * min(percent, Decimal("100")) / 100)
        if amount >= price:
            return None
        return MemberPrice(amount, percent, is_viewers, is_lowest)


def member_pricing_for_request(*, request) -> MemberPricing:
    """The viewer's member pricing, worked out once per request.

    A member with a discount sees their own price; everyone else (visitors, accounts
    without a usable card or with a type that gets no discount) sees what members pay.
    """
    pricing = getattr(request, MEMBER_PRICING_REQUEST_ATTRIBUTE, None)
    if pricing is not None:
        return pricing
    offer = member_price_offer()
    if offer is None or not offer.is_running(now=timezone.now()):
        pricing = MemberPricing()
    else:
        basket = getattr(request, "basket", None)
        viewer_percent = (
            selectors.member_discount_percent_for_basket(basket=basket)
            if basket is not None
            else selectors.member_discount_percent_for_user(user=request.user)
        )
        pricing = MemberPricing(
            membership=offer.membership,
            viewer_percent=viewer_percent,
            visitor_percents=() if viewer_percent else offer.type_discounts,
        )
    setattr(request, MEMBER_PRICING_REQUEST_ATTRIBUTE, pricing)
    return pricing


def member_pricing_group(*, request) -> str:
    """The one figure every member price the viewer is shown depends on.

    The viewer's own discount percent, or "none" (visitors, accounts without a usable card or
    with a type that gets no discount, and everyone while the offer is not running: they all
    see what members pay). Cached recommendation rows and cached pages key on it, so two
    viewers share HTML with member prices only when it is the same for both.
    """
    percent = member_pricing_for_request(request=request).viewer_percent
    return str(percent.normalize()) if percent else "none"
