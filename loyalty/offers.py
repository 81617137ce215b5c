"""The loyalty programme's site offers, as Oscar custom conditions and benefits.

"Member price": an active card holder gets their member type's discount
(``ActiveMemberCardCondition`` and ``MemberTypeDiscountBenefit``; the data migration
``offer.0015`` creates the offer).

"Points": points spent at checkout. The member chooses how many points to use
(``BasketPointsRedemption``); this offer turns the choice into a basket discount, so it shows
in the basket, the preview and the order's discount lines like any other offer, and lowers the
total the card and the wallet are charged. The offer has the lowest priority, so it applies
after every other offer and its maximum share is taken of what the goods cost after them.
Shipping is never paid in points. ``apply_deferred`` is Oscar's hook that runs while the order
is written (inside Oscar's OrderCreator transaction): that is where the points are held, linked
to the new order. A refusal there (the balance changed since the choice) rolls the whole order
back. The data migration ``loyalty.0006`` creates the offer.

Custom proxies of Oscar's Condition and Benefit, stored with ``proxy_class`` (the dotted path
of the class here) and registered as models of this app by ``loyalty.models``.
"""

import operator
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oscar.core.loading import get_class, get_classes, get_model

from loyalty import selectors
from loyalty.services.redemption import points_redeem_for_order

Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
PercentageDiscountBenefit = get_class("offer.benefits", "PercentageDiscountBenefit")
BasketDiscount, ZERO_DISCOUNT = get_classes("offer.results", ["BasketDiscount", "ZERO_DISCOUNT"])
unit_price = get_class("offer.utils", "unit_price")


def _line_value(line):
    """What the line costs after the offers applied before this one."""
    if settings.OSCAR_OFFERS_INCL_TAX:
        return line.line_price_incl_tax_incl_discounts
    return line.line_price_excl_tax_incl_discounts


def basket_goods_value(*, basket) -> Decimal:
    """The basket's goods after the offers applied so far (shipping excluded)."""
    return sum((_line_value(line) for line in basket.all_lines()), Decimal("0.00"))


def basket_points_discount(*, basket) -> Decimal:
    """The points discount currently applied to ``basket`` (0 if none)."""
    benefit_class = f"{PointsRedemptionBenefit.__module__}.{PointsRedemptionBenefit.__name__}"
    return sum(
        (
            application["discount"]
            for application in basket.offer_applications.applications.values()
            if application["offer"].benefit.proxy_class == benefit_class
        ),
        Decimal("0.00"),
    )


def basket_goods_value_before_points(*, basket) -> Decimal:
    """The base of the maximum points share: goods after every other offer."""
    return basket_goods_value(basket=basket) + basket_points_discount(basket=basket)


class BuyerCondition:
    """A condition about who buys, not what: met when ``basket_figure`` is above 0.

    It consumes no basket lines, so it never blocks another offer.
    """

    def basket_figure(self, basket) -> Decimal | int:
        raise NotImplementedError

    def is_satisfied(self, offer, basket):
        return self.basket_figure(basket) > 0

    def can_apply_condition(self, line):
        return False


class ActiveMemberCardCondition(BuyerCondition, Condition):
    """Met when the basket's owner holds an active member card with a discount.

    Used by the site offer "Member price": a frozen, lost or expired card gives no price.
    """

    name = _("The basket owner holds an active member card")
    description = name

    class Meta:
        app_label = "loyalty"
        proxy = True
        verbose_name = _("Active member card condition")
        verbose_name_plural = _("Active member card conditions")

    def basket_figure(self, basket) -> Decimal:
        return selectors.member_discount_percent_for_basket(basket=basket)


