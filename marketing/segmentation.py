"""The segmentation engine: plain functions from per-customer figures to scores and groups.

No database here: ``services.segmentation_run`` aggregates paid orders in SQL and hands the
figures to these functions, so each definition below can be tested on a hand-made history.

**RFM quintiles.** Customers are ranked on each figure and split into five equal-sized bands
by rank: score 5 is the best fifth (most recent purchase, most orders, most spent), score 1
the worst. Ties share the band of their first position, so two customers with the same figure
always get the same score.

**Value groups** (classic CRM value matrix on recency against value, ``F + M``):

* *most valuable* - R >= 4 and F + M >= 8: bought recently, often and a lot (keep: VIP care);
* *pre-churn* - R <= 2 and F + M >= 7: spent well before but have not bought lately
  (retention care);
* *growth* - R >= 3 and not most valuable: buying now, room to grow (develop: cross-sell);
* *low / negative value* - everyone else: neither recent nor valuable (serve at low cost).

**Lifecycle** (days counted to ``as_of``): *new* - first purchase within ``NEW_DAYS``;
*active* - last purchase within ``ACTIVE_DAYS``; *lapsing* - within ``CHURNED_DAYS``;
*churned* - longer ago. **Dormant** (the reactivation list): no purchase for more than
``DORMANT_DAYS`` but at least ``DORMANT_MIN_ORDERS`` paid orders before, i.e. worth winning back.

**Customer lifetime value** = historical margin + expected margin. Historical margin: revenue
excluding tax less units x cost price (lines without a cost price count at the store's average
margin rate, never as pure profit). Expected: the customer's yearly margin (margin per order x
orders per year over their tenure, tenure at least ``MIN_TENURE_DAYS``) times ``r / (1 + d - r)``,
the present value of a customer retained with probability ``r`` each year at discount rate
``d``; ``r`` is the store's retention (customers of the year before ``as_of`` - 1 year who
bought again in the last year), lowered for lapsing (x0.5) and churned (x0) customers.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.money import CENT

NEW_DAYS = 30
ACTIVE_DAYS = 90
CHURNED_DAYS = 180
DORMANT_DAYS = 120
DORMANT_MIN_ORDERS = 2
MIN_TENURE_DAYS = 365
DISCOUNT_RATE = Decimal("0.10")
RETENTION_FACTOR = {"new": Decimal("1"), "active": Decimal("1"), "lapsing": Decimal("0.5")}


def quintile_scores(values: list, *, higher_is_better: bool = True) -> list[int]:
    """Score 1-5 per value by rank band; ties take the band of their first position."""
    count = len(values)
    keys = list(values) if higher_is_better else [-value for value in values]
    ordered = sorted(keys)
    # bisect_left: the position of the first of equal values, so ties share one band.
    return [1 + (5 * bisect_left(ordered, key)) // count for key in keys]


def value_group(*, recency_score: int, frequency_score: int, monetary_score: int) -> str:
    value = frequency_score + monetary_score
    if recency_score >= 4 and value >= 8:
        return "most_valuable"
    if recency_score <= 2 and value >= 7:
        return "pre_churn"
    if recency_score >= 3:
        return "growth"
    return "low_value"


VALUE_GROUP_REASONS = {
    "most_valuable": "R {r} >= 4 and F + M = {fm} >= 8: recent, frequent, high-spending",
    "pre_churn": "R {r} <= 2 and F + M = {fm} >= 7: spent well before, slipping away",
    "growth": "R {r} >= 3, F + M = {fm}: buying now, room to grow",
    "low_value": "R {r} <= 2 and F + M = {fm} < 7: neither recent nor valuable",
}


def lifecycle_stage(*, first_days: int, recency_days: int) -> str:
    """``first_days``/``recency_days``: days from the first/last purchase to ``as_of``."""
    if first_days <= NEW_DAYS:
        return "new"
    if recency_days <= ACTIVE_DAYS:
        return "active"
    if recency_days <= CHURNED_DAYS:
        return "lapsing"
    return "churned"


def is_dormant(*, recency_days: int, frequency: int) -> bool:
    return recency_days > DORMANT_DAYS and frequency >= DORMANT_MIN_ORDERS


def retention_rate(*, previous_year_buyers: set, last_year_buyers: set) -> Decimal:
    if not previous_year_buyers:
        return Decimal("0")
    kept = len(previous_year_buyers & last_year_buyers)
    return (Decimal(kept) / Decimal(len(previous_year_buyers))).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class LifetimeValue:
    margin_rate: Decimal
    historical: Decimal
    expected: Decimal

    @property
    def total(self) -> Decimal:
        return self.historical + self.expected


def lifetime_value(
    *,
    revenue: Decimal,
    costed_revenue: Decimal,
    cost: Decimal,
    frequency: int,
    tenure_days: int,
    lifecycle: str,
    store_margin_rate: Decimal,
    retention: Decimal,
) -> LifetimeValue:
    """``costed_revenue``/``cost``: revenue and cost of the lines that have a cost price."""
    uncosted = revenue - costed_revenue
    historical = (costed_revenue - cost) + uncosted * store_margin_rate
    margin_rate = (historical / revenue) if revenue else Decimal("0")
    years = Decimal(max(tenure_days, MIN_TENURE_DAYS)) / Decimal(365)
    yearly_margin = historical / years if frequency else Decimal("0")
    r = retention * RETENTION_FACTOR.get(lifecycle, Decimal("0"))
    expected = yearly_margin * r / (1 + DISCOUNT_RATE - r) if r else Decimal("0")
    return LifetimeValue(
        margin_rate=margin_rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        historical=historical.quantize(CENT, rounding=ROUND_HALF_UP),
        expected=max(expected, Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP),
    )


def days_between(earlier: dt.date, later: dt.date) -> int:
    return max((later - earlier).days, 0)
