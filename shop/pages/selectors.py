"""Reads for the content pages: which products a product list shows, which pages the menu shows."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Subquery
from django.http import HttpRequest
from django.utils import translation
from oscar.core.loading import get_class, get_model
from wagtail.models import Page, Site

from shop.cache import MENU_PAGES_CACHE_KEY, cache_forget, cache_get_with_header

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
StrategySelector = get_class("partner.strategy", "Selector")

# A list reads this many candidates per card it shows, so a few sold-out products do not leave
# holes in the row: stock is judged by Oscar's strategy in Python (the only place that knows
# the rules), not re-implemented in SQL.
CANDIDATES_PER_CARD = 3


@dataclass(frozen=True)
class ProductListSpec:
    """What one product list block asks for; hashable so a page can resolve all lists at once."""

    product_ids: tuple[int, ...] = ()
    category_id: int | None = None
    limit: int = 4


def _strategy_for_request(request: HttpRequest | None):
    # Oscar's BasketMiddleware puts the strategy on every storefront request; previews rendered
    # outside a request (or before the middleware) ask the project's strategy selector directly.
    strategy = getattr(request, "strategy", None)
    if strategy is None:
        strategy = StrategySelector().strategy(request=request, user=getattr(request, "user", None))
    return strategy


def _category_candidate_ids(*, category_id: int, limit: int) -> list[int]:
    # A category list includes its sub-categories, as Oscar's category page does, and only
    # categories a shopper can browse: a hidden category hides its whole subtree through
    # ``ancestors_are_public``. The chosen category's path comes from a subquery so the
    # category (already loaded by the block) is not fetched a second time.
    category_path = Category.objects.filter(pk=category_id).values("path")[:1]
    candidate_ids = (
        Product.objects.browsable()
        .filter(
            structure=Product.STANDALONE,
            categories__path__startswith=Subquery(category_path),
            categories__is_public=True,
            categories__ancestors_are_public=True,
            stockrecords__isnull=False,
        )
        .order_by("-date_created", "-pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    return list(candidate_ids[: limit * CANDIDATES_PER_CARD])


def product_lists_resolve(
    *, specs: Iterable[ProductListSpec], request: HttpRequest | None
) -> dict[ProductListSpec, list]:
    """Return the products each list shows: public, standalone and buyable right now.

    All lists share one product query (Oscar's ``base_queryset`` plus prefetched stock
    records and images), so the cards render without a query per product.
    """
    specs = list(dict.fromkeys(specs))
    if not specs:
        return {}

    candidate_ids_by_spec: dict[ProductListSpec, list[int]] = {}
    for spec in specs:
        if spec.category_id is not None:
            candidate_ids = _category_candidate_ids(category_id=spec.category_id, limit=spec.limit)
        else:
            candidate_ids = list(dict.fromkeys(spec.product_ids))
        candidate_ids_by_spec[spec] = candidate_ids

    # Long lists (recommendations hold dozens of ids) are read a window at a time: the first
    # ``limit * CANDIDATES_PER_CARD`` candidates almost always fill the row, and loading and
    # pricing all of them would cost far more than the row shows. A row left short by
    # unavailable products reads the next, larger window.
    window = {spec: spec.limit * CANDIDATES_PER_CARD for spec in specs}
    products_by_id: dict[int, object] = {}
    buyable_ids: set[int] = set()
    checked_ids: set[int] = set()
    strategy = _strategy_for_request(request)
    pending = specs
    while pending:
        ids_to_load = {
            pk for spec in pending for pk in candidate_ids_by_spec[spec][: window[spec]]
        } - checked_ids
        if ids_to_load:
            loaded = (
                Product.objects.base_queryset()
                # Keep Oscar's select_related and its ``has_options`` annotations, but
                # prefetch only what a card reads: children and option lists are never
                # touched for a standalone product whose ``has_options`` is annotated.
                .prefetch_related(None)
                .prefetch_related("stockrecords", "images")
                .filter(pk__in=ids_to_load, is_public=True, structure=Product.STANDALONE)
                .in_bulk()
            )
            products_by_id.update(loaded)
            checked_ids |= ids_to_load
            for product in loaded.values():
                purchase_info = strategy.fetch_for_product(product)
                if purchase_info.price.exists and purchase_info.availability.is_available_to_buy:
                    buyable_ids.add(product.pk)
        pending = [
            spec
            for spec in pending
            if len(candidate_ids_by_spec[spec]) > window[spec]
            and sum(pk in buyable_ids for pk in candidate_ids_by_spec[spec][: window[spec]])
            < spec.limit
        ]
        for spec in pending:
            window[spec] *= 2

    return {
        spec: [products_by_id[pk] for pk in candidate_ids if pk in buyable_ids][: spec.limit]
        for spec, candidate_ids in candidate_ids_by_spec.items()
    }


def product_list_get(
    *, spec: ProductListSpec, resolved: dict | None, request: HttpRequest | None
) -> list:
    """One list's products: from the page's resolve of all its lists (``StreamPage``), or on
    its own when the block renders alone (the editor's preview)."""
    if resolved is None or spec not in resolved:
        resolved = product_lists_resolve(specs=[spec], request=request)
    return resolved[spec]


@dataclass(frozen=True)
class MenuPage:
    pk: int
    title: str
    url: str


# Every storefront page shows the menu, and it changes only when editors publish, unpublish,
# move or delete a page (or change a site): ``shop.pages.receivers`` forget it then, so a
# cached menu is never out of date; the lifetime only bounds memory.
MENU_PAGES_CACHE_SECONDS = 60 * 60
# Entries are per Host header; ALLOWED_HOSTS bounds them, this bounds them again.
MENU_PAGES_MAX_HOSTS = 20


def _menu_pages_localized(*, site: Site) -> list[Page]:
    # The menu is the site's own tree (its order, its "Show in menus"); each entry shows the
    # page's version in the active language where the request's routing reaches one (a live
    # child of the live home page in that language, HomePage.route), else the page itself.
    pages = list(site.root_page.get_children().live().in_menu())
    localized_root = site.root_page.localized
    if localized_root.pk == site.root_page_id or not pages:
        return pages
    translations = {
        page.translation_key: page
        for page in localized_root.get_children()
        .live()
        .filter(translation_key__in=[page.translation_key for page in pages])
    }
    return [translations.get(page.translation_key, page) for page in pages]


def menu_pages_for_request(*, request: HttpRequest) -> list[MenuPage]:
    """The live pages right under the site's home page that editors ticked "Show in menus",
    each in its version in the active language when it has one."""
    host_key = f"{request.get_host()}|{translation.get_language()}"
    menus = cache_get_with_header(key=MENU_PAGES_CACHE_KEY) or {}
    if host_key in menus:
        return menus[host_key]
    site = Site.find_for_request(request)
    pages = [] if site is None else _menu_pages_localized(site=site)
    menu = [MenuPage(pk=page.pk, title=page.title, url=page.get_url(request)) for page in pages]
    if len(menus) < MENU_PAGES_MAX_HOSTS:
        cache.set(MENU_PAGES_CACHE_KEY, {**menus, host_key: menu}, MENU_PAGES_CACHE_SECONDS)
    return menu


def menu_pages_forget() -> None:
    """Drop the cached menus now and again after commit (``shop.cache.cache_forget``)."""
    cache_forget(key=MENU_PAGES_CACHE_KEY)


# What the storefront shows from the CMS (pages, sites, settings, snippets, images) is one
# version: ``shop.pages.receivers`` forget it on every change, and a cached storefront page
# (``shop.page_cache``) keeps it in its key, so the next request renders the change.
CMS_VERSION_CACHE_KEY = "pages:cms-version"


def cms_version_forget() -> None:
    """Start a new CMS version now and again after commit (``shop.cache.cache_forget``)."""
    cache_forget(key=CMS_VERSION_CACHE_KEY)
