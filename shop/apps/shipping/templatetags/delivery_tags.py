from django import template

from shop.apps.shipping import selectors

register = template.Library()


@register.simple_tag
def pickup_place(delivery_settings):
    """Where to collect, in the page's language (``selectors.pickup_place_get``)."""
    return selectors.pickup_place_get(settings=delivery_settings)


@register.simple_tag
def order_handover(order):
    """Pick-up place or delivery building and room of an order
    (``selectors.order_handover_get``), for its pages."""
    return selectors.order_handover_get(order=order)
