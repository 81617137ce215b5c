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


def evaluate_split(split: Split, *, k: int = 10, blend: engine.PersonalBlend | None = None) -> dict:
    """Score every model on ``split``; the result is the ``--json`` document of the command."""
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
    return {"served": SERVED_MODEL, "models": results}
