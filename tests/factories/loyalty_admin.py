"""Staff users for the loyalty admin tests, given their rights the way the demo gives them."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from oscar.test.factories import UserFactory

from loyalty import selectors, services


def _permission(codename: str, app_label: str = "loyalty") -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def marketing_user(**fields):
    """Like the demo `marketing` account: a Wagtail user (not staff) in "Loyalty marketing"."""
    user = UserFactory(is_staff=False, **fields)
    user.groups.add(services.loyalty_admin_groups_ensure()[services.LOYALTY_MARKETING_GROUP])
    return user


def marketing_manager(**fields):
    user = marketing_user(**fields)
    user.groups.add(Group.objects.get_or_create(name=selectors.MARKETING_MANAGERS_GROUP)[0])
    return user


def viewer_user(**fields):
    """A marketing editor who may see members and the ledger but holds no adjust permission."""
    user = UserFactory(is_staff=False, **fields)
    user.user_permissions.add(
        _permission("access_admin", "wagtailadmin"),
        _permission("view_membercard"),
        _permission("view_pointstransaction"),
    )
    return user


def cashier_user(**fields):
    """A cashier who was (wrongly) given the marketing rights as well."""
    user = marketing_user(**fields)
    user.groups.add(Group.objects.get_or_create(name=selectors.CASHIERS_GROUP)[0])
    return user
