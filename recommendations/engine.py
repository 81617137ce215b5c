"""The recommendation engine: plain functions over purchase-history arrays.

Nothing here knows about Django. The input is one row per item bought, as three aligned
arrays (customer index, item index, day number); the outputs are ranked item indices. The
same functions serve the store (``services.recommendations_recompute``), the offline
evaluation (``evaluation.py``) and the scale benchmark, so what is measured is what is served.

Day numbers are ``date.toordinal()``. "Now" is the last day with a sale in the history rather
than the wall clock: the nightly recompute runs on yesterday's orders anyway, and the demo
history (2014-2015) would otherwise decay to nothing.

What the evaluation on the groceries data showed (docs/benchmarks.md, "Recommendations"):
popularity is a strong baseline at predicting a whole next basket; popularity over the
*recent* weeks beats all-time popularity, and a customer's own repeat purchases and their
item-to-item neighbours only help as a light boost on top of it (``personal_top_k``, the
next-basket model the evaluation's ``models`` compare). A row that shows every member the best
sellers helps nobody find anything, so the store serves one row per job instead, each scored
on what it is for (``evaluation.evaluate_rows``): "buy it again" (the member's own items by
how due they are), "new for you" (never-bought items, at most two per category, each with the
bought item behind it), "bought together" (co-occurrence discounted by the companion's
popularity) and the visitors' "trending" row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

NO_ITEM = -1  # padding in fixed-width top-k arrays when fewer candidates exist


@dataclass(frozen=True)
class PurchaseHistory:
    """Aligned per-line arrays plus the external keys of the customer and item indices."""

    customer_index: np.ndarray  # int32, one per line
    item_index: np.ndarray  # int32, one per line
    day: np.ndarray  # int32 date ordinals, one per line
    customer_keys: np.ndarray  # external id of each customer index (user id, member number)
    item_keys: np.ndarray  # external id of each item index (product id, product name)

    @property
    def n_customers(self) -> int:
        return len(self.customer_keys)

    @property
    def n_items(self) -> int:
        return len(self.item_keys)

    @property
    def n_lines(self) -> int:
        return len(self.item_index)

    @property
    def last_day(self) -> int:
        return int(self.day.max()) if self.n_lines else 0

    @cached_property
    def pairs(self) -> tuple[np.ndarray, ...]:
        """(customer, item, distinct purchase days, first day, last day) of each pair bought.

        Sorted by customer then item, and computed once per history: popularity, buy again
        and trending all read it.
        """
        key = self.customer_index.astype(np.int64) * self.n_items + self.item_index
        day = self.day.astype(np.int64)
        order = np.lexsort((day, key))
        key, day = key[order], day[order]
        distinct = np.ones(len(key), dtype=bool)
        distinct[1:] = (key[1:] != key[:-1]) | (day[1:] != day[:-1])
        key, day = key[distinct], day[distinct]
        start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        days_bought = np.diff(np.r_[start, len(key)])
        pairs = key[start]
        first = day[start]
        last = day[start + days_bought - 1]
        customer = (pairs // self.n_items).astype(np.int32)
        item = (pairs % self.n_items).astype(np.int32)
        return customer, item, days_bought, first, last


@dataclass(frozen=True)
class PersonalBlend:
    """Weights of the next-basket model ``personal_top_k``; chosen on a validation split."""

    popularity_window_days: int = 90
    half_life_days: float = 90.0
    repeat_weight: float = 0.1
    neighbour_weight: float = 0.2


def history_from_lines(
    *,
    customers: Sequence | np.ndarray,
    items: Sequence | np.ndarray,
    days: Sequence[int] | np.ndarray,
) -> PurchaseHistory:
    """Encode external customer/item keys as dense indices (keys sorted, so runs are stable)."""
    customer_keys, customer_index = np.unique(np.asarray(customers), return_inverse=True)
    item_keys, item_index = np.unique(np.asarray(items), return_inverse=True)
    return PurchaseHistory(
        customer_index=customer_index.astype(np.int32, copy=False),
        item_index=item_index.astype(np.int32, copy=False),
        day=np.asarray(days, dtype=np.int32),
        customer_keys=customer_keys,
        item_keys=item_keys,
    )


def history_subset(history: PurchaseHistory, *, mask: np.ndarray) -> PurchaseHistory:
    """The lines selected by ``mask``, keeping the index spaces so splits stay comparable."""
    return PurchaseHistory(
        customer_index=history.customer_index[mask],
        item_index=history.item_index[mask],
        day=history.day[mask],
        customer_keys=history.customer_keys,
        item_keys=history.item_keys,
    )


def customer_item_matrix(
    history: PurchaseHistory, *, half_life_days: float | None = None, now_day: int | None = None
) -> sp.csr_matrix:
    """Customer x item purchase counts, each line weighted 0.5 ** (age / half-life) if given.

    Repeat purchases add up on purpose: in a grocery store buying milk every week is the
    strongest signal there is.
    """
    if half_life_days:
        now = history.last_day if now_day is None else now_day
        weights = np.exp2(-(now - history.day).astype(np.float32) / np.float32(half_life_days))
    else:
        weights = np.ones(history.n_lines, dtype=np.float32)
    matrix = sp.csr_matrix(
        (weights, (history.customer_index, history.item_index)),
        shape=(history.n_customers, history.n_items),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix


def item_popularity(history: PurchaseHistory, *, since_day: int | None = None) -> np.ndarray:
    """Distinct customers who bought each item (on or after ``since_day`` if given).

    Counting customers rather than lines keeps one household buying 30 yoghurts from
    outranking what many people buy.
    """
    _customer, item, _days_bought, _first, last = history.pairs
    if since_day is not None:
        # A customer bought the item since that day exactly when their last purchase of it was.
        item = item[last >= since_day]
    return np.bincount(item, minlength=history.n_items).astype(np.float64)


def best_sellers(
    history: PurchaseHistory, *, k: int, window_days: int = 7, now_day: int | None = None
) -> np.ndarray:
    """Items ranked by buyers over the last ``window_days``, topped up by all-time popularity.

    A quiet week (or a store that just opened) still gets a full list: items nobody bought
    this week follow in order of their all-time popularity.
    """
    now = history.last_day if now_day is None else now_day
    recent = item_popularity(history, since_day=now - window_days + 1)
    overall = item_popularity(history)
    # Recent buyers dominate; the all-time share (< 1) only orders the rest.
    score = recent + overall / (overall.max() + 1.0)
    candidates = np.flatnonzero(score > 0)
    return candidates[np.argsort(-score[candidates], kind="stable")][:k]


def item_similarity(
    history: PurchaseHistory, *, shrinkage: float = 10.0, neighbours: int = 50
) -> sp.csr_matrix:
    """Item x item cosine similarity of buyer sets, shrunk towards 0 for rare pairs.

    ``c_ij / (sqrt(c_i * c_j) + shrinkage)`` with ``c`` counted in distinct customers. The
    cosine normalisation is what stops "also bought" from echoing the best sellers (whole milk
    co-occurs with everything because everyone buys it, but its count divides it back down),
    and the shrinkage stops two items bought once by the same person from looking like twins.
    Each row keeps only its ``neighbours`` best entries: that bounds memory and the cost of
    the personal scores at scale.
    """
    bought = customer_item_matrix(history)
    bought.data[:] = 1.0
    cooccurrence = (bought.T @ bought).tocsr()
    buyers = cooccurrence.diagonal().astype(np.float32)
    cooccurrence.setdiag(0)
    cooccurrence.eliminate_zeros()
    coo = cooccurrence.tocoo()
    values = coo.data / (np.sqrt(buyers[coo.row] * buyers[coo.col]) + np.float32(shrinkage))
    similarity = sp.csr_matrix(
        (values.astype(np.float32), (coo.row, coo.col)), shape=cooccurrence.shape
    )
    return _keep_top_per_row(similarity, neighbours)


def _keep_top_per_row(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    rows, cols, vals = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        row_vals = matrix.data[start:end]
        row_cols = matrix.indices[start:end]
        if end - start > keep:
            best = np.argpartition(-row_vals, keep - 1)[:keep]
            row_vals, row_cols = row_vals[best], row_cols[best]
        rows.append(np.full(len(row_vals), row, dtype=np.int32))
        cols.append(row_cols)
        vals.append(row_vals)
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=matrix.shape,
        dtype=np.float32,
    )


def also_bought(similarity: sp.csr_matrix, *, k: int) -> np.ndarray:
    """For every item, its ``k`` most similar items (padded with ``NO_ITEM``)."""
    n_items = similarity.shape[0]
    result = np.full((n_items, k), NO_ITEM, dtype=np.int32)
    for row in range(n_items):
        start, end = similarity.indptr[row], similarity.indptr[row + 1]
        vals, cols = similarity.data[start:end], similarity.indices[start:end]
        order = np.lexsort((cols, -vals))[:k]
        result[row, : len(order)] = cols[order]
    return result


def top_k_per_row(scores: np.ndarray, *, k: int) -> np.ndarray:
    """Indices of the ``k`` best columns of each row, best first (ties: lower index first)."""
    k = min(k, scores.shape[1])
    if k == 0:
        return np.empty((scores.shape[0], 0), dtype=np.int32)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    return np.take_along_axis(part, order, axis=1).astype(np.int32)


def _scaled(vector: np.ndarray) -> np.ndarray:
    top = vector.max() if len(vector) else 0.0
    return vector / top if top > 0 else vector


def popularity_base(
    history: PurchaseHistory, *, window_days: int, now_day: int | None = None
) -> np.ndarray:
    """What every customer's list starts from: recent buyers per item, scaled to at most 1.

    All-time popularity at a tiny weight only breaks ties among items nobody bought lately.
    """
    now = history.last_day if now_day is None else now_day
    recent = item_popularity(history, since_day=now - window_days + 1)
    overall = item_popularity(history)
    return (_scaled(recent) + 1e-3 * _scaled(overall)).astype(np.float32)


def personal_scores(
    *,
    own: sp.csr_matrix,
    similarity: sp.csr_matrix,
    base: np.ndarray,
    blend: PersonalBlend,
) -> np.ndarray:
    """Dense scores for the customers (rows) of ``own``: popularity plus personal boosts.

    ``own`` holds time-decayed purchase counts, ``base`` comes from ``popularity_base``. A
    customer without history gets exactly the popularity ranking: that is the fallback for
    new customers, not a special case.
    """
    neighbour = (own @ similarity).toarray()
    row_max = neighbour.max(axis=1, keepdims=True)
    np.divide(neighbour, row_max, out=neighbour, where=row_max > 0)
    scores = own.toarray()
    scores *= blend.repeat_weight
    scores += blend.neighbour_weight * neighbour
    scores += base
    return scores


def personal_top_k(
    history: PurchaseHistory,
    *,
    k: int,
    similarity: sp.csr_matrix | None = None,
    blend: PersonalBlend | None = None,
    customers: np.ndarray | None = None,
    now_day: int | None = None,
    chunk_size: int = 2048,
) -> np.ndarray:
    """Top ``k`` item indices for each customer index in ``customers`` (default: all).

    Scores are dense per chunk of customers, so memory stays at ``chunk_size x n_items``
    floats whatever the number of customers.
    """
    blend = blend or PersonalBlend()
    now = history.last_day if now_day is None else now_day
    if similarity is None:
        similarity = item_similarity(history)
    own_all = customer_item_matrix(history, half_life_days=blend.half_life_days, now_day=now)
    base = popularity_base(history, window_days=blend.popularity_window_days, now_day=now)
    if customers is None:
        customers = np.arange(history.n_customers)
    result = np.empty((len(customers), min(k, history.n_items)), dtype=np.int32)
    for start in range(0, len(customers), chunk_size):
        rows = customers[start : start + chunk_size]
        scores = personal_scores(
            own=own_all[rows],
            similarity=similarity,
            base=base,
            blend=blend,
        )
        result[start : start + len(rows)] = top_k_per_row(scores, k=k)
    return result


def item_knn_top_k(
    history: PurchaseHistory,
    *,
    k: int,
    customers: np.ndarray,
    similarity: sp.csr_matrix | None = None,
) -> np.ndarray:
    """Pure item-to-item list: sum of similarities to what the customer bought.

    Popularity only fills the slots the neighbours leave empty (and serves new customers).
    """
    if similarity is None:
        similarity = item_similarity(history)
    bought = customer_item_matrix(history)[customers]
    bought.data[:] = 1.0
    scores = (bought @ similarity).toarray()
    fill = _scaled(item_popularity(history)).astype(np.float32) * np.float32(1e-6)
    return top_k_per_row(scores + fill, k=k)


def ease_item_weights(history: PurchaseHistory, *, l2: float = 500.0) -> np.ndarray:
    """EASE (Steck 2019): the closed-form item x item linear model, one matrix inversion.

    Cheap for a supermarket's few hundred products, cubic in the catalogue size beyond that.
    """
    bought = customer_item_matrix(history)
    bought.data[:] = 1.0
    gram = (bought.T @ bought).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += l2
    precision = np.linalg.inv(gram)
    weights = -precision / np.diag(precision)
    np.fill_diagonal(weights, 0.0)
    return weights


def ease_top_k(
    history: PurchaseHistory, *, k: int, customers: np.ndarray, l2: float = 500.0
) -> np.ndarray:
    weights = ease_item_weights(history, l2=l2)
    bought = customer_item_matrix(history)[customers]
    bought.data[:] = 1.0
    scores = np.asarray(bought @ weights)
    fill = _scaled(item_popularity(history)) * 1e-6
    has_history = np.asarray(bought.sum(axis=1)).ravel() > 0
    scores[~has_history] = 0.0
    return top_k_per_row(scores + fill, k=k)


def als_top_k(
    history: PurchaseHistory,
    *,
    k: int,
    customers: np.ndarray,
    factors: int = 8,
    regularization: float = 10.0,
    iterations: int = 15,
    seed: int = 0,
) -> np.ndarray:
    """``implicit``'s ALS (Hu, Koren, Volinsky 2008); customers without history get popularity."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    bought = customer_item_matrix(history)
    bought.data[:] = 1.0
    # implicit warns (and slows down) when BLAS runs its own threads beside its own.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularization,
            iterations=iterations,
            random_state=seed,
            calculate_training_loss=False,
        )
        model.fit(bought, show_progress=False)
    scores = np.asarray(model.user_factors)[customers] @ np.asarray(model.item_factors).T
    has_history = np.asarray(bought[customers].sum(axis=1)).ravel() > 0
    popularity = _scaled(item_popularity(history)).astype(np.float32)
    scores[~has_history] = popularity
    return top_k_per_row(scores, k=k)


