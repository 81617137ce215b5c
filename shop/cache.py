"""Forgetting a cached read of the database at the right moments."""

from typing import Any

from django.core.cache import cache
from django.db import transaction

from shop.request_memo import request_memo_forget, request_memo_read

# The header's two menus (the catalogue's top categories, the editors' content pages) are on
# every storefront page: read together, they cost one round trip (``cache_get_with_header``).
MENU_CATEGORIES_CACHE_KEY = "catalogue:menu-categories"
MENU_PAGES_CACHE_KEY = "pages:menu-pages"
HEADER_CACHE_KEYS = (MENU_CATEGORIES_CACHE_KEY, MENU_PAGES_CACHE_KEY)


def cache_forget(*, key: str) -> None:
    """Delete ``key`` now, and again after the current transaction commits.

    The first delete serves the rest of this request. The second covers a reader that, between
    the change and the commit, still saw the old rows and cached them again: without it the old
    value would outlive the change until its timeout. Outside a transaction ``on_commit`` runs at
    once, which is harmless. A value this request read once (``shop.request_memo``) is dropped
    from its memo at the same two moments, so the rest of the request reads it again.
    """
    memo_key = _HEADER_MEMO_KEY if key in HEADER_CACHE_KEYS else key

    def forget() -> None:
        cache.delete(key)
        request_memo_forget(key=memo_key)

    forget()
    transaction.on_commit(forget)


_HEADER_MEMO_KEY = "cache:header"


def cache_get_with_header(*, key: str) -> Any:
    """The cached value of one of ``HEADER_CACHE_KEYS`` (None when missing).

    The first ask of a request reads both keys with one ``get_many``; the other ask is served
    from the request's memo (``shop.request_memo``).
    """
    values = request_memo_read(key=_HEADER_MEMO_KEY, load=lambda: cache.get_many(HEADER_CACHE_KEYS))
    return values.get(key)
