"""Read and validate the purchase-history CSV before anything touches the database.

The whole file is checked first so that a bad line costs nothing: the loader writes only a
history it has fully understood.
"""

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

EXPECTED_COLUMNS = ("member_number", "date", "item")
# Enough to fix a file in one go without drowning the terminal.
MAX_REPORTED_ERRORS = 10


class PurchaseHistoryError(ValueError):
    """The CSV is missing or malformed; the message says where and what was expected."""


@dataclass
class Basket:
    """One member's purchases on one date: it becomes one order."""

    member_number: int
    date: dt.date
    # item -> quantity; an item listed twice in the same basket is quantity 2 on one line.
    quantities: Counter = field(default_factory=Counter)


@dataclass
class PurchaseHistory:
    baskets: list[Basket]
    # item -> units sold over the whole history (for picking best sellers).
    units_sold: Counter
    row_count: int

    @property
    def member_numbers(self) -> list[int]:
        return sorted({basket.member_number for basket in self.baskets})

    @property
    def items(self) -> list[str]:
        return sorted(self.units_sold)

    @property
    def first_day(self) -> dt.date:
        return self.baskets[0].date  # baskets are sorted by date

    @property
    def last_day(self) -> dt.date:
        return self.baskets[-1].date

    def moved(self, *, by: dt.timedelta) -> "PurchaseHistory":
        """The same purchases, each basket ``by`` later (see shop.demo.dates)."""
        if not by:
            return self
        return PurchaseHistory(
            baskets=[
                Basket(member_number=b.member_number, date=b.date + by, quantities=b.quantities)
                for b in self.baskets
            ],
            units_sold=self.units_sold,
            row_count=self.row_count,
        )

    def best_sellers(self, *, limit: int) -> list[str]:
        # Ties broken by name so the featured list is the same on every run.
        ranked = sorted(self.units_sold.items(), key=lambda pair: (-pair[1], pair[0]))
        return [item for item, _units in ranked[:limit]]


def _missing_file_message(csv_path: Path) -> str:
    return _(
        "Purchase history CSV not found at %(path)s. load_demo expects a CSV with the header "
        "'member_number,date,item' (one line per item bought, dates as YYYY-MM-DD); the bundled "
        "copy is shop/demo/data/purchases.csv, described in shop/demo/data/README.md. Pass "
        "another file with --csv PATH or set DEMO_CSV_PATH."
    ) % {"path": csv_path}


def _row_parse(
    *, line_number: int, row: dict, dates: dict[str, dt.date]
) -> tuple[int, dt.date, str] | str:
    """The row's (member number, date, item), or the error message for its line.

    ``dates`` caches parsed dates: the file has a few hundred distinct ones over ~40,000 rows.
    """
    if None in row or any(value is None for value in row.values()):
        return _("line %(line)d: expected 3 columns (member_number,date,item)") % {
            "line": line_number
        }
    member_text = row["member_number"].strip()
    date_text = row["date"].strip()
    item = row["item"].strip()
    if not member_text.isdigit() or int(member_text) <= 0:
        return _("line %(line)d: member_number %(value)r is not a positive whole number") % {
            "line": line_number,
            "value": member_text,
        }
    date = dates.get(date_text)
    if date is None:
        try:
            date = dates[date_text] = dt.date.fromisoformat(date_text)
        except ValueError:
            return _("line %(line)d: date %(value)r is not a date in the form YYYY-MM-DD") % {
                "line": line_number,
                "value": date_text,
            }
    if not item:
        return _("line %(line)d: item is empty") % {"line": line_number}
    return int(member_text), date, item


def purchase_history_read(*, csv_path: Path) -> PurchaseHistory:
    """Parse the whole CSV into baskets, or raise PurchaseHistoryError listing the bad lines."""
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise PurchaseHistoryError(_missing_file_message(csv_path))

    baskets: dict[tuple[int, dt.date], Basket] = {}
    units_sold: Counter = Counter()
    errors: list[str] = []
    row_count = 0
    with csv_path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = tuple(name.strip() for name in (reader.fieldnames or ()))
        if header != EXPECTED_COLUMNS:
            raise PurchaseHistoryError(
                _("%(path)s line 1: expected the header 'member_number,date,item', found %(found)r")
                % {"path": csv_path, "found": ",".join(header)}
            )
        dates: dict[str, dt.date] = {}
        for row in reader:
            row_count += 1
            # Physical line in the file (header = 1), as an editor shows it.
            parsed = _row_parse(line_number=reader.line_num, row=row, dates=dates)
            if isinstance(parsed, str):
                errors.append(parsed)
                if len(errors) >= MAX_REPORTED_ERRORS:
                    break
                continue
            if errors:
                continue  # keep scanning for more errors, but build nothing
            member_number, date, item = parsed
            basket = baskets.get((member_number, date))
            if basket is None:
                basket = baskets[member_number, date] = Basket(
                    member_number=member_number, date=date
                )
            basket.quantities[item] += 1
            units_sold[item] += 1

    if errors:
        raise PurchaseHistoryError(
            _("%(path)s is malformed, nothing was loaded:\n%(errors)s")
            % {"path": csv_path, "errors": "\n".join(errors)}
        )
    if not baskets:
        raise PurchaseHistoryError(_("%(path)s has no purchases") % {"path": csv_path})
    ordered = sorted(baskets.values(), key=lambda basket: (basket.date, basket.member_number))
    return PurchaseHistory(baskets=ordered, units_sold=units_sold, row_count=row_count)
