"""Reads of the basket app: which basket a visitor's cookie names, and its cached version.

A basket's version is a cache key its receivers forget whenever anything the basket page
shows of it changes (its lines, their options, its vouchers, its status), so a page cached
for the basket (``shop.page_cache``) is replaced on the next request after the change.
"""

from __future__ import annotations

from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.http import HttpRequest

from shop.cache import cache_forget


def basket_version_key(*, basket_id: int) -> str:
    return f"basket:{basket_id}:version"


def basket_version_forget(*, basket_id: int) -> None:
    """Start a new version of the basket now and again after commit (``cache_forget``)."""
    cache_forget(key=basket_version_key(basket_id=basket_id))


def visitor_basket_id(*, request: HttpRequest) -> int | None:
    """The id of the basket a visitor's basket cookie names, read without the database.

    0 without a cookie (the visitor has no basket yet: an empty one); None when the cookie's
    signature does not hold, which Oscar's basket middleware answers by deleting the cookie
    on a rendered page. Whether the basket is still open is not known here: closing,
    merging or deleting a basket forgets its version, so a page cached for it is not served.
    """
    cookie = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    if cookie is None:
        return 0
    try:
        # The same signer Oscar's basket middleware signs the cookie with.
        return int(Signer().unsign(cookie))
    except (BadSignature, ValueError):
        return None
