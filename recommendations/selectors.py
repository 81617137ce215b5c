"""Reads of the recommendations app: which products a placement shows, for whom.

Each placement first gets its ranked candidate ids, with marketing's pins and exclusions
applied, from one cache round trip (or, on a miss, one indexed query on the stored lists and
one on the rules). The products themselves are then loaded and checked for availability by
the same function the page builder's product lists use, so a recommendation never shows a
product a product list would hide.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.http import HttpRequest

from recommendations.caching import cached_list_get, cached_list_set, list_cache_key
from recommendations.models import ProductRule, RecommendationList
from shop.pages.selectors import ProductListSpec, product_lists_resolve

Kind = RecommendationList.Kind
Placement = ProductRule.Placement


def _stored_ids(*, kind: str, owner_id: int) -> list[int]:
    ids = (
        RecommendationList.objects.filter(kind=kind, owner_id=owner_id)
        .values_list("product_ids", flat=True)
        .first()
    )
    return list(ids or [])


def rules_apply(
    *, product_ids: Iterable[int], placement: str, hide_ids: Iterable[int] = ()
) -> list[int]:
    """Pinned products first (by position), then the computed ones; excluded ones dropped.

    ``hide_ids`` are never shown either (the product on its own page, what is already in
    the basket), pinned or not.
    """
    pinned: list[int] = []
    excluded = set(hide_ids)
    rules = ProductRule.objects.filter(placement__in=[placement, Placement.EVERYWHERE]).values_list(
        "product_id", "action"
    )
    for product_id, action in rules:  # ordered by action, position: "exclude" < "pin"
        if action == ProductRule.Action.EXCLUDE:
            excluded.add(product_id)
        else:
            pinned.append(product_id)
    ranked = dict.fromkeys([*pinned, *product_ids])
    return [pid for pid in ranked if pid not in excluded]


def _candidates(*, key: str, build) -> list[int]:
    generation, ids = cached_list_get(key=key)
    if ids is None:
        ids = build()
        cached_list_set(key=key, generation=generation, product_ids=ids)
    return ids


def also_bought_ids(*, product_id: int) -> list[int]:
    return _candidates(
        key=list_cache_key(kind=Kind.ALSO_BOUGHT, owner_id=product_id),
        build=lambda: rules_apply(
            product_ids=_stored_ids(kind=Kind.ALSO_BOUGHT, owner_id=product_id),
            placement=Placement.PRODUCT_PAGE,
            hide_ids=[product_id],
        ),
    )


def best_seller_ids() -> list[int]:
    return _candidates(
        key=list_cache_key(kind=Kind.BEST_SELLERS, owner_id=RecommendationList.STORE_WIDE_OWNER),
        build=lambda: rules_apply(
            product_ids=_stored_ids(
                kind=Kind.BEST_SELLERS, owner_id=RecommendationList.STORE_WIDE_OWNER
            ),
            placement=Placement.PERSONAL,
        ),
    )


def personal_ids(*, user_id: int | None) -> list[int]:
    """The customer's own list; best sellers of the week for visitors and new customers."""
    if not user_id:
        return best_seller_ids()

    def build() -> list[int]:
        stored = _stored_ids(kind=Kind.PERSONAL, owner_id=user_id) or _stored_ids(
            kind=Kind.BEST_SELLERS, owner_id=RecommendationList.STORE_WIDE_OWNER
        )
        return rules_apply(product_ids=stored, placement=Placement.PERSONAL)

    return _candidates(key=list_cache_key(kind=Kind.PERSONAL, owner_id=user_id), build=build)


def basket_suggestion_ids(*, basket_product_ids: Iterable[int]) -> list[int]:
    """Neighbours of everything in the basket, their similarities added up.

    A product close to several basket items outranks one close to a single item.
    """
    in_basket = sorted(set(basket_product_ids))
    if not in_basket:
        return []

    def build() -> list[int]:
        totals: dict[int, float] = {}
        rows = RecommendationList.objects.filter(
            kind=Kind.ALSO_BOUGHT, owner_id__in=in_basket
        ).values_list("product_ids", "scores")
        for product_ids, scores in rows:
            for pid, score in zip(product_ids, scores or [1.0] * len(product_ids), strict=False):
                totals[pid] = totals.get(pid, 0.0) + score
        ranked = sorted(totals, key=lambda pid: (-totals[pid], pid))
        return rules_apply(product_ids=ranked, placement=Placement.BASKET, hide_ids=in_basket)

    digest = hashlib.sha1(",".join(map(str, in_basket)).encode(), usedforsecurity=False)
    return _candidates(key=list_cache_key(kind="basket", owner_id=digest.hexdigest()), build=build)


def products_for_ids(*, product_ids: list[int], request: HttpRequest | None, limit: int) -> list:
    """The first ``limit`` of ``product_ids`` that are public and buyable now, in order."""
    if not product_ids:
        return []
    spec = ProductListSpec(product_ids=tuple(product_ids), limit=limit)
    return product_lists_resolve(specs=[spec], request=request)[spec]


def also_bought_products(*, product_id: int, request: HttpRequest | None, limit: int = 4) -> list:
    return products_for_ids(
        product_ids=also_bought_ids(product_id=product_id), request=request, limit=limit
    )


def basket_suggestion_products(
    *, basket_product_ids: Iterable[int], request: HttpRequest | None, limit: int = 4
) -> list:
    return products_for_ids(
        product_ids=basket_suggestion_ids(basket_product_ids=basket_product_ids),
        request=request,
        limit=limit,
    )


def recommended_list_spec(*, user, limit: int = 4) -> ProductListSpec:
    """The "Recommended for you" list as a product list, for a page to resolve with the rest."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    return ProductListSpec(product_ids=tuple(personal_ids(user_id=user_id)), limit=limit)


def recommended_products(*, user, request: HttpRequest | None, limit: int = 4) -> list:
    spec = recommended_list_spec(user=user, limit=limit)
    return product_lists_resolve(specs=[spec], request=request)[spec]
