"""Promotions with a per-member quantity limit, built as an Oscar custom benefit.

Oscar's offers already give operators a time window (``start_datetime``/``end_datetime``)
and per-basket and per-user *application* limits. What they lack is "at most N discounted
units per member over the whole promotion", whatever number of orders it takes. This
benefit is Oscar's percentage discount whose ``max_affected_items`` means exactly that:
before discounting, it subtracts what the member already bought with this offer. Guests
get nothing (the limit is per member, so a member must be signed in).

It is a proxy of Oscar's Benefit stored with ``proxy_class`` pointing here, the documented
way to add custom benefits (``oscar.apps.offer.custom.create_benefit``).
"""

from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_class, get_classes

from operations.selectors import member_promotion_units_used

PercentageDiscountBenefit = get_class("offer.benefits", "PercentageDiscountBenefit")
(ZERO_DISCOUNT,) = get_classes("offer.results", ["ZERO_DISCOUNT"])


class MemberLimitedPercentageBenefit(PercentageDiscountBenefit):
    _description = _("%(value)s%% discount on %(range)s, up to %(limit)s per member")

    class Meta:
        app_label = "operations"
        proxy = True
        verbose_name = _("Percentage discount limited per member")
        verbose_name_plural = _("Percentage discounts limited per member")

    def __str__(self):
        return str(self.name)

    @property
    def name(self):
        return self._description % {
            "value": self.value,
            "range": self.range.name,
            "limit": self.max_affected_items,
        }

    @property
    def description(self):
        return self.name

    def apply(self, basket, condition, offer, **kwargs):
        owner = basket.owner
        if owner is None or not owner.is_authenticated:
            return ZERO_DISCOUNT
        used = member_promotion_units_used(offer_id=offer.pk, user_id=owner.pk)
        self._remaining_for_member = max((self.max_affected_items or 0) - used, 0)
        if self._remaining_for_member == 0:
            return ZERO_DISCOUNT
        return super().apply(basket, condition, offer, **kwargs)

    def _effective_max_affected_items(self):
        return getattr(self, "_remaining_for_member", 0)
