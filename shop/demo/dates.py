"""Where the demo's purchase history lies on the calendar, and the moment the demo lives in.

The bundled history is real purchases from years ago. On its own dates every demo card would
have expired, every point lapsed, every tier dropped and every report opened on an empty
window. So load_demo moves the whole history forward by whole weeks (a Monday stays a Monday:
weekday patterns survive) until its last day is the latest same weekday before today, i.e.
yesterday or at most six days earlier, and every app's demo computes what derives from it as
of now. ``load_demo --keep-dates`` loads the file's own dates instead, and the demo then lives
on the day after its history ends.

The move is decided once per database (``services.demo_dates_ensure`` keeps it in
``HistoryShift``) and handed to every step as one ``DemoDates``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class DemoDates:
    weeks: int
    # The history's first and last day after the move.
    first_day: dt.date
    last_day: dt.date
    # The moment everything derived (cards, points, tiers, segments, reorder...) is as of.
    now: dt.datetime

    @property
    def shift(self) -> dt.timedelta:
        return dt.timedelta(weeks=self.weeks)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    @property
    def original_first_day(self) -> dt.date:
        return self.first_day - self.shift

    @property
    def original_last_day(self) -> dt.date:
        return self.last_day - self.shift


def history_shift_weeks(*, last_day: dt.date, today: dt.date) -> int:
    """Whole weeks that bring ``last_day`` to the latest same weekday before ``today``.

    Negative for a history that ends today or later (a day not over yet has no full history).
    """
    return (today - dt.timedelta(days=1) - last_day).days // 7


def demo_dates_build(
    *, original_first_day: dt.date, original_last_day: dt.date, weeks: int, now: dt.datetime
) -> DemoDates:
    """The demo's dates for a history moved by ``weeks``, living at ``now``."""
    shift = dt.timedelta(weeks=weeks)
    return DemoDates(
        weeks=weeks,
        first_day=original_first_day + shift,
        last_day=original_last_day + shift,
        now=now,
    )
