"""Oscar's benefits plus ours (forked module, loaded with get_class("offer.benefits", ...))."""

import operator

from django.utils.translation import gettext_lazy as _
from oscar.apps.offer.benefits import *  # noqa: F401,F403  (Oscar's fork pattern)
from oscar.apps.offer.benefits import PercentageDiscountBenefit
from oscar.apps.offer.benefits import __all__ as oscar_benefits
from oscar.core.loading import get_class

from loyalty import selectors as loyalty_selectors

unit_price = get_class("offer.utils", "unit_price")

__all__ = [*oscar_benefits, "MemberTypeDiscountBenefit"]


class MemberTypeDiscountBenefit(PercentageDiscountBenefit):
    """A percentage off the range, the percentage being the owner's member type discount.

    The discount lives on the member type (data marketing edits), so one offer serves every
    type; the basket shows it as the "Member price" offer like any other.
    """

    class Meta:
        app_label = "offer"
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
            discount_percent = loyalty_selectors.member_discount_percent_for_basket(basket=basket)
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