# --- Rows that each do one job: buy again, new for you, bought together, trending ---------
#
# Parameters below were chosen on a validation split inside the groceries training period
# (train before 2015-07-01, validate July-September; ``bench/recommendations_tune.py``) and
# are reported on the test period by ``evaluate_recommendations`` (docs/benchmarks.md).

# Buy again and new for you weigh items by buyers over this window; the stored popularity
# row holds the same figures so a member's update after an order reads them.
RECENT_POPULARITY_DAYS = 180


@dataclass(frozen=True)
class BuyAgainModel:
    """How "due" a member's own item is, and how much that counts against how often it sells.

    A member's interval for an item is the time they have known it (first purchase to the
    middle of the coming ``horizon_days``) over their repeat purchases, blended with the
    store-wide interval of the item as ``prior_strength`` pseudo-repeats: an item bought once
    takes the store's interval, an item bought every week takes the member's own. Dueness is
    days since the last purchase over that interval, capped at 1 (overdue is not more due).
    The score is ``popularity ** popularity_power / interval * dueness ** dueness_power``:
    on the groceries data most member-item pairs were bought once, so how often an item is
    rebought store-wide carries as much as dueness does.
    """

    prior_strength: float = 4.0
    horizon_days: int = 45
    dueness_power: float = 0.5
    popularity_power: float = 0.5
    popularity_window_days: int = RECENT_POPULARITY_DAYS


