"""Members sign in with their card number and PIN wherever an email address and password go.

An authentication backend rather than a view of its own, so that the storefront's
``/accounts/login/`` (and any form that calls ``authenticate()``) accepts a card with no extra
page, and the login throttle (``shop.apps.customer.login_throttle``: the backend before this
one and the ``user_login_failed`` receivers) counts wrong PINs exactly as wrong passwords.
The PIN check itself, with the card's own failure counter, is ``loyalty.services.cards``'.
"""

import re

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError

from core.throttle import THROTTLED_REQUEST_ATTRIBUTE, client_ip, login_failures_clear
from loyalty.economy import CARD_NUMBER_LENGTH, card_number_normalize
from loyalty.services.cards import card_sign_in_user

# Why a card sign-in with the right PIN was refused (a frozen card, one not linked to an
# account...): the login form shows it instead of "wrong card number or PIN", which would lie.
CARD_SIGN_IN_REFUSED_ATTRIBUTE = "card_sign_in_refused"
# Card numbers are printed in groups: "8860 0000 0001 3799" or with dashes.
_CARD_NUMBER_TYPED = re.compile(r"[\d\s-]+")


def looks_like_card_number(value: str) -> bool:
    value = (value or "").strip()
    return bool(
        _CARD_NUMBER_TYPED.fullmatch(value)
        and len(card_number_normalize(number=value)) == CARD_NUMBER_LENGTH
    )


class MemberCardBackend(ModelBackend):
    """Card number in the username field, PIN in the password field; anything else is left to
    the email and username backends. ``get_user`` is ModelBackend's: the session holds the
    customer account, not the card."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not password or not looks_like_card_number(username):
            return None
        ip = client_ip(request)
        try:
            user = card_sign_in_user(number=username, pin=password, ip=ip)
        except ValidationError as error:
            if error.code == "lookup_locked":
                # The card's own counter is full: the same 429 answer as the login throttle.
                setattr(request, THROTTLED_REQUEST_ATTRIBUTE, True)
                raise PermissionDenied from error
            if error.code != "card_pin_mismatch":
                setattr(request, CARD_SIGN_IN_REFUSED_ATTRIBUTE, error.messages[0])
            return None
        # The login throttle's receiver forgets the account's email and username; the card
        # number as typed is a key of its own.
        login_failures_clear(usernames=[username], ip=ip)
        return user


# As authenticate() records it on the user (and the session keeps it).
MEMBER_CARD_BACKEND = f"{MemberCardBackend.__module__}.{MemberCardBackend.__qualname__}"
