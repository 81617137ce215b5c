from django import template

from shop.page_cache.holes import page_hole_render

register = template.Library()


@register.simple_tag(takes_context=True)
def page_hole(context, name, **arguments):
    """``{% page_hole "name" key=value %}``: the hole's output, or its placeholder in the cache."""
    return page_hole_render(request=context["request"], name=name, arguments=arguments)