@dataclass(frozen=True)
class NewForYouModel:
    """Recent popularity plus how strongly the member's own items point at a new one.

    Item-item over the bought-together association (the same rows as "bought together", so a
    member's update after an order reuses them) measured as well as EASE on the validation
    split and needs no matrix inverse at scale. ``per_category`` caps repeats of one aisle.
    """

    popularity_window_days: int = RECENT_POPULARITY_DAYS
    neighbour_weight: float = 0.2
    per_category: int = 2


@dataclass(frozen=True)
class AssociationModel:
    """Bought together: co-buyers of a pair, discounted by how many people buy the candidate.

    ``c_ij ** 2 / ((c_ij + shrinkage) * n_j ** popularity_discount)``, with ``c`` counted in
    distinct members. ``popularity_discount`` 0 is raw co-occurrence (whole milk for every
    product), 1 is lift (rare pairs of rare items); 0.5 scores best on held-out baskets and
    leads with the best seller for fewer products than raw co-occurrence. The shrinkage keeps a pair
    bought once by one member from ranking first.

    Whole milk is still the first companion of 115 of the 167 demo products with these values.
    Every stronger discount, staple cap or specific first place measured that leads with it
    for fewer than half of them scores below raw co-occurrence on held-out baskets, which
    reward the staples at every position (docs/benchmarks.md, "Per-row quality").
    """

    popularity_discount: float = 0.5
    shrinkage: float = 100.0
    neighbours: int = 30


