from django import template

from shop.apps.shipping import selectors
from shop.apps.shipping.codes import PICK_UP_CODE

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


@register.filter
def is_pick_up(method_or_code) -> bool:
    """Whether a shipping method (or an order's ``shipping_code``) is pick-up in store, for
    the checkout steps, which have no delivery address to ask for then."""
    return getattr(method_or_code, "code", method_or_code) == PICK_UP_CODE
