"""The recommendation engine: plain functions over purchase-history arrays.

Nothing here knows about Django. The input is one row per item bought, as three aligned
arrays (customer index, item index, day number); the outputs are ranked item indices. The
same functions serve the store (``services.recommendations_recompute``), the offline
evaluation (``evaluation.py``) and the scale benchmark, so what is measured is what is served.

Day numbers are ``date.toordinal()``. "Now" is the last day with a sale in the history rather
than the wall clock: the nightly recompute runs on yesterday's orders anyway, and the demo
history (2014-2015) would otherwise decay to nothing.

What the evaluation on the groceries data showed (docs/benchmarks.md, "Recommendations"):
popularity is a strong baseline; popularity over the *recent* weeks beats all-time
popularity, and a customer's own repeat purchases and their item-to-item neighbours only
help as a light boost on top of it. So the served personal list is a blend in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class PersonalBlend:
    """Weights of the served personal list; chosen on a validation split (see evaluation)."""

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
    mask = slice(None) if since_day is None else history.day >= since_day
    pairs = np.unique(
        history.customer_index[mask].astype(np.int64) * history.n_items + history.item_index[mask]
    )
    return np.bincount(pairs % history.n_items, minlength=history.n_items).astype(np.float64)


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
