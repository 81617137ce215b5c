"""Offline evaluation of the engine on purchase-history CSVs (``member_number,date,item``).

The protocol is the one in the dataset's README: train on the lines before a cut-off date
(or on a separate train CSV), then for every customer with a purchase in the test period
recommend ``k`` items and score them against the distinct items that customer bought in the
test period. Re-buys count (nothing the customer already bought is excluded): this is a
grocery store. Works from the CSV alone; no database rows are involved.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recommendations import engine

REQUIRED_COLUMNS = ("member_number", "date", "item")
SERVED_MODEL = "personal"


class PurchasesFileError(ValueError):
    """The purchases CSV cannot be read; the message says which file and line."""


@dataclass(frozen=True)
class PurchaseLines:
    customers: list[str]
    days: list[int]
    items: list[str]


def purchases_read_csv(path: Path | str) -> PurchaseLines:
    path = Path(path)
    if not path.is_file():
        raise PurchasesFileError(f"{path}: no such file")
    customers: list[str] = []
    days: list[int] = []
    items: list[str] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise PurchasesFileError(
                    f"{path}: missing column(s) {', '.join(missing)}; "
                    f"expected a header {','.join(REQUIRED_COLUMNS)}"
                )
            for line_number, row in enumerate(reader, start=2):
                member, date, item = ((row.get(c) or "").strip() for c in REQUIRED_COLUMNS)
                if not member or not item:
                    raise PurchasesFileError(f"{path}:{line_number}: empty member_number or item")
                try:
                    day = dt.date.fromisoformat(date).toordinal()
                except ValueError:
                    raise PurchasesFileError(
                        f"{path}:{line_number}: date {date!r} is not YYYY-MM-DD"
                    ) from None
                customers.append(member)
                days.append(day)
                items.append(item)
    except UnicodeDecodeError as error:
        raise PurchasesFileError(f"{path}: not a UTF-8 text file ({error.reason})") from None
    if not customers:
        raise PurchasesFileError(f"{path}: no purchase lines")
    return PurchaseLines(customers=customers, days=days, items=items)


@dataclass(frozen=True)
class Split:
    history: engine.PurchaseHistory  # train and test lines, one index space
    is_train: np.ndarray


def split_by_date(lines: PurchaseLines, *, cutoff: dt.date) -> Split:
    history = engine.history_from_lines(
        customers=lines.customers, items=lines.items, days=lines.days
    )
    return Split(history=history, is_train=history.day < cutoff.toordinal())


def split_from_files(train: PurchaseLines, test: PurchaseLines) -> Split:
    history = engine.history_from_lines(
        customers=train.customers + test.customers,
        items=train.items + test.items,
        days=train.days + test.days,
    )
    is_train = np.zeros(history.n_lines, dtype=bool)
    is_train[: len(train.customers)] = True
    return Split(history=history, is_train=is_train)


def scores_at_k(
    recommended: np.ndarray, relevant: list[np.ndarray], *, k: int, n_items: int
) -> dict[str, float]:
    """recall@k (hits / relevant items), NDCG@k (binary gains) and catalogue coverage.

    ``recommended`` may be narrower than ``k`` when the catalogue is smaller than ``k``.
    """
    recommended = recommended[:, :k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    recalls, ndcgs = [], []
    for row, items in zip(recommended, relevant, strict=True):
        hits = np.isin(row, items)
        recalls.append(hits.sum() / len(items))
        ideal = discounts[: min(len(items), k)].sum()
        ndcgs.append((hits * discounts[: len(hits)]).sum() / ideal)
    shown = np.unique(recommended[recommended != engine.NO_ITEM])
    return {
        f"recall@{k}": float(np.mean(recalls)) if recalls else 0.0,
        f"ndcg@{k}": float(np.mean(ndcgs)) if ndcgs else 0.0,
        "coverage": len(shown) / n_items if n_items else 0.0,
    }


def _models(
    train: engine.PurchaseHistory, blend: engine.PersonalBlend
) -> dict[str, Callable[[np.ndarray, int], np.ndarray]]:
    def popularity(customers, k):
        ranked = np.argsort(-engine.item_popularity(train), kind="stable")[:k]
        return np.tile(ranked, (len(customers), 1))

    return {
        "popularity": popularity,
        "item_to_item": lambda customers, k: engine.item_knn_top_k(train, k=k, customers=customers),
        SERVED_MODEL: lambda customers, k: engine.personal_top_k(
            train, k=k, customers=customers, blend=blend
        ),
        "ease": lambda customers, k: engine.ease_top_k(train, k=k, customers=customers),
        "als": lambda customers, k: engine.als_top_k(train, k=k, customers=customers),
    }


def evaluate_split(
    split: Split,
    *,
    k: int = 10,
    blend: engine.PersonalBlend | None = None,
    categories: np.ndarray | None = None,
    models: RowModels | None = None,
) -> dict:
    """Score every model and every served row on ``split``: the command's ``--json`` document.

    ``categories`` gives each item index a category index (for the rows' category caps and
    their diversity); without it every item is in one category.
    """
    history = split.history
    train = engine.history_subset(history, mask=split.is_train)
    test = engine.history_subset(history, mask=~split.is_train)
    test_bought = engine.customer_item_matrix(test)
    customers = np.flatnonzero(np.diff(test_bought.indptr) > 0)
    relevant = [
        test_bought.indices[test_bought.indptr[c] : test_bought.indptr[c + 1]] for c in customers
    ]
    # Items first sold in the test period exist in the index but not for the models: with a
    # catalogue smaller than k they would otherwise fill the list with zero-score guesses.
    sold_in_train = engine.item_popularity(train) > 0
    results = {}
    for name, recommend in _models(train, blend or engine.PersonalBlend()).items():
        started = time.perf_counter()
        recommended = recommend(customers, k)
        seconds = time.perf_counter() - started
        recommended = np.where(sold_in_train[recommended], recommended, engine.NO_ITEM)
        results[name] = scores_at_k(recommended, relevant, k=k, n_items=history.n_items)
        results[name]["seconds"] = round(seconds, 4)
    if categories is None:
        categories = np.zeros(history.n_items, dtype=np.int32)
    rows = evaluate_rows(split, categories=categories, k=k, models=models or RowModels())
    return {"served": SERVED_MODEL, "models": results, "rows": rows}


@dataclass(frozen=True)
class RowModels:
    buy_again: engine.BuyAgainModel = engine.BuyAgainModel()
    new_for_you: engine.NewForYouModel = engine.NewForYouModel()
    association: engine.AssociationModel = engine.AssociationModel()


def categories_of_items(item_keys: np.ndarray, *, category_of: Callable[[str], str]) -> np.ndarray:
    """Category index of each item, from a function of the item's key (e.g. its name)."""
    names = [category_of(str(key)) for key in item_keys]
    index = {name: position for position, name in enumerate(sorted(set(names)))}
    return np.array([index[name] for name in names], dtype=np.int32)


