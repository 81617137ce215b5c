"""Reads about staff accounts."""

from __future__ import annotations


def staff_name(*, user) -> str:
    """How receipts, shift reports and staff screens name a person.

    Their full name ("Mei Chen"); the username only for an account that has no name, so a
    receipt never reads "cashier cashier".
    """
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
