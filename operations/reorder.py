"""The reorder formula, as plain functions of numbers and dates (no database).

For one stock record, reviewed every ``R`` days, supplied after a lead time of ``L`` days,
with a target service level ``p`` (the chance of not running out before the next delivery):

1. **Calendar factor of a day** ``f(d)``: the ``demand_factor`` of the academic calendar
   period covering ``d`` (when periods overlap, the one that started last wins, so a short
   "enrolment week" can sit inside a long "autumn term"); 1 on days no period covers.

2. **Baseline daily demand** from the last ``H`` days of paid sales ``s(d)`` (online and
   till: both are Oscar orders), with every day counted, including days with no sale.
   Each day is first divided by its own calendar factor, so an exam fortnight in the
   history does not inflate an ordinary week::

       b(d) = s(d) / f(d)          d̄ = mean(b)          σ = population std. deviation of b

3. **Calendar factor ahead**: the mean of ``f`` over the days the decision has to cover,
   starting today: ``f_L`` over the lead time, ``f_LR`` over lead time + review period.
   This is what makes the week before term order for term, not for last month.

4. **Safety stock and reorder point** (``z`` = standard normal quantile of ``p``)::

       safety stock   SS = z · σ · f_L · √L
       reorder point  s  = d̄ · f_L · L + SS

5. **Order-up-to level** for a periodic review (covers lead time *and* the wait until the
   next review)::

       S = d̄ · f_LR · (L + R) + z · σ · f_LR · √(L + R)

6. **The operator's floor**: the stock record's low-stock threshold ``T`` (Oscar's field) is a
   reorder point the formula may raise but never lower, ``s' = max(s, T)``. A product that
   sold nothing in the history (often *because* it was out of stock) still has that floor.

7. **Inventory position** ``IP = on hand − allocated to unpaid orders + still on order``
   (open purchase orders). The one rule, ``stock_is_low``: at or below the reorder point,
   ``IP ≤ s'`` (a stock-out, ``IP ≤ 0``, always is). Then reorder now, up to ``S`` and at
   least one unit past the reorder point, so the delivery clears the alert (the stored
   order-up-to level is that ``S' = max(S, ⌊s'⌋ + 1)``)::

       suggested quantity = ⌈(S' − IP) / pack size⌉ · pack size      (0 when IP > s')

Rounding *up* to whole packs never leaves the store below ``S``. Oscar's low-stock alerts are
opened and closed with the same rule (``operations.services.stock_alerts_sync``), so the open
alerts are exactly the products suggested.
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_SERVICE_LEVEL = 0.95
DEFAULT_HISTORY_DAYS = 56


@dataclass(frozen=True)
class CalendarPeriod:
    starts_on: date
    ends_on: date  # inclusive
    demand_factor: float


@dataclass(frozen=True)
class ReorderResult:
    average_daily_demand: float
    demand_std_dev: float
    calendar_factor_lead: float
    calendar_factor_cycle: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    inventory_position: int
    suggested_quantity: int

    @property
    def needs_reorder(self) -> bool:
        return self.suggested_quantity > 0


def calendar_factor_on(*, day: date, periods: list[CalendarPeriod]) -> float:
    covering = [p for p in periods if p.starts_on <= day <= p.ends_on]
    if not covering:
        return 1.0
    return max(covering, key=lambda p: p.starts_on).demand_factor


def calendar_factor_mean(*, start: date, days: int, periods: list[CalendarPeriod]) -> float:
    if days <= 0:
        return calendar_factor_on(day=start, periods=periods)
    factors = [
        calendar_factor_on(day=start + timedelta(days=i), periods=periods) for i in range(days)
    ]
    return sum(factors) / len(factors)


def baseline_demand(
    *,
    daily_sales: dict[date, int],
    history_start: date,
    history_days: int,
    periods: list[CalendarPeriod],
) -> tuple[float, float]:
    """Mean and population standard deviation of calendar-adjusted daily sales.

    ``daily_sales`` may omit days without sales; they count as zero.
    """
    adjusted = []
    for i in range(history_days):
        day = history_start + timedelta(days=i)
        adjusted.append(daily_sales.get(day, 0) / calendar_factor_on(day=day, periods=periods))
    if not adjusted:
        return 0.0, 0.0
    return statistics.fmean(adjusted), statistics.pstdev(adjusted)


def z_for_service_level(service_level: float) -> float:
    if not 0.5 <= service_level < 1:
        raise ValueError("The service level must be at least 0.5 and below 1.")
    return statistics.NormalDist().inv_cdf(service_level)


def round_up_to_pack(*, quantity: float, pack_size: int) -> int:
    if quantity <= 0:
        return 0
    return math.ceil(quantity / pack_size) * pack_size


def stock_is_low(
    *, inventory_position: int, reorder_point: float, awaiting_release: bool = False
) -> bool:
    """The one low-stock rule: at or below the reorder point (a stock-out always is).

    A product on pre-order and not yet released has no stock by design (it arrives for the
    release): it is never low, so it is neither suggested for reorder nor alerted.
    """
    if awaiting_release:
        return False
    return inventory_position <= max(reorder_point, 0)


def reorder_point_with_floor(*, reorder_point: float, low_stock_threshold: int | None) -> float:
    """The formula's reorder point, never below the operator's low-stock threshold."""
    return max(reorder_point, float(low_stock_threshold or 0))


def reorder_compute(
    *,
    daily_sales: dict[date, int],
    today: date,
    history_days: int,
    lead_time_days: int,
    review_period_days: int,
    inventory_position: int,
    pack_size: int = 1,
    service_level: float = DEFAULT_SERVICE_LEVEL,
    periods: list[CalendarPeriod] | None = None,
    low_stock_threshold: int | None = None,
    awaiting_release: bool = False,
) -> ReorderResult:
    """Apply the formula of the module docstring. History is the ``history_days`` before today."""
    periods = periods or []
    mean, sigma = baseline_demand(
        daily_sales=daily_sales,
        history_start=today - timedelta(days=history_days),
        history_days=history_days,
        periods=periods,
    )
    z = z_for_service_level(service_level)
    lead = lead_time_days
    cycle = lead_time_days + review_period_days
    factor_lead = calendar_factor_mean(start=today, days=lead, periods=periods)
    factor_cycle = calendar_factor_mean(start=today, days=cycle, periods=periods)

    safety_stock = z * sigma * factor_lead * math.sqrt(lead)
    reorder_point = reorder_point_with_floor(
        reorder_point=mean * factor_lead * lead + safety_stock,
        low_stock_threshold=low_stock_threshold,
    )
    # At least one unit past the reorder point, so a delivery clears the low-stock alert.
    order_up_to = max(
        mean * factor_cycle * cycle + z * sigma * factor_cycle * math.sqrt(cycle),
        math.floor(reorder_point) + 1,
    )

    if stock_is_low(
        inventory_position=inventory_position,
        reorder_point=reorder_point,
        awaiting_release=awaiting_release,
    ):
        suggested = round_up_to_pack(quantity=order_up_to - inventory_position, pack_size=pack_size)
    else:
        suggested = 0
    return ReorderResult(
        average_daily_demand=mean,
        demand_std_dev=sigma,
        calendar_factor_lead=factor_lead,
        calendar_factor_cycle=factor_cycle,
        safety_stock=safety_stock,
        reorder_point=reorder_point,
        order_up_to=order_up_to,
        inventory_position=inventory_position,
        suggested_quantity=suggested,
    )


def to_decimal(value: float, places: str = "0.001") -> Decimal:
    """Store a float result in a DecimalField without binary noise."""
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
