"""Reads for the content pages: which products a product list shows, which pages the menu shows."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Subquery
from django.http import HttpRequest
from oscar.core.loading import get_class, get_model
from wagtail.models import Page, Site

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
StrategySelector = get_class("partner.strategy", "Selector")

# A category list reads this many candidates per card it shows, so a few sold-out products
# do not leave holes in the row: stock is judged by Oscar's strategy in Python (the only place
# that knows the rules), not re-implemented in SQL.
CATEGORY_CANDIDATES_PER_CARD = 3


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
    return list(candidate_ids[: limit * CATEGORY_CANDIDATES_PER_CARD])


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

    all_ids = {pk for ids in candidate_ids_by_spec.values() for pk in ids}
    products_by_id = (
        Product.objects.base_queryset()
        # Keep Oscar's select_related and its ``has_options`` annotations, but prefetch only
        # what a card reads: children and option lists are never touched for a standalone
        # product whose ``has_options`` is already annotated.
        .prefetch_related(None)
        .prefetch_related("stockrecords", "images")
        .filter(pk__in=all_ids, is_public=True, structure=Product.STANDALONE)
        .in_bulk()
        if all_ids
        else {}
    )

    strategy = _strategy_for_request(request)
    buyable_ids = set()
    for product in products_by_id.values():
        purchase_info = strategy.fetch_for_product(product)
        if purchase_info.price.exists and purchase_info.availability.is_available_to_buy:
            buyable_ids.add(product.pk)

    return {
        spec: [products_by_id[pk] for pk in candidate_ids if pk in buyable_ids][: spec.limit]
        for spec, candidate_ids in candidate_ids_by_spec.items()
    }


def menu_pages_for_request(*, request: HttpRequest) -> list[Page]:
    """The live pages right under the site's home page that editors ticked "Show in menus"."""
    site = Site.find_for_request(request)
    if site is None:
        return []
    return list(site.root_page.get_children().live().in_menu())
