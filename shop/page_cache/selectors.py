"""Which requests a cached page may answer, and the key of that page.

``page_cache_key`` and ``page_cache_lookup`` are the one place that says what a cached page
depends on: the URL (path and the query parameters the listings read), the active language and
the local day make the key; three versions, each a cache key that the receivers of its kind of
change forget or bump, are kept in the entry:

- ``catalogue_version`` (``shop.apps.catalogue.selectors``): products, prices, stock, offers,
  member types, categories, pre-orders;
- the recommendation generation (``recommendations.caching``): a recompute or a rule change;
- ``cms_version`` (``shop.pages.selectors``): a Wagtail page published, unpublished, moved or
  deleted, a site, a setting, a snippet or an image changed.

The host is in it because it chooses the Wagtail site; the day because a pre-order closes on
its release date with no row changing; the viewer's pricing group (``viewer_group``) because
member prices are shown to members and visitors alike: signed-in customers share the pages of
their group, everything of their own in them being a hole. The basket page is cached for
visitors only, per basket and minute (its delivery line follows the clock), and held to that
basket's version too (``shop.apps.basket.selectors``): lines, options, vouchers or the
basket's status changed.

The versions are kept in the entry rather than the key so that a hit is one cache round trip
(``page_cache_lookup`` reads the versions and the page together): an entry whose versions are
not the current ones is a miss, and the page rendered for it replaces it.
"""

from __future__ import annotations

import hashlib
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone, translation

from loyalty.member_price import member_pricing_group
from recommendations.caching import GENERATION_KEY
from shop.apps.basket.selectors import basket_version_key, visitor_basket_id
from shop.apps.catalogue.selectors import CATALOGUE_VERSION_CACHE_KEY
from shop.pages.selectors import CMS_VERSION_CACHE_KEY
from staff.selectors import staff_account_is

_VERSION_KEYS = (CATALOGUE_VERSION_CACHE_KEY, GENERATION_KEY, CMS_VERSION_CACHE_KEY)
# The query parameters the cached pages read (search words, page number, sort order). A request
# with any other parameter is rendered afresh, so no parameter can multiply the entries.
CACHED_QUERY_PARAMETERS = frozenset({"q", "page", "sort_by"})
# Oscar's ``basket_form`` tag shows a failed add-to-basket form kept under this session key.
FAILED_BASKET_FORM_SESSION_PREFIX = "add_to_basket_form_post_data_"


def request_has_failed_basket_form(*, request: HttpRequest) -> bool:
    """True when the session holds a failed add-to-basket form, which a product card shows."""
    session = getattr(request, "session", None)
    # A session is not iterable, only its keys() are.
    return session is not None and any(
        key.startswith(FAILED_BASKET_FORM_SESSION_PREFIX)
        for key in session.keys()  # noqa: SIM118
    )


class PageCacheKey(NamedTuple):
    """Where a page is cached, and the versions its entry must hold to be served."""

    key: str
    version_keys: tuple[str, ...] = _VERSION_KEYS


def _versions_completed(*, found: dict, version_keys: tuple[str, ...]) -> tuple | None:
    if any(key not in found for key in version_keys):
        # Forgotten (a change) or never set: start a version; ``add`` so concurrent readers
        # agree on one.
        for key in version_keys:
            if key not in found:
                cache.add(key, time.time_ns(), timeout=None)
        found = cache.get_many(version_keys)
        if len(found) < len(version_keys):
            return None
    return tuple(found[key] for key in version_keys)


def page_cache_lookup(*, key: PageCacheKey) -> tuple[dict | None, tuple | None]:
    """The entry cached under ``key`` if it is current, and the current versions.

    One round trip reads both. The entry is None on a miss, or when it was stored under
    other versions (something it shows has changed since); the versions are None when the
    cache cannot be reached, and then nothing is to be stored either.
    """
    found = cache.get_many([*key.version_keys, key.key])
    entry = found.pop(key.key, None)
    versions = _versions_completed(found=found, version_keys=key.version_keys)
    if entry is None or versions is None or entry.get("versions") != versions:
        return None, versions
    return entry, versions


