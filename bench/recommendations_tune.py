"""Choose the served personal blend on a validation split inside the training period.

    .venv/bin/python bench/recommendations_tune.py [--csv shop/demo/data/purchases.csv]

Only lines before 2015-10-01 are used (the test period stays unseen): train before
2015-07-01, validate on July-September. Prints the grid sorted by validation NDCG@10; the
defaults of ``engine.PersonalBlend`` come from here, and ``evaluate_recommendations`` then
reports them on the real test period.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recommendations import engine, evaluation  # noqa: E402


def validation_split(csv_path: str) -> evaluation.Split:
    lines = evaluation.purchases_read_csv(csv_path)
    split = evaluation.split_by_date(lines, cutoff=dt.date(2015, 7, 1))
    before_test = split.history.day < dt.date(2015, 10, 1).toordinal()
    return evaluation.Split(
        history=engine.history_subset(split.history, mask=before_test),
        is_train=split.is_train[before_test],
    )


def companions_specificity(
    history: engine.PurchaseHistory, *, model: engine.AssociationModel, staples: int = 5
) -> str:
    """How often the store's staples lead the bought-together rows of the whole history.

    Counts, over the products with a row, those whose first companion (and any of the first
    four, the cards a product page shows) is the all-time best seller (whole milk), or one of
    the ``staples`` best sellers: the row is meant to name what goes with *this* product.
    """
    association = engine.item_association(history, model=model)
    best = np.argsort(-engine.item_popularity(history), kind="stable")[:staples]
    rows = [
        association.indices[start:end][np.argsort(-association.data[start:end], kind="stable")]
        for start, end in zip(association.indptr[:-1], association.indptr[1:], strict=True)
        if end > start
    ]
    first = np.array([row[0] for row in rows])
    top_best = [np.isin(row[:4], best) for row in rows]
    return (
        f"best seller first {int((first == best[0]).sum())}/{len(rows)} "
        f"in 4 {sum(int(best[0] in row[:4]) for row in rows)}, "
        f"top {staples} first {int(np.isin(first, best).sum())} "
        f"in 4 {sum(int(hit.any()) for hit in top_best)}"
    )


def tune_rows(split: evaluation.Split, *, whole: engine.PurchaseHistory) -> None:
    from shop.demo.catalogue_map import item_category_key

    categories = evaluation.categories_of_items(
        split.history.item_keys, category_of=item_category_key
    )

    def show(row: str, label: str, models: evaluation.RowModels) -> None:
        scores = evaluation.evaluate_rows(split, categories=categories, k=10, models=models)[row]
        print(
            f"{row:<16} {label:<44} ndcg@10 {scores['ndcg@10']:.4f} "
            f"(baseline {scores['baseline']['ndcg@10']:.4f}) coverage {scores['coverage']:.3f} "
            f"diversity {scores['diversity']:.2f}"
        )

    for strength, dueness, popularity in itertools.product([4, 16], [0.25, 0.5], [0.5, 1.0]):
        model = engine.BuyAgainModel(
            prior_strength=strength, dueness_power=dueness, popularity_power=popularity
        )
        label = f"prior {strength} dueness^{dueness} popularity^{popularity}"
        show("buy_again", label, evaluation.RowModels(buy_again=model))
    for window, weight in itertools.product([90, 180], [0.0, 0.2, 0.4, 0.7, 1.0]):
        model = engine.NewForYouModel(popularity_window_days=window, neighbour_weight=weight)
        label = f"window {window} d, neighbour weight {weight}"
        show("new_for_you", label, evaluation.RowModels(new_for_you=model))
    for discount, shrinkage in itertools.product([0.5, 0.6, 0.75, 1.0], [5, 20, 100, 200]):
        model = engine.AssociationModel(popularity_discount=discount, shrinkage=shrinkage)
        label = f"popularity discount {discount}, shrinkage {shrinkage}"
        show("bought_together", label, evaluation.RowModels(association=model))
        print(f"{'':<16} {'':<44} {companions_specificity(whole, model=model)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default=str(ROOT / "shop" / "demo" / "data" / "purchases.csv"))
    parser.add_argument("--rows", action="store_true", help="tune the per-row models instead")
    args = parser.parse_args()
    split = validation_split(args.csv)
    if args.rows:
        lines = evaluation.purchases_read_csv(args.csv)
        whole = engine.history_from_lines(
            customers=lines.customers, items=lines.items, days=lines.days
        )
        tune_rows(split, whole=whole)
        return
    rows = []
    grid = itertools.product(
        [30, 90, 365], [30.0, 90.0, 365.0], [0.0, 0.05, 0.1, 0.2], [0.0, 0.1, 0.2]
    )
    for window, half_life, repeat, neighbour in grid:
        blend = engine.PersonalBlend(
            popularity_window_days=window,
            half_life_days=half_life,
            repeat_weight=repeat,
            neighbour_weight=neighbour,
        )
        scores = evaluation.evaluate_split(split, blend=blend)["models"]
        rows.append((scores["personal"]["ndcg@10"], scores["personal"]["recall@10"], blend))
    popularity = scores["popularity"]
    print(
        f"popularity: recall@10 {popularity['recall@10']:.4f} ndcg@10 {popularity['ndcg@10']:.4f}"
    )
    for ndcg, recall, blend in sorted(rows, key=lambda r: -r[0])[:10]:
        print(f"ndcg@10 {ndcg:.4f} recall@10 {recall:.4f} {blend}")
    worst = min(rows, key=lambda r: r[0])
    print(f"worst: ndcg@10 {worst[0]:.4f} recall@10 {worst[1]:.4f} {worst[2]}")
    print(
        "spread of the top 10 ndcg:", np.ptp([r[0] for r in sorted(rows, key=lambda r: -r[0])[:10]])
    )


if __name__ == "__main__":
    main()
