"""Reads about staff accounts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

from shop.cache import cache_forget
from shop.request_memo import request_memo_read
from staff import roles

# Whether an account without the staff flag may open Wagtail's admin (marketing, editors),
# kept per user: Django's permission check costs every signed-in customer's page two queries
# (their own permissions and their groups'), only to learn that a shopper is not staff. The
# receivers forget it when the user's groups or permissions, or a group's permissions, change;
# the timeout bounds a change no signal reports.
ADMIN_ACCESS_CACHE_SECONDS = 60 * 60


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
    if user.is_staff or user.is_superuser:
        return True
    key = _admin_access_cache_key(user_id=user.pk)
    return request_memo_read(key=key, load=lambda: _admin_access_load(user=user, key=key))


def _admin_access_cache_key(*, user_id: int) -> str:
    return f"staff:admin-access:{user_id}"


def _admin_access_load(*, user, key: str) -> bool:
    # Stored as 1 or 0: a cached False would read like a miss in a truthiness test.
    cached = cache.get(key)
    if cached is None:
        cached = int(user.has_perm("wagtailadmin.access_admin"))
        cache.set(key, cached, ADMIN_ACCESS_CACHE_SECONDS)
    return bool(cached)


def staff_admin_access_forget(*, user_ids: Iterable[int]) -> None:
    """These users' groups or permissions changed: ask Django again on their next page."""
    for user_id in user_ids:
        cache_forget(key=_admin_access_cache_key(user_id=user_id))


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
