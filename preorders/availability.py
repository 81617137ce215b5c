"""Availability of pre-orderable products, for the store's partner strategy.

A product taking pre-orders is purchasable while units are left under its cap, whatever the
shelf holds (it has not arrived yet). After the release date the normal stock rules apply.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_class

from preorders import selectors

Base = get_class("partner.availability", "Base")


class PreorderAvailable(Base):
    code = "preorder"

    def __init__(self, settings, remaining: int):
        self.settings = settings
        self.remaining = remaining
        self.dispatch_date = settings.release_date

    @property
    def message(self):
        text = _("Pre-order: ships by %(date)s") % {
            "date": date_format(self.settings.release_date, "DATE_FORMAT")
        }
        if self.remaining <= 0:
            return _("Fully pre-ordered")
        if self.remaining <= self.settings.few_left_threshold:
            text += " · " + ngettext("only %(n)s left", "only %(n)s left", self.remaining) % {
                "n": self.remaining
            }
        return text

    def is_purchase_permitted(self, quantity):
        if self.remaining <= 0:
            return False, _("this product is fully pre-ordered")
        if quantity > self.remaining:
            return False, ngettext(
                "only %(n)s unit is left to pre-order",
                "only %(n)s units are left to pre-order",
                self.remaining,
            ) % {"n": self.remaining}
        return True, ""


class PreorderAware:
    """Strategy mixin: products taking pre-orders are sold up to their cap, not from stock.

    The ids of the products taking pre-orders are read once per strategy, which Oscar's basket
    middleware builds per request: a page of cards asks for each card, and each read is a
    cache round trip (Redis in production).
    """

    _preorder_open_ids = None

    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and not getattr(stockrecord, "is_frozen", False):
            if self._preorder_open_ids is None:
                self._preorder_open_ids = selectors.preorder_open_product_ids()
            settings = (
                selectors.preorder_settings_open_for_product(product=product)
                if product is not None and product.pk in self._preorder_open_ids
                else None
            )
            if settings is not None:
                return PreorderAvailable(
                    settings, selectors.preorder_units_remaining(settings=settings)
                )
        return super().availability_policy(product, stockrecord)
