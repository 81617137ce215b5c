"""The store's money is held in cents: amounts are rounded to two decimal places.

Rounding is Python's default for ``Decimal.quantize`` (half to even). Database sums go through
:func:`money_round` before they are shown or compared: SQLite sums decimal columns as floats and
drops trailing zeros, and a report shows cents whatever the database returned.
"""

from decimal import Decimal

CENT = Decimal("0.01")


def money_round(value) -> Decimal:
    """``value`` (a Decimal, int, float or numeric string; None or empty is nothing) in cents."""
    return Decimal(value or 0).quantize(CENT)
