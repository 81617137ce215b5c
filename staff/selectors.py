"""Reads about staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

from staff import roles


def staff_name(*, user) -> str:
    """How receipts, shift reports and staff screens name a person.

    Their full name ("Mei Chen"); the username only for an account that has no name, so a
    receipt never reads "cashier cashier".
    """
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def staff_account_is(*, user) -> bool:
    """True for an account that works in the dashboard, the till or Wagtail's admin.

    Staff and superusers, and anyone who may open Wagtail's admin (editors, marketing): their
    storefront pages carry their workplaces' links and Wagtail's user bar.
    """
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")


@dataclass(frozen=True)
class Workplace:
    url: str
    label: str


def staff_workplaces(*, user) -> list[Workplace]:
    """Where this person's staff work is, the place to land after signing in first.

    Read from the roles of staff/roles.py the account holds, in the table's order; a
    superuser holds every role and lands on the dashboard, the credit manager's and operators'
    place. A place inside another one (the till inside the dashboard) is not repeated. A
    shopper has none; the check on permissions first spares every shopper's page a query,
    since the permissions are already loaded for the page's Wagtail user bar.
    """
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser:
        held = [roles.ROLES_BY_KEY[roles.OPERATOR], *roles.ROLES]
    elif staff_account_is(user=user):
        group_names = set(user.groups.values_list("name", flat=True))
        held = [role for role in roles.ROLES if role.group in group_names]
    else:
        return []
    workplaces: list[Workplace] = []
    for role in held:
        if role.dashboard and not user.is_staff:
            # Oscar's dashboard (and its till) refuses an account without the staff flag.
            continue
        if any(role.where.startswith(place.url) for place in workplaces):
            continue
        workplaces.append(Workplace(url=role.where, label=str(role.where_label)))
    return workplaces


def staff_landing_url(*, user) -> str | None:
    """Where a person lands after signing in with no page asked for: their first workplace."""
    workplaces = staff_workplaces(user=user)
    return workplaces[0].url if workplaces else None