def diversity(recommended: np.ndarray, *, categories: np.ndarray) -> float:
    """Mean number of distinct categories in a list (of the first ``k`` shown)."""
    if len(recommended) == 0:
        return 0.0
    counts = [len(set(categories[row[row != engine.NO_ITEM]].tolist())) for row in recommended]
    return float(np.mean(counts))


def _row_scores(
    recommended: np.ndarray, relevant: list[np.ndarray], *, k: int, categories: np.ndarray
) -> dict[str, float]:
    scores = scores_at_k(recommended, relevant, k=k, n_items=len(categories))
    scores["diversity"] = diversity(recommended[:, :k], categories=categories)
    return scores


def _scored(
    served: np.ndarray,
    baseline: np.ndarray,
    relevant: list[np.ndarray],
    *,
    k: int,
    categories: np.ndarray,
) -> dict:
    result = _row_scores(served, relevant, k=k, categories=categories)
    result["baseline"] = _row_scores(baseline, relevant, k=k, categories=categories)
    result["evaluated"] = len(relevant)
    return result


def evaluate_rows(split: Split, *, categories: np.ndarray, k: int, models: RowModels) -> dict:
    """Each served row on what it is for, against its own baseline.

    - ``buy_again``: for members with a test purchase of an item they had bought in training,
      scored against those re-bought items; baseline: their most frequent own items.
    - ``new_for_you``: for members with training history and a test item new to them, scored
      against the new items; baseline: popularity with their past items removed.
    - ``bought_together``: every item of every held-out basket (member + day, two items or
      more) is a query and the rest of its basket the answer; baseline: raw co-occurrence
      counts in the training baskets.
    """
    history = split.history
    train = engine.history_subset(history, mask=split.is_train)
    test = engine.history_subset(history, mask=~split.is_train)
    train_bought = engine.customer_item_matrix(train)
    test_bought = engine.customer_item_matrix(test)
    sold_in_train = engine.item_popularity(train) > 0

    again_customers, again_relevant, new_customers, new_relevant = [], [], [], []
    for customer in np.flatnonzero(np.diff(test_bought.indptr) > 0):
        later = test_bought.indices[test_bought.indptr[customer] : test_bought.indptr[customer + 1]]
        before = train_bought.indices[
            train_bought.indptr[customer] : train_bought.indptr[customer + 1]
        ]
        again = np.intersect1d(later, before)
        new = np.setdiff1d(later, before)
        if len(again):
            again_customers.append(customer)
            again_relevant.append(again)
        if len(new) and len(before):
            new_customers.append(customer)
            new_relevant.append(new)
    again_customers = np.array(again_customers, dtype=np.int64)
    new_customers = np.array(new_customers, dtype=np.int64)

    buy_again = engine.buy_again_top_k(
        train, k=k, customers=again_customers, model=models.buy_again
    )[0]
    frequent = engine.frequent_items_top_k(train, k=k, customers=again_customers)

    association = engine.item_association(train, model=models.association)
    new_for_you = engine.new_for_you_top_k(
        train,
        k=k,
        categories=categories,
        customers=new_customers,
        association=association,
        model=models.new_for_you,
    )[0]
    popularity = np.where(sold_in_train, engine.item_popularity(train), -np.inf)
    popular_unbought = np.tile(popularity, (len(new_customers), 1))
    own = train_bought[new_customers].toarray() > 0
    popular_unbought[own] = -np.inf
    popular_unbought = _top_finite(popular_unbought, k=k)

    queries, together_relevant = _held_out_baskets(test)
    served_together = _top_finite(_dense_or_empty(association, sold_in_train), k=k)[queries]
    counts = engine.cooccurrence_counts(train)
    tie_break = engine.item_popularity(train) * 1e-6
    counted = _dense_or_empty(counts, sold_in_train) + tie_break
    np.fill_diagonal(counted, -np.inf)
    baseline_together = _top_finite(counted, k=k)[queries]

    return {
        "buy_again": _scored(buy_again, frequent, again_relevant, k=k, categories=categories),
        "new_for_you": _scored(
            new_for_you, popular_unbought, new_relevant, k=k, categories=categories
        ),
        "bought_together": _scored(
            served_together, baseline_together, together_relevant, k=k, categories=categories
        ),
    }


