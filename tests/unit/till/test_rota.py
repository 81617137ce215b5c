"""The weekly rota: who works which post when; nobody in two places at once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import till as f
from till import selectors, services

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def slot(post, staff, day=MONDAY, start=8, end=12):
    return services.rota_assignment_save(
        post_id=post.pk, staff=staff, day=day, starts_at=dt.time(start), ends_at=dt.time(end)
    )


def test_week_grid_puts_each_slot_under_its_post_and_day():
    till1, deli = f.rota_post("Till 1", 0), f.rota_post("Deli", 1)
    anna, ben = f.cashier(username="anna"), f.cashier(username="ben")
    a = slot(till1, anna)
    b = slot(deli, ben, day=MONDAY + dt.timedelta(days=2), start=14, end=18)

    week = selectors.rota_week(monday=selectors.week_monday(day=MONDAY + dt.timedelta(days=3)))

    assert week.monday == MONDAY and len(week.days) == 7
    grid = {post.name: days for post, days in week.rows}
    assert grid["Till 1"][0] == [a] and grid["Deli"][2] == [b]
    assert selectors.rota_week(monday=MONDAY, staff=anna).rows[1][1] == [[] for _ in range(7)]


def test_overlapping_slots_for_one_person_are_refused():
    anna = f.cashier(username="anna")
    slot(f.rota_post("Till 1"), anna, start=8, end=12)
    with pytest.raises(ValidationError, match="already works at Till 1"):
        slot(f.rota_post("Shelves", 2), anna, start=11, end=14)
    # Back to back is fine.
    slot(f.rota_post("Shelves", 2), anna, start=12, end=14)


def test_a_slot_must_end_after_it_starts():
    with pytest.raises(ValidationError):
        slot(f.rota_post(), f.cashier(), start=12, end=8)


def test_copy_week_to_the_next():
    post, anna = f.rota_post(), f.cashier()
    slot(post, anna)
    slot(post, anna, day=MONDAY + dt.timedelta(days=1))

    assert services.rota_week_copy(from_monday=MONDAY, to_monday=MONDAY + dt.timedelta(days=7)) == 2
    # Copying again would clash with itself: nothing is doubled.
    assert services.rota_week_copy(from_monday=MONDAY, to_monday=MONDAY + dt.timedelta(days=7)) == 0
