from django import template

from shop.pages.selectors import menu_pages_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu_pages(context):
    """The content pages linked from the header and footer (editors' "Show in menus")."""
    request = context.get("request")
    if request is None:
        return []
    return menu_pages_for_request(request=request)
