"""Template tags that drop a recommendation row into Oscar's templates.

Thin callers of ``recommendations.selectors``; the row itself is the page builder's product
list template, so recommended cards look exactly like every other product list.
"""

from django import template
from django.utils.translation import gettext_lazy as _

from recommendations import selectors

register = template.Library()

ROW_TEMPLATE = "recommendations/product_row.html"


def _row(context, *, placement: str, title, products) -> dict:
    return {
        "request": context.get("request"),
        "placement": placement,
        "value": {"title": title},
        "products": products,
    }


@register.inclusion_tag(ROW_TEMPLATE, takes_context=True)
def also_bought(context, product, limit=4):
    products = selectors.also_bought_products(
        product_id=product.pk, request=context.get("request"), limit=limit
    )
    return _row(
        context,
        placement="also_bought",
        title=_("Customers who bought this also bought"),
        products=products,
    )


@register.inclusion_tag(ROW_TEMPLATE, takes_context=True)
def basket_suggestions(context, basket, limit=4):
    product_ids = [line.product_id for line in basket.all_lines()] if basket else []
    products = selectors.basket_suggestion_products(
        basket_product_ids=product_ids, request=context.get("request"), limit=limit
    )
    return _row(context, placement="basket", title=_("You may also need"), products=products)


@register.inclusion_tag(ROW_TEMPLATE, takes_context=True)
def recommended_for_you(context, limit=4, title=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    products = selectors.recommended_products(user=user, request=request, limit=limit)
    return _row(
        context,
        placement="personal",
        title=title or _("Recommended for you"),
        products=products,
    )
