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
ProductCategory = get_model("catalogue", "ProductCategory")

# Lists keep more candidates than any block shows, so products that are sold out, hidden
# or excluded at render time still leave a full row without a recompute.
STORED_PER_LIST = 30
STORED_BEST_SELLERS = 50
BEST_SELLER_WINDOW_DAYS = 7
INSERT_BATCH = 2000
# The visitors' trending row keeps the week's best sellers shown beside it out of its first places.
TRENDING_AVOIDS_BEST_SELLERS = 10


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
    teaches what is bought together, and no member row is written for it.
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


def product_category_index(product_ids: list[int]) -> np.ndarray:
    """Each product's first category (lowest link id) as a small index.

    The engine caps how many items of one category a row shows; it only needs to know which
    products share one. A product in no category counts as a category of its own, so the
    cap never hides uncategorised products behind each other.
    """
    first: dict[int, int] = {}
    for product_id, category_id in (
        ProductCategory.objects.filter(product_id__in=product_ids)
        .order_by("product_id", "pk")
        .values_list("product_id", "category_id")
    ):
        first.setdefault(product_id, category_id)
    index = {category_id: i for i, category_id in enumerate(sorted(set(first.values())))}
    return np.array(
        [
            index[first[pid]] if pid in first else len(index) + position
            for position, pid in enumerate(product_ids)
        ],
        dtype=np.int32,
    )


def _scores(values: np.ndarray) -> list[float]:
    return np.round(np.asarray(values, dtype=np.float64), 6).tolist()


def recommendation_rows_build(
    history: engine.PurchaseHistory,
    *,
    computed_at: dt.datetime,
    categories: np.ndarray | None = None,
) -> list[RecommendationList]:
    """Turn a history into the unsaved rows of every stored list (the expensive part).

    ``categories`` gives each item index its category index (``product_category_index``);
    without it every product is in one category.
    """
    kind = RecommendationList.Kind
    store = RecommendationList.STORE_WIDE_OWNER
    if history.n_lines == 0:
        return []
    if categories is None:
        categories = np.zeros(history.n_items, dtype=np.int32)
    item_keys = history.item_keys.tolist()
    now = history.last_day
    rows: list[RecommendationList] = []

    def row(list_kind, owner_id, items, scores=(), reasons=()):
        return RecommendationList(
            kind=list_kind,
            owner_id=owner_id,
            product_ids=[item_keys[i] for i in items],
            scores=_scores(scores) if len(scores) else [],
            reason_ids=[item_keys[i] if i != engine.NO_ITEM else None for i in reasons],
            computed_at=computed_at,
        )

    association = engine.item_association(
        history, model=engine.AssociationModel(neighbours=STORED_PER_LIST)
    )
    for item in range(history.n_items):
        start, end = association.indptr[item], association.indptr[item + 1]
        if start == end:
            continue
        values, companions = association.data[start:end], association.indices[start:end]
        order = np.lexsort((companions, -values))
        rows.append(row(kind.ALSO_BOUGHT, item_keys[item], companions[order], values[order]))

    best = engine.best_sellers(
        history, k=STORED_BEST_SELLERS, window_days=BEST_SELLER_WINDOW_DAYS, now_day=now
    )
    rows.append(row(kind.BEST_SELLERS, store, best))
    trending, trending_scores = engine.trending(
        history,
        k=STORED_BEST_SELLERS,
        categories=categories,
        exclude=best[:TRENDING_AVOIDS_BEST_SELLERS],
        now_day=now,
    )
    rows.append(row(kind.TRENDING, store, trending, trending_scores))

    base = engine.popularity_base(history, window_days=engine.RECENT_POPULARITY_DAYS, now_day=now)
    ranked_items = np.argsort(-base, kind="stable")
    rows.append(row(kind.POPULARITY, store, ranked_items, base[ranked_items]))

    intervals = engine.item_repeat_intervals(history)
    rows.append(row(kind.BUY_AGAIN, store, np.arange(history.n_items), intervals))

    members = np.flatnonzero(history.customer_keys > 0)
    customer_keys = history.customer_keys.tolist()
    again, again_scores = engine.buy_again_top_k(
        history, k=STORED_PER_LIST, customers=members, now_day=now, item_interval=intervals
    )
    for customer, items, scores in zip(members.tolist(), again, again_scores, strict=True):
        shown = items != engine.NO_ITEM
        rows.append(row(kind.BUY_AGAIN, customer_keys[customer], items[shown], scores[shown]))
    new, reasons = engine.new_for_you_top_k(
        history,
        k=STORED_PER_LIST,
        categories=categories,
        customers=members,
        association=association,
        now_day=now,
    )
    for customer, items, because in zip(members.tolist(), new, reasons, strict=True):
        shown = items != engine.NO_ITEM
        rows.append(
            row(kind.NEW_FOR_YOU, customer_keys[customer], items[shown], reasons=because[shown])
        )

    return rows


@transaction.atomic
def recommendation_lists_replace(*, rows: list[RecommendationList]) -> int:
    """Swap every stored list for ``rows`` in one transaction: readers see old or new, never half."""
    RecommendationList.objects.all().delete()
    RecommendationList.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    transaction.on_commit(recommendations_cache_bump)
    return len(rows)


def recommendations_recompute() -> RecomputeSummary:
    """Rebuild every stored list from all paid orders (nightly, and after a demo load)."""
    history = purchase_history_load()
    rows = recommendation_rows_build(
        history,
        computed_at=timezone.now(),
        categories=product_category_index(history.item_keys.tolist()),
    )
    written = recommendation_lists_replace(rows=rows)
    return RecomputeSummary(
        lines=history.n_lines,
        customers=int((history.customer_keys > 0).sum()) if history.n_lines else 0,
        products=history.n_items,
        lists_written=written,
    )


