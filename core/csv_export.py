"""The one way every report and export of the store is written as CSV.

Staff open these files in a spreadsheet, and several cells hold text people typed (names,
emails, addresses, product titles): a cell that begins with ``=``, ``+``, ``-`` or ``@`` would
run as a formula there, so text cells are guarded with a leading apostrophe. Numbers stay
numbers (a payment of -310.00 is written as such), and money — Decimals — is written with two
decimal places, as the store's money is.
"""

import csv
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse

from core.money import CENT

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_safe(value: str) -> str:
    """Text a spreadsheet would run as a formula, made plain text."""
    return "'" + value if value[:1] in CSV_FORMULA_PREFIXES else value


def csv_cell(value) -> str | int | float:
    """One cell: Decimals with two places, other numbers as they are, text guarded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return str(value.quantize(CENT, rounding=ROUND_HALF_UP))
    if isinstance(value, int | float):
        return value
    return csv_cell_safe(str(value))


def csv_response(*, filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV download: the header row, then every row, each cell through :func:`csv_cell`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(str(label)) for label in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response
