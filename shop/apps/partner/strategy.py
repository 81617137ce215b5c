"""The store's pricing and availability strategy (Oscar loads it with get_class).

Oscar's ``Default`` strategy (first stock record, stock required, no tax) plus one rule:
a frozen stock record is unavailable. Because Oscar asks the availability policy when a
product is added to the basket *and* again when the checkout validates the basket, a
product frozen while it sits in someone's basket cannot be bought either.
"""

from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import strategy as oscar_strategy
from oscar.core.loading import get_class, get_model

from preorders.availability import PreorderAware

Unavailable = get_class("partner.availability", "Unavailable")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")


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


class OneQueryPerRequest:
    """Strategy mixin: pricing a basket costs the same few queries for any number of lines.

    Oscar's ``fetch_for_line`` ignores the line's stock record and selects the product's
    first one again, a query per line (twice per basket page: offers, then the template),
    although the basket loads every line with its stock record. Its stock-required policy
    then reads each product's class, another query per line. The strategy lives for one
    request (Oscar's basket middleware builds it), so the product classes, a handful of rows,
    are read once for the whole request.
    """

    _product_classes = None

    def fetch_for_line(self, line, stockrecord=None):
        # The line's own stock record is the one the basket priced when the product was
        # added (Oscar passes it from ``Line.purchase_info``); without one, select as usual.
        return self.fetch_for_product(line.product, stockrecord or line.stockrecord)

    def availability_policy(self, product, stockrecord):
        self._product_class_load(product)
        return super().availability_policy(product, stockrecord)

    def _product_class_load(self, product):
        if (
            product.is_child
            or product.product_class_id is None
            or Product.product_class.is_cached(product)
        ):
            return
        if self._product_classes is None:
            self._product_classes = ProductClass.objects.in_bulk()
        product_class = self._product_classes.get(product.product_class_id)
        if product_class is not None:
            product.product_class = product_class


class Default(
    OneQueryPerRequest,
    FreezeAware,
    # Pre-orderable products sell up to their cap while out of stock.
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
