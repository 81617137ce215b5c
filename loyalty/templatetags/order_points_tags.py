"""Points an order earned and spent, for the thank-you page and the order emails."""

from django import template

from loyalty import selectors

register = template.Library()


@register.simple_tag
def order_points(order):
    """The order's ``OrderPoints`` (earned, when spendable, spent and their value), or None."""
    if order is None or order.pk is None:
        return None
    return selectors.order_points(order_id=order.pk)