def page_cache_store(*, key: PageCacheKey, versions: tuple, entry: dict, timeout: int) -> None:
    """Keep ``entry`` under ``key`` with the versions read before it was made.

    ``page_cache_lookup`` serves it while those versions are the current ones; a change made
    while it was being made leaves it out of date rather than hidden.
    """
    cache.set(key.key, {**entry, "versions": versions}, timeout)


def page_cache_versions_forget() -> None:
    """Start new versions of everything: no page cached so far is served again."""
    cache.delete_many(_VERSION_KEYS)


def _normalized_query(*, request: HttpRequest) -> str | None:
    query = request.GET
    if not query:
        return ""
    if not CACHED_QUERY_PARAMETERS.issuperset(query):
        return None
    if any(len(query.getlist(name)) > 1 for name in query):
        return None
    return "&".join(f"{name}={query[name]}" for name in sorted(query))


def viewer_group(*, request: HttpRequest) -> str | None:
    """Which viewers share ``request``'s page: visitors, or customers of one pricing group.

    None for staff and Wagtail's editors, whose pages hold their workplaces' links and the
    user bar: they always render. A signed-in customer's page differs from a visitor's in the
    account links (a hole) and the footer's account link, and by their member prices.
    """
    user = request.user
    if not user.is_authenticated:
        return "visitor"
    if staff_account_is(user=user):
        return None
    return f"customer-{member_pricing_group(request=request)}"


def page_cache_key(*, request: HttpRequest, per_basket: bool = False) -> PageCacheKey | None:
    """Where the page answering ``request`` is cached, or None when it must be rendered.

    A visitor's or a customer's GET or HEAD without a failed add-to-basket form in the session
    is answered from the cache; staff, editors, previews and form posts always render.
    ``per_basket``: the page shows the basket itself (the basket page), so it is cached for
    visitors only, one entry per basket, held to the basket's version as well.
    """
    if request.method not in ("GET", "HEAD"):
        return None
    query = _normalized_query(request=request)
    if query is None or request_has_failed_basket_form(request=request):
        return None
    viewer = viewer_group(request=request)
    if viewer is None:
        return None
    version_keys = _VERSION_KEYS
    if per_basket:
        basket_id = visitor_basket_id(request=request) if viewer == "visitor" else None
        if basket_id is None:
            return None
        # The basket's delivery line ("Pick up in store, ready from 14:45") follows the clock,
        # moving on at a minute's turn (the preparation time to the next quarter hour, the
        # desk's hours): an entry serves the minute it was rendered in.
        viewer = f"{viewer}-basket-{basket_id}-{timezone.localtime():%H%M}"
        if basket_id:
            version_keys = (*_VERSION_KEYS, basket_version_key(basket_id=basket_id))
    # The host chooses the Wagtail site (its home page, its menu); ALLOWED_HOSTS bounds it.
    url = hashlib.sha1(
        f"{request.scheme}://{request.get_host()}{request.path}?{query}".encode(),
        usedforsecurity=False,
    ).hexdigest()
    return PageCacheKey(
        key=f"page:{viewer}:{translation.get_language()}:{timezone.localdate().isoformat()}:{url}",
        version_keys=version_keys,
    )


def basket_summary_cache_key(*, request: HttpRequest) -> PageCacheKey | None:
    """Where the header's summary of a visitor's saved basket is cached, or None.

    A visitor's basket is named by their cookie, so its summary (total, item count, the
    drop-down's lines) is the same on every page they open until the basket, a price or an
    offer changes: one entry per basket and language, held to the basket's version and the
    page versions. A customer's basket is found through their account (a query), and a
    visitor without a saved basket sees the one summary every worker keeps in memory.
    """
    if request.user.is_authenticated:
        return None
    basket_id = visitor_basket_id(request=request)
    if not basket_id:
        return None
    return PageCacheKey(
        key=f"basket-summary:{translation.get_language()}:{timezone.localdate().isoformat()}:"
        f"{basket_id}",
        version_keys=(*_VERSION_KEYS, basket_version_key(basket_id=basket_id)),
    )


def page_cache_timeout(*, request: HttpRequest) -> int:
    """How long a page lives: a search page (any words) briefly, the others a few minutes."""
    if "q" in request.GET:
        return settings.PAGE_CACHE_SEARCH_TIMEOUT_SECONDS
    return settings.PAGE_CACHE_TIMEOUT_SECONDS
