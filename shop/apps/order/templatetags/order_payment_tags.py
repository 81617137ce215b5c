from django import template

from loyalty import selectors as loyalty_selectors
from shop.apps.order import selectors

register = template.Library()


@register.simple_tag
def order_payments(order):
    """How the order was paid (``selectors.order_payments``), with the points loyalty says
    it spent; empty for an unsaved order."""
    if order is None or order.pk is None:
        return []
    points = loyalty_selectors.order_points(order_id=order.pk)
    if points is None:
        return selectors.order_payments(order=order)
    return selectors.order_payments(
        order=order, points_spent=points.spent, points_spent_value=points.spent_value
    )


@register.filter
def payment_method(source_type) -> str:
    """A payment source type as staff read it (``selectors.payment_method_label``)."""
    return selectors.payment_method_label(source_type=getattr(source_type, "name", source_type))
