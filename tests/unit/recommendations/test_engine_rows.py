"""The engine's per-row rules on tiny hand-made histories (no database)."""

import datetime as dt

import numpy as np

from recommendations import engine

DAY0 = dt.date(2025, 1, 1).toordinal()


def history_of(lines):
    """``lines``: (customer, item, day offset) triples."""
    customers, items, days = zip(*lines, strict=True)
    return engine.history_from_lines(
        customers=list(customers), items=list(items), days=[DAY0 + d for d in days]
    )


def index(history, name):
    return int(np.flatnonzero(history.item_keys == name)[0])


def names(history, indices):
    return [str(history.item_keys[i]) for i in indices if i != engine.NO_ITEM]


def test_buy_again_puts_the_overdue_item_before_the_one_just_bought():
    # Customer 0 buys coffee and tea every 10 days; tea was bought today, coffee 10 days ago.
    lines = [(0, "coffee", d) for d in (0, 10, 20, 30)] + [(0, "tea", d) for d in (0, 10, 20, 40)]
    lines += [(1, "coffee", 40), (1, "tea", 40)]  # others buy both alike: no popularity edge
    history = history_of(lines)
    items, scores = engine.buy_again_top_k(
        history, k=5, customers=np.array([0]), model=engine.BuyAgainModel(horizon_days=0)
    )
    assert names(history, items[0]) == ["coffee", "tea"]
    assert scores[0, 0] > scores[0, 1]


def test_buy_again_holds_only_the_members_own_items():
    history = history_of([(0, "milk", 0), (1, "bread", 1), (1, "milk", 2), (2, "jam", 3)])
    items, _scores = engine.buy_again_top_k(history, k=5, customers=np.array([0, 1]))
    assert names(history, items[0]) == ["milk"]
    assert set(names(history, items[1])) == {"bread", "milk"}


def test_item_bought_once_takes_the_store_wide_interval():
    # Everybody rebuys milk weekly and rice every 100 days: one purchase of each, 20 days ago.
    lines = [(c, "milk", d) for c in range(1, 6) for d in range(0, 200, 7)]
    lines += [(c, "rice", d) for c in range(1, 6) for d in range(0, 200, 100)]
    lines += [(0, "milk", 180), (0, "rice", 180)]
    history = history_of(lines)
    intervals = engine.item_repeat_intervals(history)
    assert intervals[index(history, "milk")] < intervals[index(history, "rice")]
    items, _scores = engine.buy_again_top_k(history, k=2, customers=np.array([0]))
    assert names(history, items[0]) == ["milk", "rice"]


def basket_history():
    """Everybody buys milk; pasta buyers also buy sauce; a few buy tea with milk."""
    lines = []
    for customer in range(30):
        lines.append((customer, "milk", 0))
        if customer < 10:
            lines += [(customer, "pasta", 0), (customer, "sauce", 0)]
        if customer % 5 == 0:
            lines.append((customer, "tea", 0))
        if 10 <= customer < 16:
            lines.append((customer, "cheese", 0))
    return history_of(lines)


def test_association_discounts_the_item_everybody_buys():
    history = basket_history()
    association = engine.item_association(history).toarray()
    pasta, sauce, milk = (index(history, n) for n in ("pasta", "sauce", "milk"))
    # Pasta co-occurs with milk and with sauce equally often (10 times)...
    raw = engine.cooccurrence_counts(history).toarray()
    assert raw[pasta, milk] == raw[pasta, sauce]
    # ...but milk is bought by everybody, so sauce is pasta's companion.
    assert association[pasta, sauce] > association[pasta, milk]


def test_new_for_you_never_repeats_a_bought_item_and_caps_each_category():
    history = basket_history()
    # pasta, sauce, cheese share one category; milk and tea one each.
    category_of = {"pasta": 0, "sauce": 0, "cheese": 0, "milk": 1, "tea": 2}
    categories = np.array([category_of[str(key)] for key in history.item_keys])
    customer = int(np.flatnonzero(history.customer_keys == 29)[0])  # bought milk only
    items, _reasons = engine.new_for_you_top_k(
        history, k=5, categories=categories, customers=np.array([customer])
    )
    shown = names(history, items[0])
    assert "milk" not in shown
    assert sum(category_of[name] == 0 for name in shown) == 2
    assert "tea" in shown


