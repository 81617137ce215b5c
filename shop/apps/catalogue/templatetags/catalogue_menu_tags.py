from django import template

from shop.apps.catalogue.selectors import menu_categories

register = template.Library()


@register.simple_tag
def header_menu_categories():
    """Oscar's ``category_tree depth=1`` for the header, from the cache (see the selector)."""
    return menu_categories()
