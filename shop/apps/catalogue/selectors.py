"""Reads of the catalogue that the storefront lists.

Every product listing of the store (catalogue, category, search, Wagtail product lists,
recommendations) renders Oscar's product card, which reads the product class, the option
flags, the stock records and the images. ``product_cards_queryset`` loads exactly those in
three queries for any number of cards, so a listing never costs a query per product.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from oscar.core.loading import get_model
from oscar.templatetags.category_tags import get_annotated_list

from shop.cache import MENU_CATEGORIES_CACHE_KEY, cache_forget, cache_get_with_header
from shop.request_memo import request_memo_read

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")

SORT_RELEVANCY = "relevancy"
SORT_TOP_RATED = "rating"
SORT_NEWEST = "newest"
SORT_PRICE_HIGH_TO_LOW = "price-desc"
SORT_PRICE_LOW_TO_HIGH = "price-asc"
SORT_TITLE_A_TO_Z = "title-asc"
SORT_TITLE_Z_TO_A = "title-desc"

# Oscar's sort keys (oscar.apps.search.forms.SearchForm) mapped to database orderings; the
# primary key ends every ordering so pagination is stable.
_ORDERINGS = {
    SORT_TOP_RATED: ("-rating", "title", "pk"),
    SORT_NEWEST: ("-date_created", "-pk"),
    SORT_PRICE_HIGH_TO_LOW: ("-listing_price", "title", "pk"),
    SORT_PRICE_LOW_TO_HIGH: ("listing_price", "title", "pk"),
    SORT_TITLE_A_TO_Z: ("title", "pk"),
    SORT_TITLE_Z_TO_A: ("-title", "-pk"),
}
_DEFAULT_ORDERING = ("-priority", "title", "pk")


def product_cards_queryset() -> QuerySet:
    """Products with what Oscar's product card reads, prefetched.

    Oscar's ``base_queryset`` annotates ``has_options`` and selects the product class; its
    prefetch of children and option lists is dropped because a card never reads them once
    ``has_options`` is annotated.
    """
    return (
        Product.objects.base_queryset()
        .prefetch_related(None)
        .prefetch_related("stockrecords", "images")
    )


def product_listing(
    *, category: Category | None = None, query: str = "", sort_by: str = ""
) -> QuerySet:
    """Browsable products for the catalogue, a category (with its sub-categories) or a search.

    A search matches every word of ``query`` against the title, description, UPC (barcode) or
    a category name; with the default "relevancy" sort, title matches come first.
    """
    products = product_cards_queryset().browsable()
    if category is not None:
        # ``path`` prefixes are treebeard's materialised paths: the category and its subtree.
        products = products.filter(
            categories__path__startswith=category.path,
            categories__is_public=True,
            categories__ancestors_are_public=True,
        )
    words = query.split()
    for word in words:
        products = products.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(upc=word)
            | Q(categories__name__icontains=word)
        )
    if category is not None or words:
        # Joins through categories can repeat a product; ids in a subquery keep the outer
        # query free of DISTINCT so it can still order by annotations.
        products = product_cards_queryset().filter(pk__in=products.values("pk"))

    if sort_by in (SORT_PRICE_HIGH_TO_LOW, SORT_PRICE_LOW_TO_HIGH):
        first_price = StockRecord.objects.filter(product=OuterRef("pk")).order_by("pk")
        products = products.annotate(listing_price=Subquery(first_price.values("price")[:1]))
    if sort_by in _ORDERINGS:
        return products.order_by(*_ORDERINGS[sort_by])
    if words:
        title_match = Q(*(Q(title__icontains=word) for word in words))
        products = products.annotate(
            title_rank=Case(
                When(title_match, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        return products.order_by("title_rank", *_DEFAULT_ORDERING)
    return products.order_by(*_DEFAULT_ORDERING)


@dataclass(frozen=True)
class MenuCategory:
    name: str
    url: str


# The header's "Browse store" menu is on every page and costs Oscar two queries; it changes
# only when a category is saved, moved or deleted, and ``shop.apps.catalogue.receivers``
# forgets it then. The lifetime only bounds how long a bulk UPDATE (no signal) can show.
MENU_CATEGORIES_CACHE_SECONDS = 60 * 60


def menu_categories() -> list[MenuCategory]:
    """The top-level categories of the header menu, as Oscar's ``category_tree depth=1``."""
    categories = cache_get_with_header(key=MENU_CATEGORIES_CACHE_KEY)
    if categories is None:
        categories = [
            MenuCategory(name=info.name, url=info.get_absolute_url())
            for info in get_annotated_list(depth=1)
        ]
        cache.set(MENU_CATEGORIES_CACHE_KEY, categories, MENU_CATEGORIES_CACHE_SECONDS)
    return categories


def menu_categories_forget() -> None:
    """Drop the cached menu now and again after commit (``shop.cache.cache_forget``)."""
    cache_forget(key=MENU_CATEGORIES_CACHE_KEY)


# What a shopper sees of a product (title, image, price, availability) changes only when a
# product, stock record, image, category, offer or pre-order is saved or deleted:
# ``shop.apps.catalogue.receivers`` forgets the version then, and the next reader starts a
# new one. Caches of catalogue HTML put the version in their keys, so one forget makes every
# such entry unreachable at once without scanning keys.
CATALOGUE_VERSION_CACHE_KEY = "catalogue:version"


def catalogue_version() -> int | None:
    """The current version, read once per request; None only while the cache is unreachable.

    The member price, each recommendation row and each thumbnail of a page ask for it: one
    read serves them all (``shop.request_memo``).
    """
    return request_memo_read(key=CATALOGUE_VERSION_CACHE_KEY, load=_catalogue_version_load)


def _catalogue_version_load() -> int | None:
    version = cache.get(CATALOGUE_VERSION_CACHE_KEY)
    if version is None:
        # ``add`` so that concurrent readers agree on one new version.
        cache.add(CATALOGUE_VERSION_CACHE_KEY, time.time_ns(), timeout=None)
        version = cache.get(CATALOGUE_VERSION_CACHE_KEY)
    return version


def catalogue_version_forget() -> None:
    """Start a new catalogue version now and again after commit (``shop.cache.cache_forget``).

    The second forget covers a request that read the old rows between the change and the
    commit and cached them under the version started by the first.
    """
    cache_forget(key=CATALOGUE_VERSION_CACHE_KEY)