class MemberTypeDiscountBenefit(PercentageDiscountBenefit):
    """A percentage off the range, the percentage being the owner's member type discount.

    The discount lives on the member type (data marketing edits), so one offer serves every
    type; the basket shows it as the "Member price" offer like any other.
    """

    class Meta:
        app_label = "loyalty"
        proxy = True
        verbose_name = _("Member type discount benefit")
        verbose_name_plural = _("Member type discount benefits")

    @property
    def name(self):
        return _("Member discount on %(range)s") % {"range": self.range.name}

    @property
    def description(self):
        return self.name

    def apply(self, basket, condition, offer, discount_percent=None, **kwargs):
        if discount_percent is None:
            discount_percent = selectors.member_discount_percent_for_basket(basket=basket)
        return super().apply(basket, condition, offer, discount_percent=discount_percent, **kwargs)

    def get_applicable_lines(self, offer, basket, range=None):  # noqa: A002  (Oscar's name)
        """Oscar's lines in range, with one query for the whole basket instead of one per line.

        Oscar asks ``range.contains_product`` for every line on every application of the
        offer, and applies it until an application discounts nothing. This offer covers
        every line in range on its first application, so a later one has nothing left to
        discount and returns before asking the range at all.
        """
        range = range or self.range  # noqa: A001
        lines = [line for line in basket.all_lines() if self.can_apply_benefit(line)]
        if not any(line.quantity_without_offer_discount(offer) for line in lines):
            # Oscar's loop would stop at the first line and discount nothing.
            return []
        in_range = set(
            range.all_products()
            .filter(pk__in={line.product_id for line in lines})
            .values_list("pk", flat=True)
        )
        line_tuples = []
        for line in lines:
            price = unit_price(offer, line)
            if line.product_id in in_range and price:
                line_tuples.append((price, line))
        return sorted(line_tuples, key=operator.itemgetter(0))


class PointsRedemptionCondition(BuyerCondition, Condition):
    """Met when the basket's owner chose points and holds an active card."""

    name = _("The member chose to spend points")
    description = name

    class Meta:
        app_label = "loyalty"
        proxy = True
        verbose_name = _("Points chosen condition")
        verbose_name_plural = _("Points chosen conditions")

    def basket_figure(self, basket) -> int:
        return selectors.basket_points_chosen(basket=basket)


class PointsRedemptionBenefit(Benefit):
    """A discount worth the points chosen, spread over the lines by what they still cost."""

    class Meta:
        app_label = "loyalty"
        proxy = True
        verbose_name = _("Points discount benefit")
        verbose_name_plural = _("Points discount benefits")

    @property
    def name(self):
        return _("Points redeemed")

    @property
    def description(self):
        return self.name

    def apply(self, basket, condition, offer, **kwargs):
        quote = selectors.basket_points_redemption_quote(
            basket=basket, goods_value=basket_goods_value(basket=basket)
        )
        if quote is None:
            return ZERO_DISCOUNT
        lines = [
            (line, _line_value(line), line.quantity_without_offer_discount(offer))
            for line in basket.all_lines()
        ]
        lines = [
            (line, value, quantity) for line, value, quantity in lines if value > 0 and quantity
        ]
        total = sum((value for _line, value, _quantity in lines), 0)
        discount = min(quote.discount, total)
        if discount <= 0:
            return ZERO_DISCOUNT
        applied = 0
        for index, (line, value, quantity) in enumerate(lines):
            if index == len(lines) - 1:
                share = discount - applied
            else:
                share = self.round(value / total * discount, basket.currency)
            share = min(share, value)
            line.discount(share, quantity, incl_tax=settings.OSCAR_OFFERS_INCL_TAX, offer=offer)
            applied += share
        return BasketDiscount(applied)

    def apply_deferred(self, basket, order, application):
        redemption = points_redeem_for_order(
            order_id=order.pk,
            discount=application["discount"],
            goods_value=basket_goods_value(basket=basket) + application["discount"],
        )
        if redemption is None:
            return None
        points = -redemption.points
        return ngettext("%(points)s point redeemed", "%(points)s points redeemed", points) % {
            "points": points
        }
