"""The points economy's formulas, on hand-made numbers (no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from loyalty import economy

ONE = Decimal("1")


def earned(goods_paid, *, line_amounts=(), rate="1", minimum="0", campaign=ONE, kind=ONE, tier=ONE):
    return economy.points_earned(
        goods_paid=Decimal(goods_paid),
        line_amounts=list(line_amounts),
        points_per_cny=Decimal(rate),
        minimum_order_value=Decimal(minimum),
        campaign_multiplier=campaign,
        member_type_multiplier=kind,
        tier_multiplier=tier,
    )


# --------------------------------------------------------------------------- earning


def test_earning_is_the_rate_on_what_was_paid_rounded_down():
    assert earned("99.99") == 99
    assert earned("10.00", rate="1.5") == 15
    assert earned("0.99") == 0


def test_nothing_is_earned_below_the_minimum_or_on_nothing_paid():
    assert earned("49.99", minimum="50") == 0
    assert earned("50.00", minimum="50") == 50
    assert earned("0") == 0
    assert earned("-5") == 0


def test_line_multipliers_are_weighted_by_line_price():
    # 30 at x2 and 10 at x0: (30·2 + 10·0) / 40 = 1.5 on the 40 paid.
    lines = [(Decimal("30"), Decimal("2")), (Decimal("10"), Decimal("0"))]
    assert earned("40", line_amounts=lines) == 60
    # A discount lowers the base, not which goods weigh more.
    assert earned("20", line_amounts=lines) == 30


def test_lines_worth_nothing_weigh_as_one():
    assert earned("10", line_amounts=[(Decimal("0"), Decimal("3"))]) == 10


def test_campaign_type_and_tier_multipliers_multiply():
    assert earned("10", campaign=Decimal("2"), kind=Decimal("1.5"), tier=Decimal("1.1")) == 33


def test_points_are_pending_for_whole_days():
    paid = dt.datetime(2026, 3, 1, 18, 30, tzinfo=dt.UTC)
    assert economy.points_available_at(earned_at=paid, pending_days=14) == dt.datetime(
        2026, 3, 15, 18, 30, tzinfo=dt.UTC
    )
    assert economy.points_available_at(earned_at=paid, pending_days=0) == paid


@pytest.mark.parametrize(
    ("earned_at", "months", "expires_at"),
    [
        (dt.datetime(2026, 3, 15, 9, 0), 12, dt.datetime(2027, 3, 15, 9, 0)),
        # The month's last day when the target month is shorter.
        (dt.datetime(2026, 1, 31, 9, 0), 1, dt.datetime(2026, 2, 28, 9, 0)),
        (dt.datetime(2027, 12, 31, 9, 0), 2, dt.datetime(2028, 2, 29, 9, 0)),
        (dt.datetime(2028, 2, 29, 9, 0), 12, dt.datetime(2029, 2, 28, 9, 0)),
        # Across the year end.
        (dt.datetime(2026, 11, 30, 9, 0), 3, dt.datetime(2027, 2, 28, 9, 0)),
    ],
)
def test_points_expire_after_calendar_months(earned_at, months, expires_at):
    assert economy.points_expire_at(earned_at=earned_at, expiry_months=months) == expires_at


def test_expiry_keeps_the_time_zone():
    earned_at = dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC)
    assert economy.points_expire_at(earned_at=earned_at, expiry_months=1).tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("points", "refunded", "paid", "reversed_"),
    [
        (100, "50.00", "100.00", 50),
        (100, "100.00", "100.00", 100),
        (10, "15.00", "100.00", 2),  # 1.5 rounds half up
        (10, "14.00", "100.00", 1),
        (10, "1.00", "0.00", 10),  # nothing paid: all of them
    ],
)
def test_a_refund_takes_back_its_share_of_the_points(points, refunded, paid, reversed_):
    assert (
        economy.points_reversed_for_refund(
            earned=points, refunded=Decimal(refunded), paid=Decimal(paid)
        )
        == reversed_
    )


# --------------------------------------------------------------------------- spending


@pytest.mark.parametrize(
    ("points", "rate", "value"),
    [
        (400, 100, "4.00"),
        (199, 100, "1.99"),
        (1, 100, "0.01"),
        (9, 1000, "0.00"),
        (1, 3, "0.33"),
        (0, 100, "0.00"),
    ],
)
def test_points_are_worth_the_cent_below(points, rate, value):
    assert economy.points_money_value(points=points, points_per_cny=rate) == Decimal(value)


@pytest.mark.parametrize(
    ("amount", "rate", "cost"),
    [("4.00", 100, 400), ("0.33", 3, 1), ("0.34", 3, 2), ("0.00", 100, 0)],
)
def test_a_discount_costs_the_point_above(amount, rate, cost):
    assert economy.money_points_cost(amount=Decimal(amount), points_per_cny=rate) == cost


def test_money_to_points_and_back_never_gains_the_member_a_cent():
    for points in range(0, 1000, 7):
        value = economy.points_money_value(points=points, points_per_cny=3)
        assert economy.money_points_cost(amount=value, points_per_cny=3) <= points


@pytest.mark.parametrize(
    ("total", "share", "rate", "maximum"),
    [
        ("20.00", "50", 100, 1000),
        ("19.99", "50", 100, 999),  # 9.995 CNY: the point below
        ("100.00", "0", 100, 0),
        ("0.00", "50", 100, 0),
        ("10.00", "100", 100, 1000),
    ],
)
def test_the_redeemable_maximum_is_a_share_of_the_order(total, share, rate, maximum):
    assert (
        economy.points_redeemable_maximum(
            order_total=Decimal(total), maximum_share_percent=Decimal(share), points_per_cny=rate
        )
        == maximum
    )


# --------------------------------------------------------------------------- cards


def test_luhn_check_digit_matches_the_reference_number():
    # The textbook example: 7992739871 has check digit 3.
    assert economy.luhn_check_digit(digits="7992739871") == "3"
    assert economy.luhn_is_valid(number="79927398713")
    assert not economy.luhn_is_valid(number="79927398710")
    assert not economy.luhn_is_valid(number="7992739871a")
    assert not economy.luhn_is_valid(number="0")


def test_card_number_for_serial_is_sixteen_digits_and_valid():
    number = economy.card_number_for_serial(serial=42)
    assert number == "8860000000000420"[:15] + number[-1]
    assert len(number) == 16 and economy.card_number_is_valid(number=number)
    assert economy.card_number_for_serial(serial=0).startswith("88600000000000")
    assert economy.card_number_is_valid(number=economy.card_number_for_serial(serial=10**11 - 1))


@pytest.mark.parametrize("serial", [-1, 10**11])
def test_card_serials_out_of_range_are_refused(serial):
    with pytest.raises(ValidationError):
        economy.card_number_for_serial(serial=serial)


def test_one_mistyped_digit_makes_a_card_number_invalid():
    number = economy.card_number_for_serial(serial=12345)
    for position in range(16):
        digit = str((int(number[position]) + 1) % 10)
        assert not economy.card_number_is_valid(
            number=number[:position] + digit + number[position + 1 :]
        )


def test_card_numbers_are_compared_on_their_digits():
    assert economy.card_number_normalize(number=" 8860-0000 0001 3799 ") == "8860000000013799"
    assert economy.card_number_normalize(number="") == ""
    assert economy.card_number_normalize(number=None) == ""
    assert not economy.card_number_is_valid(number="886000000001379")  # 15 digits


@pytest.mark.parametrize(
    ("day", "years", "later"),
    [
        (dt.date(2026, 3, 1), 4, dt.date(2030, 3, 1)),
        (dt.date(2028, 2, 29), 1, dt.date(2029, 2, 28)),
        (dt.date(2028, 2, 29), 4, dt.date(2032, 2, 29)),
        (dt.date(2028, 2, 29), -1, dt.date(2027, 2, 28)),
        (dt.date(2030, 3, 1), -4, dt.date(2026, 3, 1)),
    ],
)
def test_cards_are_valid_for_whole_years(day, years, later):
    assert economy.years_later(day=day, years=years) == later
