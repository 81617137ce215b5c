"""The engine on synthetic histories with planted structure (no database)."""

import datetime as dt

import numpy as np
import pytest
import scipy.sparse as sp

from recommendations import engine

DAY0 = dt.date(2025, 1, 1).toordinal()


def planted_history(seed: int = 0) -> engine.PurchaseHistory:
    """40 customers over items 'a'..'j': whoever buys 'a' also buys 'b'; 'milk' is everywhere.

    'milk' is bought by everybody, so raw co-occurrence would name it first for every item;
    'a' and 'b' only ever appear together.
    """
    rng = np.random.default_rng(seed)
    customers, items, days = [], [], []
    others = ["c", "d", "e", "f", "g", "h", "i", "j"]
    for customer in range(40):
        bought = ["milk", *rng.choice(others, size=2, replace=False)]
        if customer % 4 == 0:
            bought += ["a", "b"]
        for item in bought:
            customers.append(customer)
            items.append(item)
            days.append(DAY0 + int(rng.integers(0, 60)))
    return engine.history_from_lines(customers=customers, items=items, days=days)


def item(history, name):
    return int(np.flatnonzero(history.item_keys == name)[0])


def names(history, indices):
    return [str(history.item_keys[i]) for i in indices if i != engine.NO_ITEM]


def test_also_bought_finds_the_planted_pair_and_does_not_echo_the_best_seller():
    history = planted_history()
    similarity = engine.item_similarity(history)
    neighbours = engine.also_bought(similarity, k=3)
    assert names(history, neighbours[item(history, "a")])[0] == "b"
    assert names(history, neighbours[item(history, "b")])[0] == "a"
    # 'milk' co-occurs with 'a' exactly as often as 'b' does (every time), but it co-occurs
    # with everything else too, so it must score strictly lower.
    a, b, milk = item(history, "a"), item(history, "b"), item(history, "milk")
    assert similarity[a, b] > similarity[a, milk]


def test_shrinkage_discounts_a_pair_seen_once():
    # x/y bought together by one customer; p/q by five: raw cosine is 1.0 for both pairs.
    customers = [0, 0] + [c for c in range(1, 6) for _ in range(2)] + [9]
    items = ["x", "y"] + ["p", "q"] * 5 + ["z"]
    history = engine.history_from_lines(customers=customers, items=items, days=[DAY0] * len(items))
    similarity = engine.item_similarity(history, shrinkage=2.0).toarray()
    assert (
        similarity[item(history, "p"), item(history, "q")]
        > similarity[item(history, "x"), item(history, "y")]
    )


def test_item_knn_recommends_the_planted_partner():
    history = planted_history()
    # A new customer who bought only 'a' once.
    extended = engine.history_from_lines(
        customers=[*history.customer_keys[history.customer_index].tolist(), 999],
        items=[*history.item_keys[history.item_index].tolist(), "a"],
        days=[*history.day.tolist(), DAY0 + 61],
    )
    customer = int(np.flatnonzero(extended.customer_keys == 999)[0])
    top = engine.item_knn_top_k(extended, k=1, customers=np.array([customer]))
    assert names(extended, top[0]) == ["b"]


def test_learned_models_find_the_planted_partner():
    history = planted_history()
    buyer_of_a = int(np.flatnonzero(history.customer_keys == 0)[0])
    ease = engine.ease_item_weights(history, l2=1.0)
    assert int(np.argmax(ease[item(history, "a")])) == item(history, "b")
    ranked = engine.als_top_k(
        history,
        k=4,
        customers=np.array([buyer_of_a]),
        factors=4,
        regularization=0.01,
        iterations=30,
    )
    assert "b" in names(history, ranked[0])


def test_personal_list_puts_repeat_purchases_above_equally_popular_items():
    # Everybody buys 'p' and 'q' once; customer 0 buys 'q' every week.
    customers, items, days = [], [], []
    for customer in range(10):
        customers += [customer, customer]
        items += ["p", "q"]
        days += [DAY0, DAY0]
    for week in range(5):
        customers.append(0)
        items.append("q")
        days.append(DAY0 + 7 * week)
    history = engine.history_from_lines(customers=customers, items=items, days=days)
    top = engine.personal_top_k(history, k=2, customers=np.array([0, 1]))
    assert names(history, top[0]) == ["q", "p"]
    # Customer 1 bought both once, on the same day: a tie, broken by index order.
    assert names(history, top[1]) == ["p", "q"]


def test_recent_purchases_weigh_more_than_old_ones():
    # Customer 0 bought 'old' a year ago and 'new' yesterday, each once; both equally popular.
    customers = [0, 0, 1, 1]
    items = ["old", "new", "old", "new"]
    days = [DAY0, DAY0 + 365, DAY0 + 365, DAY0 + 365]
    history = engine.history_from_lines(customers=customers, items=items, days=days)
    blend = engine.PersonalBlend(neighbour_weight=0.0, popularity_window_days=400)
    top = engine.personal_top_k(history, k=2, customers=np.array([0]), blend=blend)
    assert names(history, top[0]) == ["new", "old"]


def test_new_customer_falls_back_to_popularity():
    history = planted_history()
    base = engine.popularity_base(history, window_days=90)
    nothing_bought = sp.csr_matrix((1, history.n_items), dtype=np.float32)
    scores = engine.personal_scores(
        own=nothing_bought,
        similarity=engine.item_similarity(history),
        base=base,
        blend=engine.PersonalBlend(),
    )
    expected = np.argsort(-base, kind="stable")[:5]
    assert engine.top_k_per_row(scores, k=5)[0].tolist() == expected.tolist()
    assert names(history, expected)[0] == "milk"


def test_best_sellers_of_the_week_are_topped_up_with_all_time_popularity():
    customers = [1, 2, 3, 4, 5]
    items = ["old-favourite", "old-favourite", "old-favourite", "this-week", "other"]
    days = [DAY0, DAY0, DAY0, DAY0 + 100, DAY0 + 50]
    history = engine.history_from_lines(customers=customers, items=items, days=days)
    ranked = engine.best_sellers(history, k=3, window_days=7)
    assert names(history, ranked) == ["this-week", "old-favourite", "other"]


def test_top_k_per_row_orders_best_first_and_breaks_ties_by_index():
    scores = np.array([[0.1, 0.5, 0.5, 0.9], [1.0, 0.0, 0.0, 0.0]])
    assert engine.top_k_per_row(scores, k=3).tolist() == [[3, 1, 2], [0, 1, 2]]


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
def test_personal_top_k_does_not_depend_on_chunking(chunk_size):
    history = planted_history(seed=3)
    full = engine.personal_top_k(history, k=5, chunk_size=1000)
    chunked = engine.personal_top_k(history, k=5, chunk_size=chunk_size)
    assert np.array_equal(full, chunked)
