"""The store's pricing and availability strategy (Oscar loads it with get_class).

Oscar's ``Default`` strategy (first stock record, stock required, no tax) plus one rule:
a frozen stock record is unavailable. Because Oscar asks the availability policy when a
product is added to the basket *and* again when the checkout validates the basket, a
product frozen while it sits in someone's basket cannot be bought either.
"""

from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import strategy as oscar_strategy
from oscar.core.loading import get_class

from preorders.availability import PreorderAware

Unavailable = get_class("partner.availability", "Unavailable")


class Frozen(Unavailable):
    code = "frozen"
    message = _("Not for sale at the moment")

    def is_purchase_permitted(self, quantity):
        return False, _("This product is not for sale at the moment.")


class FreezeAware:
    """Availability mixin: a frozen stock record refuses every purchase."""

    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and stockrecord.is_frozen:
            return Frozen()
        return super().availability_policy(product, stockrecord)


class Default(
    FreezeAware,
    # Issue 7: pre-orderable products sell up to their cap while out of stock.
    PreorderAware,
    oscar_strategy.UseFirstStockRecord,
    oscar_strategy.StockRequired,
    oscar_strategy.NoTax,
    oscar_strategy.Structured,
):
    """Oscar's default strategy, with frozen products unavailable and pre-orders open."""


class Selector(oscar_strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)
