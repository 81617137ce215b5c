"""The reorder formula on a hand-made sales history whose answer is worked out by hand.

History: 28 days alternating 8 and 12 units, so the baseline is 10 units/day with a
population standard deviation of exactly 2. Lead time L = 4 days, review period R = 7,
service level 95 % (z = 1.6449).
"""

import math
from datetime import date, timedelta

import pytest

from operations.reorder import (
    CalendarPeriod,
    calendar_factor_on,
    reorder_compute,
    round_up_to_pack,
    stock_is_low,
    z_for_service_level,
)

TODAY = date(2026, 9, 1)
HISTORY_DAYS = 28
Z95 = 1.6448536269514722


def alternating_history(low: int = 8, high: int = 12, days: int = HISTORY_DAYS) -> dict[date, int]:
    start = TODAY - timedelta(days=days)
    return {start + timedelta(days=i): (low if i % 2 == 0 else high) for i in range(days)}


def compute(**overrides):
    params = {
        "daily_sales": alternating_history(),
        "today": TODAY,
        "history_days": HISTORY_DAYS,
        "lead_time_days": 4,
        "review_period_days": 7,
        "inventory_position": 40,
    }
    params.update(overrides)
    return reorder_compute(**params)


def test_z_is_the_normal_quantile_of_the_service_level():
    assert z_for_service_level(0.95) == pytest.approx(Z95)
    with pytest.raises(ValueError):
        z_for_service_level(1.0)


def test_ordinary_weeks_give_the_textbook_answer():
    result = compute()

    assert result.average_daily_demand == pytest.approx(10)
    assert result.demand_std_dev == pytest.approx(2)
    # SS = z·σ·√L = 1.6449 · 2 · 2
    assert result.safety_stock == pytest.approx(6.5794, abs=1e-4)
    # s = d̄·L + SS = 40 + 6.5794
    assert result.reorder_point == pytest.approx(46.5794, abs=1e-4)
    # S = d̄·(L+R) + z·σ·√(L+R) = 110 + 1.6449 · 2 · √11
    assert result.order_up_to == pytest.approx(120.9108, abs=1e-4)
    # IP 40 ≤ 46.58: order up to S, 120.91 − 40 = 80.91 → 81 units.
    assert result.suggested_quantity == 81


def test_the_suggestion_is_rounded_up_to_whole_packs():
    assert compute(pack_size=12).suggested_quantity == 84  # ⌈80.91 / 12⌉ = 7 packs
    assert round_up_to_pack(quantity=24.0, pack_size=12) == 24
    assert round_up_to_pack(quantity=-3, pack_size=12) == 0


def test_above_the_reorder_point_nothing_is_ordered():
    assert compute(inventory_position=47).suggested_quantity == 0
    assert compute(inventory_position=46).suggested_quantity == math.ceil(120.9108 - 46)


def test_the_week_before_term_orders_for_term_not_for_last_month():
    # Term starts in two days and doubles demand: the next 4 days average (1+1+2+2)/4 = 1.5,
    # the next 11 days (1+1+9·2)/11 = 20/11.
    term = CalendarPeriod(TODAY + timedelta(days=2), TODAY + timedelta(days=60), 2.0)
    result = compute(inventory_position=60, periods=[term])

    assert result.calendar_factor_lead == pytest.approx(1.5)
    assert result.calendar_factor_cycle == pytest.approx(20 / 11)
    # s = 10·1.5·4 + 1.6449·2·1.5·√4 = 60 + 9.8691
    assert result.reorder_point == pytest.approx(69.8691, abs=1e-4)
    # S = 10·(20/11)·11 + 1.6449·2·(20/11)·√11 = 200 + 19.8377
    assert result.order_up_to == pytest.approx(219.8377, abs=1e-4)
    assert result.suggested_quantity == 160
    # The same stock with no calendar would not have ordered at all.
    assert compute(inventory_position=60).suggested_quantity == 0


def test_a_busy_period_in_the_history_does_not_inflate_the_baseline():
    # The last 14 days were exams (×2) and sales doubled: the baseline is still 10 ± 2.
    history = alternating_history()
    exam_start = TODAY - timedelta(days=14)
    for day in list(history):
        if day >= exam_start:
            history[day] *= 2
    exams = CalendarPeriod(exam_start, TODAY - timedelta(days=1), 2.0)

    result = compute(daily_sales=history, periods=[exams])

    assert result.average_daily_demand == pytest.approx(10)
    assert result.demand_std_dev == pytest.approx(2)


def test_days_without_sales_count_as_zero():
    sparse = {TODAY - timedelta(days=1): 28}  # one sale of 28 units in 28 days: 1/day
    result = compute(daily_sales=sparse, inventory_position=0)
    assert result.average_daily_demand == pytest.approx(1)


def test_no_sales_and_stock_on_the_shelf_suggests_nothing():
    assert compute(daily_sales={}, inventory_position=1).suggested_quantity == 0


def test_a_stock_out_is_suggested_even_without_sales():
    # Nothing sold in the history, often because the shelf was empty: still one pack.
    result = compute(daily_sales={}, inventory_position=0, pack_size=6)
    assert result.needs_reorder
    assert result.suggested_quantity == 6


def test_the_low_stock_threshold_is_a_floor_under_the_reorder_point():
    # No demand: the threshold 10 is the reorder point; at it, order past it (11 − 10 = 1).
    at_point = compute(daily_sales={}, inventory_position=10, low_stock_threshold=10)
    assert at_point.reorder_point == 10
    assert at_point.order_up_to == 11
    assert at_point.suggested_quantity == 1
    assert (
        compute(daily_sales={}, inventory_position=11, low_stock_threshold=10).suggested_quantity
        == 0
    )
    # Below it, from 4: up to 11 units, rounded up to a pack of 12.
    below = compute(daily_sales={}, inventory_position=4, low_stock_threshold=10, pack_size=12)
    assert below.suggested_quantity == 12
    # With demand the formula's higher point wins (46.58 > 10).
    assert compute(low_stock_threshold=10).reorder_point == pytest.approx(46.5794, abs=1e-4)


def test_stock_is_low_at_or_below_the_reorder_point():
    assert stock_is_low(inventory_position=0, reorder_point=0)
    assert stock_is_low(inventory_position=10, reorder_point=10)
    assert stock_is_low(inventory_position=-2, reorder_point=0)
    assert not stock_is_low(inventory_position=11, reorder_point=10.5)


def test_the_latest_starting_period_wins_where_periods_overlap():
    autumn = CalendarPeriod(date(2026, 9, 1), date(2026, 12, 31), 1.2)
    enrolment = CalendarPeriod(date(2026, 9, 7), date(2026, 9, 13), 2.5)
    assert calendar_factor_on(day=date(2026, 9, 8), periods=[enrolment, autumn]) == 2.5
    assert calendar_factor_on(day=date(2026, 9, 20), periods=[enrolment, autumn]) == 1.2
    assert calendar_factor_on(day=date(2027, 1, 5), periods=[enrolment, autumn]) == 1.0
