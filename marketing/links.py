"""Signed links in campaign emails: open pixel, click redirect, unsubscribe.

Signed with Django's signing (SECRET_KEY), so a link cannot be forged for another member or
turned into an open redirect to a URL the email did not contain.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse

from core.links import site_url

OPEN_SALT = "marketing.open"
CLICK_SALT = "marketing.click"
UNSUBSCRIBE_SALT = "marketing.unsubscribe"


def open_pixel_url(*, recipient_id: int) -> str:
    token = signing.dumps(recipient_id, salt=OPEN_SALT)
    return site_url(reverse("marketing:open", args=[token]))


def click_url(*, recipient_id: int, target: str) -> str:
    token = signing.dumps([recipient_id, target], salt=CLICK_SALT, compress=True)
    return site_url(reverse("marketing:click") + "?" + urlencode({"t": token}))


def unsubscribe_url(*, user_id: int) -> str:
    token = signing.dumps(user_id, salt=UNSUBSCRIBE_SALT)
    return site_url(reverse("marketing:unsubscribe", args=[token]))


def open_token_read(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=OPEN_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def click_token_read(token: str) -> tuple[int, str] | None:
    try:
        recipient_id, target = signing.loads(token, salt=CLICK_SALT)
        return int(recipient_id), str(target)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def unsubscribe_token_read(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
