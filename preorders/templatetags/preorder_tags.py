"""Template tags for the storefront: a product's pre-order terms, an order's pre-orders."""

from django import template

from preorders import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def preorder_for_product(context, product):
    """The product's open pre-order terms (settings, remaining, show_remaining), else None.

    Read through the request's strategy, which priced the same product for the page and so
    already holds the terms; a template rendered outside a storefront request reads them.
    """
    strategy = getattr(context.get("request"), "strategy", None)
    if strategy is not None and hasattr(strategy, "preorder_terms"):
        return strategy.preorder_terms(product)
    settings = selectors.preorder_settings_open_for_product(product=product)
    if settings is None:
        return None
    return selectors.PreorderTerms(
        settings=settings, remaining=selectors.preorder_units_remaining(settings=settings)
    )


@register.simple_tag
def preorders_for_order(order):
    return list(selectors.preorders_for_order(order=order))