@transaction.atomic
def recommendations_update_customer(*, user_id: int) -> bool:
    """Recompute one member's "buy again" and "new for you" rows after a paid order.

    Cheap on purpose (it runs after every paid order): it reads this member's lines, the
    nightly store-wide rows (popularity, the items' repeat intervals) and the stored
    "bought together" rows of the products they bought, and runs the same engine functions
    as the nightly recompute on that small space. A product outside it (neither popular nor
    bought with anything they bought) could not reach their list anyway. Idempotent: the
    result depends only on the database, so a retried task writes the same rows. Returns
    False when there is nothing to compute from (no paid orders, or no nightly run yet).
    """
    kind = RecommendationList.Kind
    store = RecommendationList.STORE_WIDE_OWNER
    lines = list(
        _paid_lines().filter(order__user_id=user_id).values_list("product_id", "order__date_placed")
    )
    stored = {
        row.kind: row
        for row in RecommendationList.objects.filter(
            kind__in=[kind.POPULARITY, kind.BUY_AGAIN], owner_id=store
        )
    }
    popularity, intervals = stored.get(kind.POPULARITY), stored.get(kind.BUY_AGAIN)
    if not lines or popularity is None or intervals is None:
        return False

    bought_ids = list(dict.fromkeys(product_id for product_id, _placed in lines))
    neighbour_rows = list(
        RecommendationList.objects.filter(kind=kind.ALSO_BOUGHT, owner_id__in=bought_ids)
    )
    # Sorted like the nightly run's item index, so equal scores are broken the same way.
    candidates = sorted(
        {
            *bought_ids,
            *popularity.product_ids[: STORED_PER_LIST * 3],
            *(pid for row in neighbour_rows for pid in row.product_ids),
        }
    )
    # The candidates' own rows too: a reason is a pair found in both rows.
    neighbour_rows += list(
        RecommendationList.objects.filter(
            kind=kind.ALSO_BOUGHT, owner_id__in=set(candidates) - set(bought_ids)
        )
    )
    position = {pid: i for i, pid in enumerate(candidates)}
    popularity_by_id = dict(zip(popularity.product_ids, popularity.scores, strict=False))
    base = np.array([popularity_by_id.get(pid, -np.inf) for pid in candidates], dtype=np.float32)
    interval_by_id = dict(zip(intervals.product_ids, intervals.scores, strict=False))
    overall_interval = float(np.median(intervals.scores)) if intervals.scores else 30.0
    item_interval = np.array(
        [interval_by_id.get(pid, overall_interval) for pid in candidates], dtype=np.float64
    )

    days = [_local_day(placed) for _pid, placed in lines]
    history = engine.PurchaseHistory(
        customer_index=np.zeros(len(lines), dtype=np.int32),
        item_index=np.array([position[pid] for pid, _ in lines], dtype=np.int32),
        day=np.array(days, dtype=np.int32),
        customer_keys=np.array([user_id]),
        item_keys=np.array(candidates),
    )
    again, again_scores = engine.buy_again_top_k(
        history,
        k=STORED_PER_LIST,
        customers=np.array([0]),
        item_interval=item_interval,
        popularity=np.where(np.isfinite(base), base, 0.0),
    )
    shown = again[0] != engine.NO_ITEM

    association = sp.csr_matrix(
        (
            np.array(
                [
                    v
                    for row in neighbour_rows
                    for pid, v in zip(row.product_ids, row.scores, strict=True)
                    if pid in position
                ],
                dtype=np.float32,
            ),
            (
                [
                    position[row.owner_id]
                    for row in neighbour_rows
                    for pid in row.product_ids
                    if pid in position
                ],
                [
                    position[pid]
                    for row in neighbour_rows
                    for pid in row.product_ids
                    if pid in position
                ],
            ),
        ),
        shape=(len(candidates), len(candidates)),
    )
    own = engine.customer_item_matrix(history)
    own.data[:] = 1.0
    scores = engine.new_for_you_scores(
        own=own, association=association, base=base, model=engine.NewForYouModel()
    )
    new = engine.top_k_diverse(
        scores,
        categories=product_category_index(candidates),
        k=STORED_PER_LIST,
        per_category=engine.NewForYouModel().per_category,
    )
    reasons = engine.new_for_you_reasons(own=own, association=association, items=new)[0]
    new = new[0]
    new_shown = new != engine.NO_ITEM
    now = timezone.now()
    RecommendationList.objects.update_or_create(
        kind=kind.BUY_AGAIN,
        owner_id=user_id,
        defaults={
            "product_ids": [candidates[i] for i in again[0][shown]],
            "scores": _scores(again_scores[0][shown]),
            "reason_ids": [],
            "computed_at": now,
        },
    )
    RecommendationList.objects.update_or_create(
        kind=kind.NEW_FOR_YOU,
        owner_id=user_id,
        defaults={
            "product_ids": [candidates[i] for i in new[new_shown]],
            "scores": [],
            "reason_ids": [
                candidates[i] if i != engine.NO_ITEM else None for i in reasons[new_shown]
            ],
            "computed_at": now,
        },
    )

    def forget():
        recommendations_cache_forget(kind=kind.BUY_AGAIN, owner_id=user_id)
        recommendations_cache_forget(kind=kind.NEW_FOR_YOU, owner_id=user_id)

    transaction.on_commit(forget)
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
