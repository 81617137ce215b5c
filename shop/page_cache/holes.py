"""Holes: the parts of a cached page filled in for each request.

A hole is a function ``fn(request, **arguments) -> str`` (safe HTML) registered under a name
with ``page_hole_register``. The ``{% page_hole "name" key=value %}`` tag calls it directly on
an ordinary render, so pages that are never cached (members, staff) work unchanged. While a
page is rendered *for the cache* the tag writes a placeholder instead: an HTML comment holding
the hole's name and arguments as JSON. ``page_holes_split`` cuts a rendered page at its
placeholders once, when it is stored, and ``page_holes_join`` calls each hole for the request
being served, so a cache hit costs string joins and the holes' own work, no parsing.

Arguments must be JSON values (ids, strings): the placeholder carries them into the cache.
The JSON has ``<``, ``>`` and ``&`` escaped, so a placeholder never holds ``-->`` and ends at
the first ``}-->``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from inspect import signature

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

HoleFunction = Callable[..., str]

_HOLES: dict[str, HoleFunction] = {}
_PLACEHOLDER_PREFIX = "<!--page-hole:"
_PLACEHOLDER_SUFFIX = "-->"
_PLACEHOLDER = re.compile(r"<!--page-hole:(\{.*?\})-->")
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
# Set on a request while its page is rendered to be stored in the cache.
_RENDERING_FOR_CACHE = "page_cache_rendering"
# The holes a page rendered for the cache shows rendered, not as placeholders.
_HOLES_RENDERED = "page_cache_holes_rendered"
# Cookies the holes of this request set; the middleware puts them on the response.
_HOLE_COOKIES = "page_hole_cookies"


def page_hole_register(name: str) -> Callable[[HoleFunction], HoleFunction]:
    """Register ``fn(request, **arguments) -> str`` as the hole ``name``."""

    def register(function: HoleFunction) -> HoleFunction:
        if name in _HOLES and _HOLES[name] is not function:
            raise ValueError(f"The page hole {name!r} is registered twice.")
        _HOLES[name] = function
        return function

    return register


def page_hole_placeholder(*, name: str, arguments: dict | None = None) -> SafeString:
    """The placeholder a page rendered for the cache holds in place of the hole."""
    if name not in _HOLES:
        raise KeyError(f"No page hole is registered as {name!r}.")
    payload = json.dumps(
        {"name": name, "arguments": arguments or {}}, sort_keys=True, separators=(",", ":")
    ).translate(_JSON_ESCAPES)
    return mark_safe(f"{_PLACEHOLDER_PREFIX}{payload}{_PLACEHOLDER_SUFFIX}")  # noqa: S308


def page_hole_render(*, request: HttpRequest, name: str, arguments: dict | None = None) -> str:
    """What the hole ``name`` shows in this page: its output, or its placeholder."""
    if page_cache_rendering(request=request) and name not in getattr(request, _HOLES_RENDERED, ()):
        return page_hole_placeholder(name=name, arguments=arguments)
    return mark_safe(_HOLES[name](request, **(arguments or {})))  # noqa: S308


def page_cache_rendering(*, request: HttpRequest | None) -> bool:
    """True while ``request``'s page is being rendered to be stored in the cache."""
    return getattr(request, _RENDERING_FOR_CACHE, False)


def page_cache_rendering_start(
    *, request: HttpRequest, holes_rendered: frozenset[str] = frozenset()
) -> None:
    """``request``'s page is rendered for the cache: its holes write placeholders, except
    ``holes_rendered``, whose output the page's key already stands for (the basket's own
    summary on a page cached per basket)."""
    setattr(request, _RENDERING_FOR_CACHE, True)
    setattr(request, _HOLES_RENDERED, holes_rendered)


def page_cache_rendering_stop(*, request: HttpRequest) -> None:
    """The page is rendered: its holes, filled next, show their own output (a cached row's
    CSRF token), not placeholders."""
    setattr(request, _RENDERING_FOR_CACHE, False)


def page_holes_split(*, html: str) -> tuple[list[str], list[tuple[str, dict, str]]]:
    """Cut ``html`` at its placeholders: the texts around them and the holes between.

    Returns ``texts`` (one more than there are holes) and ``holes`` as (name, arguments,
    placeholder JSON) in page order.
    """
    pieces = _PLACEHOLDER.split(html)
    texts, holes = [pieces[0]], []
    for payload, text in zip(pieces[1::2], pieces[2::2], strict=True):
        hole = _hole_parsed(payload)
        if hole is None:
            # Not one of ours (e.g. pasted into a product description): it stays text.
            texts[-1] += f"{_PLACEHOLDER_PREFIX}{payload}{_PLACEHOLDER_SUFFIX}{text}"
            continue
        holes.append((*hole, payload))
        texts.append(text)
    return texts, holes


def _hole_parsed(payload: str) -> tuple[str, dict] | None:
    try:
        hole = json.loads(payload)
        name, arguments = hole["name"], hole["arguments"]
        signature(_HOLES[name]).bind(None, **arguments)
    except (ValueError, TypeError, KeyError):
        return None
    return name, arguments


def page_holes_join(
    *, texts: list[str], holes: list[tuple[str, dict, str]], request: HttpRequest
) -> str:
    """The page for ``request``: each hole's output between the texts.

    A hole repeated with the same arguments (the CSRF token of every form) is called once.
    """
    outputs: dict[str, str] = {}
    parts = [texts[0]]
    for (name, arguments, payload), text in zip(holes, texts[1:], strict=True):
        output = outputs.get(payload)
        if output is None:
            output = outputs[payload] = str(_HOLES[name](request, **arguments))
        parts.append(output)
        parts.append(text)
    return "".join(parts)


def page_holes_fill(*, html: str, request: HttpRequest) -> str:
    """``html`` with its placeholders filled for ``request``.

    For HTML cached by a part of a page (a recommendation row): a page being rendered for the
    cache keeps the placeholders, which its own serving fills in.
    """
    if page_cache_rendering(request=request) or _PLACEHOLDER_PREFIX not in html:
        return html
    texts, holes = page_holes_split(html=html)
    return page_holes_join(texts=texts, holes=holes, request=request)


def page_hole_cookie_set(*, request: HttpRequest, key: str, morsel) -> None:
    """Keep a cookie a hole sets; the page-cache middleware puts it on the response.

    A hole runs where there is no response yet (inside a template, or while a cached page is
    served), so it cannot set the cookie itself.
    """
    cookies = getattr(request, _HOLE_COOKIES, None)
    if cookies is None:
        cookies = {}
        setattr(request, _HOLE_COOKIES, cookies)
    cookies[key] = morsel


def page_hole_cookies(*, request: HttpRequest) -> dict:
    return getattr(request, _HOLE_COOKIES, None) or {}


_STORE_SKIPPED = "page_cache_store_skipped"


def page_cache_store_skip(*, request: HttpRequest) -> None:
    """Serve this page with its holes filled but do not keep it (e.g. a search found nothing)."""
    setattr(request, _STORE_SKIPPED, True)


def page_cache_store_skipped(*, request: HttpRequest) -> bool:
    return getattr(request, _STORE_SKIPPED, False)
