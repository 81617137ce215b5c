"""Oscar's benefits plus ours (forked module, loaded with get_class("offer.benefits", ...))."""

from django.utils.translation import gettext_lazy as _
from oscar.apps.offer.benefits import *  # noqa: F401,F403  (Oscar's fork pattern)
from oscar.apps.offer.benefits import PercentageDiscountBenefit
from oscar.apps.offer.benefits import __all__ as oscar_benefits

from loyalty import selectors as loyalty_selectors

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
            discount_percent = loyalty_selectors.member_discount_percent_for_user(user=basket.owner)
        return super().apply(basket, condition, offer, discount_percent=discount_percent, **kwargs)
