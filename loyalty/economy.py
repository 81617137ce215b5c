"""The pure formulas of the points economy: how points and money convert, one rule each way.

Every app that shows or spends points (checkout, the member's pages, CRM's profile
and liability report) converts through these, so a member never sees one value on one screen
and another elsewhere. Both round against the member by at most a cent or a point, never in
their favour: points are worth the cent below, and a discount costs the point above.
"""

from decimal import ROUND_DOWN, ROUND_UP, Decimal

CENT = Decimal("0.01")


def points_money_value(*, points: int, points_per_cny: int) -> Decimal:
    """What ``points`` are worth in CNY at ``points_per_cny`` points a yuan, to the cent below."""
    return (Decimal(points) / Decimal(points_per_cny)).quantize(CENT, rounding=ROUND_DOWN)


def money_points_cost(*, amount: Decimal, points_per_cny: int) -> int:
    """The fewest whole points that buy ``amount`` CNY at ``points_per_cny`` points a yuan."""
    return int((Decimal(amount) * points_per_cny).to_integral_value(rounding=ROUND_UP))
