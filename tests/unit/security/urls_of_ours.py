"""Every URL pattern of ours, read from the live URLconf.

The fuzz tests (test_fuzz_*.py) and the access tests (test_access_*.py) both check "every URL
of ours"; reading the list from ``django.urls.get_resolver()`` instead of writing it by hand
means a view added later shows up here, and the coverage tests fail until it has a case.

"Ours" is decided by the code a URL runs, not by its prefix: a view class or function defined in
one of our packages, or a Wagtail generic view (snippet, ModelViewSet, chooser) bound to one of
our models. Oscar's and Wagtail's own views on their own models are theirs (tested upstream).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

# Top-level packages whose code is ours (the forked Oscar apps live under shop.apps).
OUR_PACKAGES = (
    "shop",
    "loyalty",
    "wallet",
    "recommendations",
    "operations",
    "credit",
    "preorders",
    "campus_sso",
    "till",
    "crm",
    "marketing",
)


@dataclass(frozen=True)
class OurUrl:
    route: str  # the full pattern as Django prints it, e.g. "member-card/pin/reset/<str:token>/"
    name: str  # "namespace:name" (or the bare name when the include has no namespace)
    view_path: str  # dotted path of the view class or function that answers
    model_label: str  # "app_label.ModelName" for Wagtail generic views bound to our model, else ""
    accepts_post: bool  # False only for class-based views without a post() handler

    @property
    def is_function_view(self) -> bool:
        return "." in self.view_path and self.view_path.rsplit(".", 1)[1][:1].islower()


def _is_our_module(module: str) -> bool:
    return module.split(".", 1)[0] in OUR_PACKAGES


def _model_of(callback) -> type | None:
    model = (getattr(callback, "view_initkwargs", None) or {}).get("model")
    if model is None:
        return None
    if isinstance(model, str):
        from django.apps import apps

        return apps.get_model(model)
    return model


def _describe(route: str, name: str, callback) -> OurUrl | None:
    view_class = getattr(callback, "view_class", None)
    target = view_class or callback
    view_path = f"{target.__module__}.{target.__qualname__}"
    model = _model_of(callback)
    model_is_ours = model is not None and _is_our_module(model.__module__)
    if not (_is_our_module(target.__module__) or model_is_ours):
        return None
    if view_class is not None:
        accepts_post = callable(getattr(view_class, "post", None))
    else:
        # A function view may branch on request.method anywhere in its body: count it as a
        # POST view unless its source never mentions POST (open pixel, click redirect).
        try:
            accepts_post = "POST" in inspect.getsource(inspect.unwrap(callback))
        except (OSError, TypeError):
            accepts_post = True
    return OurUrl(
        route=route,
        name=name,
        view_path=view_path,
        model_label=model._meta.label if model_is_ours else "",
        accepts_post=accepts_post,
    )


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
        elif isinstance(pattern, URLPattern):
            name = (
                f"{namespace}:{pattern.name}"
                if namespace and pattern.name
                else (pattern.name or "")
            )
            described = _describe(prefix + str(pattern.pattern), name, pattern.callback)
            if described is not None:
                yield described


@cache
def our_urls() -> tuple[OurUrl, ...]:
    """All URL patterns of ours in URLconf order, one per route."""
    return tuple(_walk(get_resolver().url_patterns))


def our_post_urls() -> tuple[OurUrl, ...]:
    return tuple(url for url in our_urls() if url.accepts_post)


def our_url(name: str) -> OurUrl:
    """The one URL of ours with that name (fails loudly on a typo or an ambiguous name)."""
    matches = [url for url in our_urls() if url.name == name]
    if len(matches) != 1:
        raise LookupError(f"{len(matches)} URLs of ours are named {name!r}")
    return matches[0]
