"""Writes of the recommendations app: recompute the stored lists, update one customer, rules.

Reads of the stored lists are in ``selectors.py``; the maths is in ``engine.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from recommendations import engine
from recommendations.caching import recommendations_cache_bump, recommendations_cache_forget
from recommendations.models import ProductRule, RecommendationList
from shop.apps.order.selectors import lines_paid

Product = get_model("catalogue", "Product")

# Lists keep more candidates than any block shows, so products that are sold out, hidden
# or excluded at render time still leave a full row without a recompute.
STORED_PER_LIST = 30
STORED_BEST_SELLERS = 50
BEST_SELLER_WINDOW_DAYS = 7
INSERT_BATCH = 2000


@dataclass(frozen=True)
class RecomputeSummary:
    lines: int
    customers: int
    products: int
    lists_written: int


def _paid_lines():
    return lines_paid().filter(product__isnull=False)


def _local_day(moment: dt.datetime) -> int:
    return timezone.localtime(moment).date().toordinal()


def purchase_history_load() -> engine.PurchaseHistory:
    """Every paid order line as (customer, product, day).

    A guest order has no customer, so it is keyed by its negative order id: its basket still
    teaches what is bought together, and no personal list is written for it.
    """
    customers, items, days = [], [], []
    for user_id, order_id, product_id, placed in (
        _paid_lines()
        .values_list("order__user_id", "order_id", "product_id", "order__date_placed")
        .iterator(chunk_size=10_000)
    ):
        customers.append(user_id if user_id is not None else -order_id)
        items.append(product_id)
        days.append(_local_day(placed))
    return engine.history_from_lines(
        customers=np.array(customers, dtype=np.int64),
        items=np.array(items, dtype=np.int64),
        days=np.array(days, dtype=np.int32),
    )


def recommendation_rows_build(
    history: engine.PurchaseHistory,
    *,
    computed_at: dt.datetime,
    blend: engine.PersonalBlend | None = None,
) -> list[RecommendationList]:
    """Turn a history into the unsaved rows of every stored list (the expensive part)."""
    blend = blend or engine.PersonalBlend()
    kind = RecommendationList.Kind
    if history.n_lines == 0:
        return []
    item_keys = history.item_keys.tolist()
    now = history.last_day
    rows: list[RecommendationList] = []

    similarity = engine.item_similarity(history)
    neighbours = engine.also_bought(similarity, k=STORED_PER_LIST)
    for item, ranked in enumerate(neighbours):
        ranked = ranked[ranked != engine.NO_ITEM]
        if len(ranked) == 0:
            continue
        row_scores = similarity[item].toarray().ravel()[ranked]
        rows.append(
            RecommendationList(
                kind=kind.ALSO_BOUGHT,
                owner_id=item_keys[item],
                product_ids=[item_keys[i] for i in ranked],
                scores=[round(float(s), 5) for s in row_scores],
                computed_at=computed_at,
            )
        )

    best = engine.best_sellers(
        history, k=STORED_BEST_SELLERS, window_days=BEST_SELLER_WINDOW_DAYS, now_day=now
    )
    rows.append(
        RecommendationList(
            kind=kind.BEST_SELLERS,
            owner_id=RecommendationList.STORE_WIDE_OWNER,
            product_ids=[item_keys[i] for i in best],
            computed_at=computed_at,
        )
    )

    base = engine.popularity_base(history, window_days=blend.popularity_window_days, now_day=now)
    ranked_items = np.argsort(-base, kind="stable")
    rows.append(
        RecommendationList(
            kind=kind.POPULARITY,
            owner_id=RecommendationList.STORE_WIDE_OWNER,
            product_ids=[item_keys[i] for i in ranked_items],
            scores=[round(float(base[i]), 6) for i in ranked_items],
            computed_at=computed_at,
        )
    )

    members = np.flatnonzero(history.customer_keys > 0)
    personal = engine.personal_top_k(
        history, k=STORED_PER_LIST, similarity=similarity, blend=blend, customers=members
    )
    customer_keys = history.customer_keys.tolist()
    for customer, ranked in zip(members.tolist(), personal, strict=True):
        rows.append(
            RecommendationList(
                kind=kind.PERSONAL,
                owner_id=customer_keys[customer],
                product_ids=[item_keys[i] for i in ranked],
                computed_at=computed_at,
            )
        )
    return rows


@transaction.atomic
def recommendation_lists_replace(*, rows: list[RecommendationList]) -> int:
    """Swap every stored list for ``rows`` in one transaction: readers see old or new, never half."""
    RecommendationList.objects.all().delete()
    RecommendationList.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    transaction.on_commit(recommendations_cache_bump)
    return len(rows)


def recommendations_recompute(*, blend: engine.PersonalBlend | None = None) -> RecomputeSummary:
    """Rebuild every stored list from all paid orders (nightly, and after a demo load)."""
    history = purchase_history_load()
    rows = recommendation_rows_build(history, computed_at=timezone.now(), blend=blend)
    written = recommendation_lists_replace(rows=rows)
    return RecomputeSummary(
        lines=history.n_lines,
        customers=int((history.customer_keys > 0).sum()) if history.n_lines else 0,
        products=history.n_items,
        lists_written=written,
    )


@transaction.atomic
def recommendations_update_customer(
    *, user_id: int, blend: engine.PersonalBlend | None = None
) -> bool:
    """Recompute one customer's personal list from their paid orders and the nightly scores.

    Cheap on purpose (it runs after every paid order): it reads this customer's lines and the
    stored neighbour rows of the products they bought, and scores only the products those
    can reach, using the same engine function as the nightly run. Idempotent: the result
    depends only on the database, so a retried task writes the same list. Returns False when
    there is nothing to compute from (no paid orders, or no nightly run yet).
    """
    blend = blend or engine.PersonalBlend()
    kind = RecommendationList.Kind
    lines = list(
        _paid_lines().filter(order__user_id=user_id).values_list("product_id", "order__date_placed")
    )
    popularity = RecommendationList.objects.filter(
        kind=kind.POPULARITY, owner_id=RecommendationList.STORE_WIDE_OWNER
    ).first()
    if not lines or popularity is None:
        return False

    bought_ids = {product_id for product_id, _placed in lines}
    neighbour_rows = {
        row.owner_id: row
        for row in RecommendationList.objects.filter(kind=kind.ALSO_BOUGHT, owner_id__in=bought_ids)
    }
    # Candidates: what they bought, its neighbours, and the popular products that fill
    # the list for anyone; nothing outside this set could reach the top anyway.
    candidates = list(
        dict.fromkeys(
            [
                *popularity.product_ids[: STORED_PER_LIST * 2],
                *bought_ids,
                *(pid for row in neighbour_rows.values() for pid in row.product_ids),
            ]
        )
    )
    position = {pid: i for i, pid in enumerate(candidates)}
    base_by_id = dict(zip(popularity.product_ids, popularity.scores, strict=False))
    base = np.array([base_by_id.get(pid, 0.0) for pid in candidates], dtype=np.float32)

    days = np.array([_local_day(placed) for _pid, placed in lines], dtype=np.int32)
    now = int(days.max())
    weights = np.exp2(-(now - days) / np.float32(blend.half_life_days)).astype(np.float32)
    own = sp.csr_matrix(
        (weights, (np.zeros(len(lines), dtype=np.int32), [position[pid] for pid, _ in lines])),
        shape=(1, len(candidates)),
        dtype=np.float32,
    )
    sim_rows, sim_cols, sim_vals = [], [], []
    for owner_id, row in neighbour_rows.items():
        for pid, score in zip(row.product_ids, row.scores, strict=False):
            sim_rows.append(position[owner_id])
            sim_cols.append(position[pid])
            sim_vals.append(score)
    similarity = sp.csr_matrix(
        (np.array(sim_vals, dtype=np.float32), (sim_rows, sim_cols)),
        shape=(len(candidates), len(candidates)),
    )
    scores = engine.personal_scores(own=own, similarity=similarity, base=base, blend=blend)
    ranked = engine.top_k_per_row(scores, k=STORED_PER_LIST)[0]
    RecommendationList.objects.update_or_create(
        kind=kind.PERSONAL,
        owner_id=user_id,
        defaults={"product_ids": [candidates[i] for i in ranked], "computed_at": timezone.now()},
    )
    transaction.on_commit(
        lambda: recommendations_cache_forget(kind=kind.PERSONAL, owner_id=user_id)
    )
    return True


@transaction.atomic
def product_rule_create(
    *,
    product_id: int,
    action: str,
    placement: str = ProductRule.Placement.EVERYWHERE,
    position: int = 0,
    note: str = "",
    created_by_id: int | None = None,
) -> ProductRule:
    """Pin or exclude a product; the storefront lists change at once (the cache is bumped)."""
    rule = ProductRule(
        product_id=product_id,
        action=action,
        placement=placement,
        position=position,
        note=note,
        created_by_id=created_by_id,
    )
    if not Product.objects.filter(pk=product_id).exists():
        raise ValidationError(
            {"product": _("There is no product with id %(id)s.") % {"id": product_id}}
        )
    rule.full_clean()
    rule.save()
    transaction.on_commit(recommendations_cache_bump)
    return rule


@transaction.atomic
def product_rule_delete(*, rule_id: int) -> None:
    ProductRule.objects.filter(pk=rule_id).delete()
    transaction.on_commit(recommendations_cache_bump)


@transaction.atomic
def product_rule_update(
    *, rule_id: int, action: str, placement: str, position: int = 0, note: str = ""
) -> ProductRule:
    rule = ProductRule.objects.select_for_update().get(pk=rule_id)
    rule.action, rule.placement, rule.position, rule.note = action, placement, position, note
    rule.full_clean()
    rule.save()
    transaction.on_commit(recommendations_cache_bump)
    return rule
