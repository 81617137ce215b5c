"""Template tags for the storefront: a product's pre-order terms, an order's pre-orders."""

from django import template

from preorders import selectors

register = template.Library()


@register.simple_tag
def preorder_for_product(product):
    """{settings, remaining, show_remaining} for a product taking pre-orders, else None."""
    settings = selectors.preorder_settings_open_for_product(product=product)
    if settings is None:
        return None
    remaining = selectors.preorder_units_remaining(settings=settings)
    return {
        "settings": settings,
        "remaining": remaining,
        "show_remaining": 0 < remaining <= settings.few_left_threshold,
    }


@register.simple_tag
def preorders_for_order(order):
    return list(selectors.preorders_for_order(order=order))
