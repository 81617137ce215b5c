"""Serve visitors' storefront pages from the cache, and store them on a miss.

A middleware rather than a view decorator, placed last: by then the session, the language,
the user, the messages and the basket are known, and its ``process_view`` runs after URL
resolution, so it looks up only views marked with ``page_cacheable`` and a hit returns before
the view (and Oscar's or Wagtail's view machinery) runs at all. The outer middlewares still
run on a hit: the CSRF cookie, ``Vary``/``Content-Language``, the security headers and the
Content-Security-Policy are those of any other response (the policy allows our own inline
scripts without a nonce, so no per-response value is ever cached).

A hit costs one cache round trip (the page and the versions it must have been stored under)
and the holes' work. A miss renders the page with placeholders, keeps it when it is a plain
200 without cookies of its own, and fills the placeholders for this request like a hit would.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from shop.page_cache.holes import (
    page_cache_rendering_start,
    page_cache_rendering_stop,
    page_cache_store_skipped,
    page_hole_cookies,
    page_holes_join,
    page_holes_split,
)
from shop.page_cache.selectors import (
    PageCacheKey,
    page_cache_key,
    page_cache_lookup,
    page_cache_store,
    page_cache_timeout,
)

# What a miss stores under: the key and the versions read before the page was rendered.
_PAGE_CACHE_STORE = "page_cache_store"
# Headers Django or the server work out for each response.
_HEADERS_NOT_KEPT = frozenset({"content-length", "set-cookie"})


# A view's ``page_cacheable``: True for pages the same for every viewer of a group, "basket"
# for a page showing the visitor's basket (cached per basket, its basket holes in the page).
PER_BASKET = "basket"
# What a per-basket page's entry holds rendered rather than as holes: the same basket.
_BASKET_HOLES = frozenset({"mini_basket", "navbar_basket"})


def page_cacheable(view: Callable) -> Callable:
    """Mark a view function whose visitors' pages ``PageCacheMiddleware`` may cache."""
    view.page_cacheable = True
    return view


def _view_page_cacheable(view: Callable) -> bool | str:
    return getattr(view, "page_cacheable", False) or getattr(
        getattr(view, "view_class", None), "page_cacheable", False
    )


def _response_from_entry(*, entry: dict, request: HttpRequest) -> HttpResponse:
    content = page_holes_join(texts=entry["texts"], holes=entry["holes"], request=request)
    response = HttpResponse(content)
    for name, value in entry["headers"]:
        response.headers[name] = value
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        store = getattr(request, _PAGE_CACHE_STORE, None)
        if store is not None:
            page_cache_rendering_stop(request=request)
            key, versions = store
            response = self._store_and_fill(
                request=request, response=response, key=key, versions=versions
            )
        for name, morsel in page_hole_cookies(request=request).items():
            response.cookies[name] = morsel
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        cacheable = _view_page_cacheable(view_func)
        if not cacheable:
            return None
        per_basket = cacheable == PER_BASKET
        key = page_cache_key(request=request, per_basket=per_basket)
        if key is None:
            return None
        entry, versions = page_cache_lookup(key=key)
        if entry is not None:
            response = _response_from_entry(entry=entry, request=request)
            patch_vary_headers(response, ("Cookie",))
            return response
        if versions is None:
            return None
        setattr(request, _PAGE_CACHE_STORE, (key, versions))
        page_cache_rendering_start(
            request=request, holes_rendered=_BASKET_HOLES if per_basket else frozenset()
        )
        return None

    @staticmethod
    def _store_and_fill(
        *, request: HttpRequest, response, key: PageCacheKey, versions: tuple
    ) -> HttpResponse:
        if getattr(response, "streaming", False):
            return response
        texts, holes = page_holes_split(html=response.content.decode(response.charset))
        entry = {
            "texts": texts,
            "holes": holes,
            "headers": [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in _HEADERS_NOT_KEPT
            ],
        }
        if (
            response.status_code == 200
            and not response.cookies
            and not page_cache_store_skipped(request=request)
        ):
            page_cache_store(
                key=key, versions=versions, entry=entry, timeout=page_cache_timeout(request=request)
            )
        # Whether kept or not, the placeholders are filled for this request.
        response.content = page_holes_join(texts=texts, holes=holes, request=request)
        patch_vary_headers(response, ("Cookie",))
        return response
