"""Staff accounts holding a role of staff/roles.py, given the way the store gives it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from oscar.test.factories import UserFactory

from staff import services


def staff_user(role: str, **fields):
    """A new account with ``role`` (and the staff flag if the role's screens need it)."""
    user = UserFactory(is_staff=False, **fields)
    services.staff_role_grant(user=user, key=role)
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache
