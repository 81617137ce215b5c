"""Oscar's ``history_tags`` with the recently viewed products as a page hole.

Oscar's product page template loads ``history_tags`` and calls ``recently_viewed_products``;
settings map that library name here (``TEMPLATES[...]["OPTIONS"]["libraries"]``), so the
list, which depends on the visitor's cookie, is filled per request in a cached product page.
"""

from django import template
from oscar.templatetags.history_tags import get_back_button

from shop.page_cache.holes import page_hole_render

register = template.Library()
register.simple_tag(get_back_button, takes_context=True)


@register.simple_tag(takes_context=True)
def recently_viewed_products(context, current_product=None):
    return page_hole_render(
        request=context["request"],
        name="product_viewed",
        arguments={"product_id": current_product.pk if current_product else None},
    )
