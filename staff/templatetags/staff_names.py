"""``{{ user|staff_name }}``: a person's name on staff screens and receipts (staff.selectors)."""

from django import template

from staff.selectors import staff_name as staff_name_select

register = template.Library()


@register.filter
def staff_name(user) -> str:
    return staff_name_select(user=user)
