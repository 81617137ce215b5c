"""Oscar's conditions plus ours (forked module, loaded with get_class("offer.conditions", ...))."""

from django.utils.translation import gettext_lazy as _
from oscar.apps.offer.conditions import *  # noqa: F401,F403  (Oscar's fork pattern)
from oscar.apps.offer.conditions import __all__ as oscar_conditions
from oscar.core.loading import get_model

from loyalty import selectors as loyalty_selectors

Condition = get_model("offer", "Condition")

__all__ = [*oscar_conditions, "ActiveMemberCardCondition"]


class ActiveMemberCardCondition(Condition):
    """Satisfied when the basket's owner holds an active member card with a discount.

    Used by the site offer "Member price": a frozen, lost or expired card gives no price.
    """

    name = _("The basket owner holds an active member card")
    description = name

    class Meta:
        app_label = "offer"
        proxy = True
        verbose_name = _("Active member card condition")
        verbose_name_plural = _("Active member card conditions")

    def is_satisfied(self, offer, basket):
        return loyalty_selectors.member_discount_percent_for_basket(basket=basket) > 0

    def can_apply_condition(self, line):
        # The condition is about who buys, not what: it consumes no basket lines.
        return False
