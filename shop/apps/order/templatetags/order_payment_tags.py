from django import template

from shop.apps.order import selectors

register = template.Library()


@register.simple_tag
def order_payments(order):
    """How the order was paid (``selectors.order_payments``); empty for an unsaved order."""
    if order is None or order.pk is None:
        return []
    return selectors.order_payments(order=order)


@register.filter
def payment_method(source_type) -> str:
    """A payment source type as staff read it (``selectors.payment_method_label``)."""
    return selectors.payment_method_label(source_type=getattr(source_type, "name", source_type))