def _dense_or_empty(matrix, sold: np.ndarray) -> np.ndarray:
    """Dense item x item scores where a missing pair (or an item never sold) is ``-inf``."""
    dense = np.full(matrix.shape, -np.inf)
    coo = matrix.tocoo()
    dense[coo.row, coo.col] = coo.data
    dense[:, ~sold] = -np.inf
    return dense


def _top_finite(scores: np.ndarray, *, k: int) -> np.ndarray:
    top = engine.top_k_per_row(np.where(np.isfinite(scores), scores, -np.inf), k=k)
    finite = np.isfinite(np.take_along_axis(scores, top, axis=1))
    return np.where(finite, top, engine.NO_ITEM)


def _held_out_baskets(test: engine.PurchaseHistory) -> tuple[np.ndarray, list[np.ndarray]]:
    """(query item, the rest of its basket) for every item of every basket of 2+ items."""
    basket_key = test.customer_index.astype(np.int64) * 1_000_000 + test.day
    pairs = np.unique(np.stack([basket_key, test.item_index.astype(np.int64)], axis=1), axis=0)
    queries, relevant = [], []
    boundaries = np.flatnonzero(np.diff(pairs[:, 0])) + 1
    for basket in np.split(pairs[:, 1], boundaries):
        if len(basket) < 2:
            continue
        for query in basket:
            queries.append(int(query))
            relevant.append(basket[basket != query])
    return np.array(queries, dtype=np.int64), relevant
