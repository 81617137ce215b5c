"""What load_demo and `make run` print about the loaded demo: one text, built here."""

from __future__ import annotations

from django.utils.translation import gettext as _

from loyalty.demo import DEMO_CARD_PIN, demo_card_sample
from shop.demo.constants import DEMO_STAFF_ACCOUNTS, EMAIL_DOMAIN

MEMBER_SIGN_IN_URL = "/accounts/login/"


def demo_member_sign_in_text() -> str:
    """How a demo member signs in, naming a demo card that works for the coming weeks."""
    card = demo_card_sample()
    if card is None:
        return _(
            "Members sign in at %(url)s with their member card number and PIN (no demo card "
            "is loaded yet)."
        ) % {"url": MEMBER_SIGN_IN_URL}
    return _(
        "Members sign in at %(url)s with their member card number and PIN: try card %(card)s "
        "with PIN %(pin)s (every demo card has it). Customer accounts member<N>@%(domain)s "
        "have no password until the member sets one."
    ) % {"url": MEMBER_SIGN_IN_URL, "card": card, "pin": DEMO_CARD_PIN, "domain": EMAIL_DOMAIN}


def demo_logins_lines() -> list[str]:
    """The demo staff sign-ins (username, password, the person and their role), then members."""
    lines = [
        f"  {account.username:<17} {account.password:<24} {account.full_name}, {account.role}"
        for account in DEMO_STAFF_ACCOUNTS
    ]
    lines.append("  " + demo_member_sign_in_text())
    return lines
