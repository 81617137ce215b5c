"""Staff users for the loyalty admin tests, given their rights the way the demo gives them."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from oscar.test.factories import UserFactory

from staff import roles, services
from tests.factories.staff import staff_user


def _permission(codename: str, app_label: str = "loyalty") -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def marketing_user(**fields):
    """Like the demo `marketing` account: a Wagtail user (not staff) with the marketing role."""
    return staff_user(roles.MARKETING, **fields)


def marketing_manager(**fields):
    return staff_user(roles.MARKETING_MANAGER, **fields)


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
    services.staff_role_grant(user=user, key=roles.CASHIER)
    return user
