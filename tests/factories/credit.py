"""Factories for the credit-account tests: accounts, staff with the credit permissions."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Permission
from oscar.test.factories import UserFactory

from credit import services
from credit.models import CreditAccount


def credit_staff(*codenames: str, email: str | None = None):
    """A staff user holding the given ``credit`` permissions (and view access)."""
    user = UserFactory(is_staff=True, **({"email": email} if email else {}))
    perms = Permission.objects.filter(
        content_type__app_label="credit", codename__in=["view_creditaccount", *codenames]
    )
    user.user_permissions.add(*perms)
    # Django caches permissions on the instance: hand back a fresh one.
    return type(user).objects.get(pk=user.pk)


def credit_account(
    *,
    name: str = "Department of Chemistry",
    limit: str = "1000.00",
    term_days: int = 30,
    buyers: list | None = None,
    limit_setter=None,
    **extra,
) -> CreditAccount:
    return services.credit_account_create(
        name=name,
        kind=CreditAccount.Kind.DEPARTMENT,
        billing_email="office@chem.campus.example",
        head_name="Prof. Zhang",
        head_email="head@chem.campus.example",
        credit_limit=Decimal(limit),
        payment_term_days=term_days,
        buyers=buyers or [],
        actor=limit_setter,
        **extra,
    )