@dataclass(frozen=True)
class TrendingModel:
    """Visitors' row: items whose share of buyers rose over the last ``recent_days``."""

    recent_days: int = 28
    baseline_days: int = 364
    smoothing: float = 5.0
    per_category_in_first: int = 2
    first: int = 10


def item_repeat_intervals(history: PurchaseHistory, *, shrinkage: float = 5.0) -> np.ndarray:
    """Store-wide days between two purchases of each item by the same member.

    Total span over total repeats of the members who bought it more than once, shrunk
    towards the store's overall interval so an item rebought by two members is not trusted
    like milk. Items nobody rebought get the overall interval.
    """
    _customer, item, days_bought, first, last = history.pairs
    repeat = days_bought >= 2
    span = np.bincount(item[repeat], weights=(last - first)[repeat], minlength=history.n_items)
    repeats = np.bincount(item[repeat], weights=days_bought[repeat] - 1, minlength=history.n_items)
    overall = span.sum() / repeats.sum() if repeats.sum() > 0 else 30.0
    overall = max(float(overall), 1.0)
    return (span + shrinkage * overall) / (repeats + shrinkage)


def buy_again_scores(
    *,
    days_bought: np.ndarray,
    first_day: np.ndarray,
    last_day: np.ndarray,
    item_interval: np.ndarray,
    popularity: np.ndarray,
    now_day: int,
    model: BuyAgainModel,
) -> np.ndarray:
    """Score of each (member, item) pair from its purchase days and the item's store figures.

    ``item_interval`` and ``popularity`` are the item's own values, aligned with the pairs.
    """
    known_for = (now_day - first_day) + model.horizon_days
    interval = (known_for + model.prior_strength * item_interval) / (
        (days_bought - 1) + model.prior_strength
    )
    dueness = np.minimum((now_day - last_day + model.horizon_days) / interval, 1.0)
    return (
        np.power(np.maximum(popularity, 1e-6), model.popularity_power)
        / interval
        * np.power(dueness, model.dueness_power)
    )


