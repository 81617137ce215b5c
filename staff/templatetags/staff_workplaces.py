"""``{% staff_workplaces as workplaces %}``: the storefront's links back to a person's staff work."""

from django import template

from staff.selectors import staff_workplaces as staff_workplaces_select

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_workplaces(context) -> list:
    request = context.get("request")
    return staff_workplaces_select(user=getattr(request, "user", None))
