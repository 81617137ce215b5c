"""Reads of the recommendations app: which products a placement shows, for whom.

Each placement first gets its ranked candidate ids, with marketing's pins and exclusions
applied, from one cache round trip (or, on a miss, one indexed query on the stored lists and
one on the rules; a "new for you" row adds one for the titles of the purchases its items are
recommended because of, kept in the same cache entry). The products themselves are then loaded and checked for availability by
the same function the page builder's product lists use, so a recommendation never shows a
product a product list would hide.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest
from oscar.core.loading import get_model

from recommendations.caching import cached_list_get, cached_list_set, list_cache_key
from recommendations.models import ProductRule, RecommendationList
from shop.pages.selectors import ProductListSpec, product_lists_resolve

Product = get_model("catalogue", "Product")
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


STORE_WIDE = RecommendationList.STORE_WIDE_OWNER


def _stored_rows(*, kinds_owners: list[tuple[str, int]]) -> dict[str, tuple[list, list]]:
    """Several stored lists, by kind, in one query on the (kind, owner_id) unique index."""
    wanted = Q()
    for kind, owner_id in kinds_owners:
        wanted |= Q(kind=kind, owner_id=owner_id)
    rows = RecommendationList.objects.filter(wanted).values_list(
        "kind", "product_ids", "reason_ids"
    )
    return {kind: (product_ids, reason_ids) for kind, product_ids, reason_ids in rows}


# The visitors' list, with the best sellers standing in until a trending list is stored.
TRENDING_LISTS = [(Kind.TRENDING, STORE_WIDE), (Kind.BEST_SELLERS, STORE_WIDE)]


def _trending_from(stored: dict[str, tuple[list, list]]) -> list[int]:
    ids = stored.get(Kind.TRENDING, ([], []))[0]
    return list(ids or stored.get(Kind.BEST_SELLERS, ([], []))[0])


def trending_ids() -> list[int]:
    """The visitors' row: popular in recent weeks, across categories."""
    return _candidates(
        key=list_cache_key(kind=Kind.TRENDING, owner_id=RecommendationList.STORE_WIDE_OWNER),
        build=lambda: rules_apply(
            product_ids=_trending_from(_stored_rows(kinds_owners=TRENDING_LISTS)),
            placement=Placement.PERSONAL,
        ),
    )


def buy_again_ids(*, user_id: int | None, hide_ids: Iterable[int] = ()) -> list[int]:
    """The member's own items, most due first; nothing for visitors and new members.

    ``hide_ids`` (what is in the basket) are dropped after the cache, so one cached list
    serves every state of the member's basket.
    """
    if not user_id:
        return []
    ids = _candidates(
        key=list_cache_key(kind=Kind.BUY_AGAIN, owner_id=user_id),
        build=lambda: rules_apply(
            product_ids=_stored_ids(kind=Kind.BUY_AGAIN, owner_id=user_id),
            placement=Placement.BUY_AGAIN,
        ),
    )
    hidden = set(hide_ids)
    return [pid for pid in ids if pid not in hidden]


@dataclass(frozen=True)
class PersonalRow:
    """What the "Recommended for you" row shows one viewer.

    ``kind`` is ``new_for_you`` for a member with a list of their own, else ``trending``;
    ``reasons`` maps a product id to the title of the product the member bought that led to
    it ("because you buy ..."), kept beside the ids so a warm row needs no title query.
    """

    kind: str
    product_ids: tuple[int, ...]
    reasons: tuple[tuple[int, str], ...] = ()

    @property
    def reason_by_product_id(self) -> dict[int, str]:
        return dict(self.reasons)


def _new_for_you_build(*, user_id: int) -> PersonalRow:
    # The member's list and the visitors' lists it falls back to come in one query.
    stored = _stored_rows(kinds_owners=[(Kind.NEW_FOR_YOU, user_id), *TRENDING_LISTS])
    product_ids, reason_ids = stored.get(Kind.NEW_FOR_YOU, ([], []))
    if not product_ids:
        ids = rules_apply(product_ids=_trending_from(stored), placement=Placement.PERSONAL)
        return PersonalRow(kind=Kind.TRENDING, product_ids=tuple(ids))
    ids = rules_apply(product_ids=product_ids, placement=Placement.PERSONAL)
    reason_of = dict(zip(product_ids, reason_ids or [], strict=False))
    wanted = {reason_of[pid] for pid in ids if reason_of.get(pid)}
    titles = (
        dict(Product.objects.filter(pk__in=wanted).values_list("pk", "title")) if wanted else {}
    )
    reasons = tuple((pid, titles[reason_of[pid]]) for pid in ids if titles.get(reason_of.get(pid)))
    return PersonalRow(kind=Kind.NEW_FOR_YOU, product_ids=tuple(ids), reasons=reasons)


def personal_row(*, user_id: int | None) -> PersonalRow:
    """A member's "new for you" row; the visitors' trending row for visitors and members
    without a list of their own yet."""
    if not user_id:
        return PersonalRow(kind=Kind.TRENDING, product_ids=tuple(trending_ids()))
    return _candidates(
        key=list_cache_key(kind=Kind.NEW_FOR_YOU, owner_id=user_id),
        build=lambda: _new_for_you_build(user_id=user_id),
    )


def personal_ids(*, user_id: int | None) -> list[int]:
    return list(personal_row(user_id=user_id).product_ids)


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


def viewer_id(*, user) -> int | None:
    """The id whose rows ``user`` sees: a signed-in user's own, None for a visitor."""
    return user.pk if getattr(user, "is_authenticated", False) else None


def recommended_products(*, user, request: HttpRequest | None, limit: int = 4) -> list:
    """The products of ``user``'s "Recommended for you" row (new for you, else trending)."""
    row = personal_row(user_id=viewer_id(user=user))
    return products_for_ids(product_ids=list(row.product_ids), request=request, limit=limit)


def new_for_you_products(*, user, request: HttpRequest | None, limit: int = 4) -> list:
    """The member's own "new for you" row; empty for visitors and members without one."""
    row = personal_row(user_id=viewer_id(user=user))
    if row.kind != Kind.NEW_FOR_YOU:
        return []
    return products_for_ids(product_ids=list(row.product_ids), request=request, limit=limit)


def buy_again_products(*, user, request: HttpRequest | None, limit: int = 4) -> list:
    """The member's own items, most due first; empty for visitors."""
    return products_for_ids(
        product_ids=buy_again_ids(user_id=viewer_id(user=user)), request=request, limit=limit
    )
