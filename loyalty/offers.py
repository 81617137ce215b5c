"""Points spent at checkout, as an Oscar site offer ("Points").

The member chooses how many points to use (``BasketPointsRedemption``); this offer turns
the choice into a basket discount, so it shows in the basket, the preview and the order's
discount lines like any other offer, and lowers the total the card and the wallet are
charged. The offer has the lowest priority, so it applies after every other offer and its
maximum share is taken of what the goods cost after them. Shipping is never paid in points.

``apply_deferred`` is Oscar's hook that runs while the order is written (inside Oscar's
OrderCreator transaction): that is where the points are held, linked to the new order. A
refusal there (the balance changed since the choice) rolls the whole order back.

Custom proxies of Oscar's Condition and Benefit, stored with ``proxy_class`` (the data
migration ``loyalty.0006`` creates the offer).
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oscar.core.loading import get_classes, get_model

Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
BasketDiscount, ZERO_DISCOUNT = get_classes("offer.results", ["BasketDiscount", "ZERO_DISCOUNT"])


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


class PointsRedemptionCondition(Condition):
    """Satisfied when the basket's owner chose points and holds an active card."""

    name = _("The member chose to spend points")
    description = name

    class Meta:
        app_label = "loyalty"
        proxy = True
        verbose_name = _("Points chosen condition")
        verbose_name_plural = _("Points chosen conditions")

    def is_satisfied(self, offer, basket):
        from loyalty import selectors

        return selectors.basket_points_chosen(basket=basket) > 0

    def can_apply_condition(self, line):
        # About who pays, not what: consumes no lines, so it never blocks another offer.
        return False


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
        from loyalty import selectors

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
        from loyalty.services.redemption import points_redeem_for_order

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
