"""The segmentation definitions on hand-made figures with known answers (no database)."""

from decimal import Decimal

import pytest

from marketing import segmentation


def test_quintile_scores_split_ten_customers_into_five_bands_of_two():
    spend = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert segmentation.quintile_scores(spend) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_quintile_scores_lower_is_better_for_recency_days():
    days = [1, 5, 10, 20, 40, 80, 160, 320, 640, 1000]
    assert segmentation.quintile_scores(days, higher_is_better=False) == [
        5, 5, 4, 4, 3, 3, 2, 2, 1, 1,
    ]  # fmt: skip


def test_quintile_ties_share_one_score():
    assert segmentation.quintile_scores([1, 1, 1, 1, 9]) == [1, 1, 1, 1, 5]
    assert segmentation.quintile_scores([3, 3, 3]) == [1, 1, 1]


@pytest.mark.parametrize(
    ("r", "f", "m", "group"),
    [
        (5, 5, 5, "most_valuable"),
        (4, 4, 4, "most_valuable"),
        (4, 4, 3, "growth"),  # recent but F + M = 7 < 8
        (3, 5, 5, "growth"),  # valuable but only R 3: not "most valuable"
        (2, 4, 3, "pre_churn"),  # spent well, slipping away
        (1, 5, 5, "pre_churn"),
        (2, 3, 3, "low_value"),
        (1, 1, 1, "low_value"),
    ],
)
def test_value_group_definitions(r, f, m, group):
    assert segmentation.value_group(recency_score=r, frequency_score=f, monetary_score=m) == group


@pytest.mark.parametrize(
    ("first_days", "recency_days", "stage"),
    [(10, 10, "new"), (30, 2, "new"), (400, 90, "active"), (400, 91, "lapsing"),
     (400, 180, "lapsing"), (400, 181, "churned")],
)  # fmt: skip
def test_lifecycle_stage_thresholds(first_days, recency_days, stage):
    assert segmentation.lifecycle_stage(first_days=first_days, recency_days=recency_days) == stage


def test_dormant_needs_silence_and_a_history_worth_reviving():
    assert segmentation.is_dormant(recency_days=121, frequency=2)
    assert not segmentation.is_dormant(recency_days=121, frequency=1)
    assert not segmentation.is_dormant(recency_days=120, frequency=5)


def test_retention_rate_is_share_of_last_years_buyers_who_came_back():
    rate = segmentation.retention_rate(
        previous_year_buyers={1, 2, 3, 4}, last_year_buyers={2, 3, 9}
    )
    assert rate == Decimal("0.5000")


def test_lifetime_value_historical_margin_and_expected_future():
    # 2 years of history: 1000 revenue, 800 of it costed at 500 cost, 200 uncosted at the
    # store's 25 % margin -> historical 300 + 50 = 350; yearly margin 175; r = 0.6, d = 0.1:
    # expected = 175 * 0.6 / 0.5 = 210.
    value = segmentation.lifetime_value(
        revenue=Decimal("1000"),
        costed_revenue=Decimal("800"),
        cost=Decimal("500"),
        frequency=10,
        tenure_days=730,
        lifecycle="active",
        store_margin_rate=Decimal("0.25"),
        retention=Decimal("0.6"),
    )
    assert value.historical == Decimal("350.00")
    assert value.margin_rate == Decimal("0.3500")
    assert value.expected == Decimal("210.00")
    assert value.total == Decimal("560.00")


def test_churned_customer_expects_nothing_more():
    value = segmentation.lifetime_value(
        revenue=Decimal("100"),
        costed_revenue=Decimal("100"),
        cost=Decimal("60"),
        frequency=2,
        tenure_days=800,
        lifecycle="churned",
        store_margin_rate=Decimal("0.3"),
        retention=Decimal("0.8"),
    )
    assert value.historical == Decimal("40.00")
    assert value.expected == Decimal("0.00")
