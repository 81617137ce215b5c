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

    The strategy lives for one request (Oscar's basket middleware builds it; the till and the
    checkout services build one per sale), and a page prices every product it lists: the ids
    of the products on pre-order (a cache read) and their terms (two queries, only when the
    page lists one of them) are read once per strategy. The next request reads them again, so
    a pre-order opened, closed or filled shows there; reserving units checks the cap again
    under a row lock (``preorders.services.preorder_reserve``), whatever a page showed.
    """

    _preorder_product_ids: frozenset[int] | None = None
    _preorder_terms: dict[int, selectors.PreorderTerms] | None = None

    def preorder_terms(self, product) -> selectors.PreorderTerms | None:
        """The product's open pre-order terms, or None when it takes no pre-orders now."""
        if product is None:
            return None
        if self._preorder_product_ids is None:
            self._preorder_product_ids = selectors.preorder_open_product_ids()
        if product.pk not in self._preorder_product_ids:
            return None
        if self._preorder_terms is None:
            self._preorder_terms = selectors.preorder_open_terms()
        return self._preorder_terms.get(product.pk)

    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and not getattr(stockrecord, "is_frozen", False):
            terms = self.preorder_terms(product)
            if terms is not None:
                return PreorderAvailable(terms.settings, terms.remaining)
        return super().availability_policy(product, stockrecord)