def test_new_for_you_reason_is_an_item_the_member_bought():
    history = basket_history()
    customer = int(np.flatnonzero(history.customer_keys == 3)[0])  # milk, pasta, sauce
    items, reasons = engine.new_for_you_top_k(
        history, k=5, categories=np.arange(history.n_items), customers=np.array([customer])
    )
    bought = {"milk", "pasta", "sauce"}
    assert bought.isdisjoint(names(history, items[0]))
    shown_reasons = names(history, reasons[0])
    assert shown_reasons
    assert set(shown_reasons) <= bought


def test_trending_prefers_a_rising_item_avoids_the_picks_and_varies_categories():
    lines = []
    for customer in range(40):  # bread sells steadily all year
        lines += [(customer, "bread", d) for d in range(22, 360, 30)]
    for customer in range(12):  # ice cream only lately
        lines.append((customer, "ice cream", 350))
    for customer in range(12):  # lollies only lately, same aisle as ice cream
        lines.append((customer, "lollies", 351))
        lines.append((customer, "sorbet", 352))
    history = history_of(lines)
    category_of = {"bread": 0, "ice cream": 1, "lollies": 1, "sorbet": 1}
    categories = np.array([category_of[str(key)] for key in history.item_keys])
    picks = engine.best_sellers(history, k=1)
    assert names(history, picks) == ["bread"]
    ranked, _scores = engine.trending(
        history,
        k=4,
        categories=categories,
        exclude=picks,
        model=engine.TrendingModel(first=2, per_category_in_first=1),
    )
    shown = names(history, ranked)
    assert shown[0] in {"ice cream", "lollies", "sorbet"}
    assert shown[1] == "bread"  # the second place must go to another aisle
    assert len(shown) == 4


def test_top_k_diverse_caps_only_the_first_places_when_asked():
    scores = np.array([[5.0, 4.0, 3.0, 2.0, -np.inf]])
    categories = np.array([0, 0, 0, 1, 1])
    capped = engine.top_k_diverse(scores, categories=categories, k=5, per_category=1)
    assert capped[0].tolist() == [0, 3, engine.NO_ITEM, engine.NO_ITEM, engine.NO_ITEM]
    first = engine.top_k_diverse(scores, categories=categories, k=5, per_category=1, first=2)
    assert first[0].tolist() == [0, 3, 1, 2, engine.NO_ITEM]


def reference_diverse(row, categories, k, per_category):
    taken, chosen = {}, []
    for index in np.argsort(-row, kind="stable"):
        if not np.isfinite(row[index]) or len(chosen) == k:
            break
        if taken.get(categories[index], 0) < per_category:
            taken[categories[index]] = taken.get(categories[index], 0) + 1
            chosen.append(int(index))
    return chosen + [engine.NO_ITEM] * (k - len(chosen))


def test_top_k_diverse_matches_a_full_sort_when_the_best_items_crowd_one_category():
    rng = np.random.default_rng(3)
    scores = rng.random((50, 200))
    categories = rng.integers(1, 6, size=200)
    # Rows 0-9: the 40 best items (more than the 4 * k looked at first) are all in category
    # 0, so the first look leaves the row short; rows 10-19 may show only the last 100 items.
    categories[:40] = 0
    scores[:10, :40] += 10.0
    scores[10:20, :100] = -np.inf
    result = engine.top_k_diverse(scores, categories=categories, k=8, per_category=2)
    for row in range(len(scores)):
        assert result[row].tolist() == reference_diverse(scores[row], categories, 8, 2)


def test_new_for_you_without_any_bought_together_pair_gives_popular_items_and_no_reasons():
    history = history_of([(1, "a", 0), (2, "b", 1)])
    items, reasons = engine.new_for_you_top_k(
        history, k=3, categories=np.zeros(2, dtype=int), customers=np.array([0, 1])
    )
    assert [names(history, row) for row in items] == [["b"], ["a"]]
    assert (reasons == engine.NO_ITEM).all()


def test_bought_together_leads_with_the_specific_companion_over_a_more_frequent_staple():
    # All 30 customers buy milk; of the 10 pasta buyers 8 also buy sauce, so pasta meets milk
    # more often (10) than sauce (8), and sauce is bought only with pasta.
    lines = [(customer, "milk", 0) for customer in range(30)]
    lines += [(customer, "pasta", 0) for customer in range(10)]
    lines += [(customer, "sauce", 0) for customer in range(8)]
    lines += [(customer, "bread", 0) for customer in range(10, 20)]
    history = history_of(lines)
    pasta = index(history, "pasta")
    assert engine.cooccurrence_counts(history)[pasta].toarray().argmax() == index(history, "milk")

    row = engine.item_association(history)[pasta]
    ranked = row.indices[np.argsort(-row.data, kind="stable")]

    assert names(history, ranked) == ["sauce", "milk"]