def _ranked_pairs(
    customer: np.ndarray, item: np.ndarray, score: np.ndarray, *, rows: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` items per customer of ``rows`` from scored pairs (padded with NO_ITEM / 0)."""
    order = np.lexsort((item, -score, customer))
    customer, item, score = customer[order], item[order], score[order]
    starts = np.searchsorted(customer, rows, side="left")
    ends = np.searchsorted(customer, rows, side="right")
    items = np.full((len(rows), k), NO_ITEM, dtype=np.int32)
    scores = np.zeros((len(rows), k), dtype=np.float32)
    for position, (start, end) in enumerate(zip(starts, ends, strict=True)):
        end = min(end, start + k)
        items[position, : end - start] = item[start:end]
        scores[position, : end - start] = score[start:end]
    return items, scores


def buy_again_top_k(
    history: PurchaseHistory,
    *,
    k: int,
    customers: np.ndarray | None = None,
    model: BuyAgainModel | None = None,
    now_day: int | None = None,
    item_interval: np.ndarray | None = None,
    popularity: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's own items, most due first: (item indices, scores), padded NO_ITEM.

    The store-wide figures per item (``item_repeat_intervals``, ``popularity_base``) come
    from ``history`` unless given: one member's update passes the nightly ones.
    """
    model = model or BuyAgainModel()
    now = history.last_day if now_day is None else now_day
    if customers is None:
        customers = np.arange(history.n_customers)
    customer, item, days_bought, first, last = history.pairs
    if popularity is None:
        popularity = popularity_base(history, window_days=model.popularity_window_days, now_day=now)
    if item_interval is None:
        item_interval = item_repeat_intervals(history)
    score = buy_again_scores(
        days_bought=days_bought,
        first_day=first,
        last_day=last,
        item_interval=item_interval[item],
        popularity=popularity[item],
        now_day=now,
        model=model,
    )
    return _ranked_pairs(customer, item, score, rows=np.asarray(customers), k=k)


def frequent_items_top_k(history: PurchaseHistory, *, k: int, customers: np.ndarray) -> np.ndarray:
    """Baseline of "buy again": a member's own items by how many times they bought them."""
    customer, item, days_bought, _first, _last = history.pairs
    popularity = _scaled(item_popularity(history))
    score = days_bought + 1e-3 * popularity[item]
    return _ranked_pairs(customer, item, score, rows=np.asarray(customers), k=k)[0]


def item_association(
    history: PurchaseHistory, *, model: AssociationModel | None = None
) -> sp.csr_matrix:
    """Item x item "bought together" scores (row: the item shown, columns: its companions).

    Only each row's ``model.neighbours`` best entries are kept: that bounds memory at scale
    and is exactly what the stored rows hold, so a member's update reads the same numbers.
    """
    model = model or AssociationModel()
    bought = customer_item_matrix(history)
    bought.data[:] = 1.0
    cooccurrence = (bought.T @ bought).tocsr()
    buyers = cooccurrence.diagonal().astype(np.float32)
    cooccurrence.setdiag(0)
    cooccurrence.eliminate_zeros()
    coo = cooccurrence.tocoo()
    together = coo.data.astype(np.float32)
    values = (
        together
        * together
        / (
            (together + np.float32(model.shrinkage))
            * np.power(buyers[coo.col], np.float32(model.popularity_discount))
        )
    )
    association = sp.csr_matrix(
        (values.astype(np.float32), (coo.row, coo.col)), shape=cooccurrence.shape
    )
    return _keep_top_per_row(association, model.neighbours)


def cooccurrence_counts(history: PurchaseHistory) -> sp.csr_matrix:
    """Raw co-occurrence counts (the baseline of "bought together"), in shared baskets.

    A basket is one customer on one day.
    """
    basket_key = history.customer_index.astype(np.int64) * 1_000_000 + history.day
    _keys, basket = np.unique(basket_key, return_inverse=True)
    in_basket = sp.csr_matrix(
        (np.ones(history.n_lines, dtype=np.float32), (basket, history.item_index)),
        shape=(int(basket.max()) + 1 if history.n_lines else 0, history.n_items),
    )
    in_basket.data[:] = 1.0
    counts = (in_basket.T @ in_basket).tocsr()
    counts.setdiag(0)
    counts.eliminate_zeros()
    return counts


def _rank_in_category(candidates: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """For each row of best-first ``candidates``, how many of the same category precede each."""
    category = categories[candidates]
    by_category = np.argsort(category, axis=1, kind="stable")  # keeps best-first inside
    grouped = np.take_along_axis(category, by_category, axis=1)
    positions = np.broadcast_to(np.arange(grouped.shape[1]), grouped.shape)
    starts = np.ones(grouped.shape, dtype=bool)
    starts[:, 1:] = grouped[:, 1:] != grouped[:, :-1]
    group_start = np.maximum.accumulate(np.where(starts, positions, 0), axis=1)
    rank = np.empty(grouped.shape, dtype=np.int64)
    np.put_along_axis(rank, by_category, positions - group_start, axis=1)
    return rank


def _diverse_rows(
    scores: np.ndarray, *, categories: np.ndarray, k: int, per_category: int, depth: int
) -> np.ndarray:
    depth = min(depth, scores.shape[1])
    candidates = top_k_per_row(scores, k=depth)
    allowed = np.isfinite(np.take_along_axis(scores, candidates, axis=1))
    allowed &= _rank_in_category(candidates, categories) < per_category
    # Allowed candidates keep their order; the rest move behind them.
    keys = np.where(allowed, 0, 1) * depth + np.arange(depth)
    picked = np.take_along_axis(candidates, np.argsort(keys, axis=1)[:, :k], axis=1)
    shown = np.take_along_axis(allowed, np.argsort(keys, axis=1)[:, :k], axis=1)
    result = np.full((scores.shape[0], k), NO_ITEM, dtype=np.int32)
    result[:, : picked.shape[1]] = np.where(shown, picked, NO_ITEM)
    return result


def top_k_diverse(
    scores: np.ndarray,
    *,
    categories: np.ndarray,
    k: int,
    per_category: int,
    first: int | None = None,
) -> np.ndarray:
    """Best ``k`` columns per row with at most ``per_category`` of one category.

    ``-inf`` marks an item that may not be shown. With ``first`` the cap holds only for the
    first ``first`` places and the rest follow by score. Padded with NO_ITEM.

    Only each row's best ``4 * k`` items are considered at first (a sort of the whole
    catalogue per member would dominate the nightly run); a row that those cannot fill
    is redone over the whole catalogue, so the answer is the same as a full sort.
    """
    capped = k if first is None else min(first, k)
    result = _diverse_rows(
        scores, categories=categories, k=capped, per_category=per_category, depth=4 * k
    )
    unfilled = np.flatnonzero((result != NO_ITEM).sum(axis=1) < capped)
    if len(unfilled) and scores.shape[1] > 4 * k:
        # How many a row could show at most: per category, its showable items up to the cap.
        _labels, category = np.unique(categories, return_inverse=True)
        in_category = sp.csr_matrix(
            (np.ones(len(category), dtype=np.float32), (category, np.arange(len(category))))
        )
        showable = np.isfinite(scores[unfilled]).astype(np.float32)
        per_category_count = np.asarray(in_category @ showable.T).T
        reachable = np.minimum(per_category_count, per_category).sum(axis=1)
        found = (result[unfilled] != NO_ITEM).sum(axis=1)
        short = unfilled[found < np.minimum(reachable, capped)]
        if len(short):
            result[short] = _diverse_rows(
                scores[short],
                categories=categories,
                k=capped,
                per_category=per_category,
                depth=scores.shape[1],
            )
    if first is None or capped == k:
        return result
    full = np.full((scores.shape[0], k), NO_ITEM, dtype=np.int32)
    full[:, :capped] = result
    for row in range(scores.shape[0]):
        chosen = set(result[row].tolist())
        ranked = [
            int(i)
            for i in np.argsort(-scores[row], kind="stable")
            if np.isfinite(scores[row, i]) and int(i) not in chosen
        ]
        taken = int((result[row] != NO_ITEM).sum())
        rest = ranked[: k - taken]
        full[row, taken : taken + len(rest)] = rest
    return full


def new_for_you_scores(
    *, own: sp.csr_matrix, association: sp.csr_matrix, base: np.ndarray, model: NewForYouModel
) -> np.ndarray:
    """Dense scores for the customers (rows) of ``own``; items they bought are ``-inf``."""
    neighbour = (own @ association).toarray()
    row_max = neighbour.max(axis=1, keepdims=True)
    np.divide(neighbour, row_max, out=neighbour, where=row_max > 0)
    scores = base[None, :] + np.float32(model.neighbour_weight) * neighbour
    scores[own.toarray() > 0] = -np.inf
    return scores


def new_for_you_reasons(
    *, own: sp.csr_matrix, association: sp.csr_matrix, items: np.ndarray
) -> np.ndarray:
    """For each recommended item, the item the customer bought that is most bound up with it.

    Among the bought items j that are in the shown item i's row and i in theirs, the one
    with the highest ``association[i, j] ** 2 / association[j, i]``. With the association's
    square-root popularity discount that is ``c_ij ** 2 / ((c_ij + shrinkage) * n_j)`` up
    to a factor of i: shrunk lift, which discounts j's own popularity in full. Milk, bought
    with everything, is then the reason only where it really is the companion, and both
    rows are stored, so a member's update finds the same reasons. ``NO_ITEM`` where nothing
    they bought qualifies (the item is there for its popularity).
    """
    both_ways = association.T.power(2).multiply(association.power(-1)).tocsr()  # [j, i]
    lift = both_ways.T.tocsr()  # row i: the bought items j that explain i
    rows, places = np.nonzero(items != NO_ITEM)
    shown = items[rows, places]
    # Every (row, place) meets each item associated with what is shown there...
    lengths = np.diff(lift.indptr)[shown]
    pair = np.repeat(np.arange(len(shown)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    entry = np.repeat(lift.indptr[shown], lengths) + offsets
    partner, strength = lift.indices[entry], lift.data[entry]
    reasons = np.full(items.shape, NO_ITEM, dtype=np.int32)
    if len(pair) == 0:
        return reasons
    # ...and keeps those the customer bought; the strongest one per place is its reason.
    owned = np.asarray(own[rows[pair], partner]).ravel() > 0
    pair, partner, strength = pair[owned], partner[owned], strength[owned]
    order = np.lexsort((partner, -strength, pair))
    pair, partner = pair[order], partner[order]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    reasons[rows[pair[first]], places[pair[first]]] = partner[first]
    return reasons


def new_for_you_top_k(
    history: PurchaseHistory,
    *,
    k: int,
    categories: np.ndarray,
    customers: np.ndarray,
    association: sp.csr_matrix | None = None,
    model: NewForYouModel | None = None,
    now_day: int | None = None,
    chunk_size: int = 2048,
) -> tuple[np.ndarray, np.ndarray]:
    """Items each customer never bought, best first, and the bought item behind each.

    Returns (item indices, reason item indices), both padded with NO_ITEM.
    """
    model = model or NewForYouModel()
    now = history.last_day if now_day is None else now_day
    if association is None:
        association = item_association(history)
    own_all = customer_item_matrix(history)
    own_all.data[:] = 1.0
    base = popularity_base(history, window_days=model.popularity_window_days, now_day=now)
    base[item_popularity(history) == 0] = -np.inf  # never sold: nothing to go on
    items = np.full((len(customers), k), NO_ITEM, dtype=np.int32)
    reasons = np.full((len(customers), k), NO_ITEM, dtype=np.int32)
    for start in range(0, len(customers), chunk_size):
        own = own_all[customers[start : start + chunk_size]]
        scores = new_for_you_scores(own=own, association=association, base=base, model=model)
        top = top_k_diverse(scores, categories=categories, k=k, per_category=model.per_category)
        items[start : start + len(top)] = top
        reasons[start : start + len(top)] = new_for_you_reasons(
            own=own, association=association, items=top
        )
    return items, reasons


def trending(
    history: PurchaseHistory,
    *,
    k: int,
    categories: np.ndarray,
    exclude: np.ndarray | None = None,
    model: TrendingModel | None = None,
    now_day: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Items bought by more people lately than their longer-run share predicts.

    Score: recent buyers times the smoothed ratio of recent to baseline share, so a
    best seller that merely stays best scores its size, and a rising item scores above
    it. ``exclude`` (the week's best sellers shown beside it) is kept out of the first
    places, and the first ``model.first`` hold at most ``per_category_in_first`` per
    category. Returns (item indices, scores).
    """
    model = model or TrendingModel()
    now = history.last_day if now_day is None else now_day
    recent = item_popularity(history, since_day=now - model.recent_days + 1)
    longer = item_popularity(history, since_day=now - model.baseline_days + 1)
    recent_share = (recent + model.smoothing) / (recent.sum() + model.smoothing * len(recent))
    longer_share = (longer + model.smoothing) / (longer.sum() + model.smoothing * len(longer))
    score = recent * (recent_share / longer_share)
    score = np.where(recent > 0, score, -np.inf)
    if exclude is not None and len(exclude):
        # Kept, but after everything else: a visitor sees something other than the picks.
        finite = np.isfinite(score)
        shift = score[finite].max() + 1.0 if finite.any() else 0.0
        score[exclude] = np.where(np.isfinite(score[exclude]), score[exclude] - shift, -np.inf)
    ranked = top_k_diverse(
        score[None, :],
        categories=categories,
        k=k,
        per_category=model.per_category_in_first,
        first=model.first,
    )[0]
    ranked = ranked[ranked != NO_ITEM]
    return ranked, score[ranked]
