"""The points economy as plain functions of numbers and dates (no database).

The rules the services apply, with the figures of ``EarningRules`` (marketing edits them in
/cms/) and of the member's card type and tier:

1. **Earning.** A paid order earns on what the member paid for the goods ``G`` (after every
   discount, shipping excluded), nothing below the minimum order value::

       points = ⌊G · rate · m_line · m_campaign · m_type · m_tier⌋        (0 when G < minimum)

   ``rate`` is the points per CNY; ``m_line`` is the line multipliers (a product's own, else
   its category's) weighted by line price, so a discount spread over the order does not
   change which goods earn more; the others are the best running earning campaign's, the
   card type's and the tier's multiplier. Rounded down: a member earns whole points only.

2. **Pending and expiry.** Earned points can be spent ``pending_days`` days after the order
   was paid (time for a return), and expire ``expiry_months`` calendar months after it (the
   same day of the month, or the month's last day when it has fewer days: 31 January + 1
   month is 28 or 29 February). Points given back (a released redemption, a staff
   adjustment) expire ``expiry_months`` after they were given back.

3. **A refund takes back** the share of the order's points that the refund is of what was
   paid, to the nearest point: ``round(points · refunded / paid)``, never more than the order
   earned in all its refunds together.

4. **Points and money.** ``points_per_cny_redeemed`` points are worth 1 CNY of discount. Both
   ways round against the member by at most a cent or a point, never in their favour: points
   are worth the cent below, ``⌊100 · points / rate⌋ / 100``, and a discount costs the point
   above, ``⌈amount · rate⌉``. Every screen that shows or spends points (checkout, the
   member's pages, CRM's profile and liability report) converts through these two, so a
   member never sees one value on one screen and another elsewhere.

5. **Redeemable maximum.** An order may be paid with points for at most
   ``maximum_order_share_percent`` of its goods value: ``⌊goods · share / 100 · rate⌋``
   points, rounded down.

6. **Card numbers** are 16 digits: the prefix ``8860``, an 11-digit serial and a Luhn check
   digit, which catches one mistyped digit and most swapped neighbours when a cashier types
   a number by hand. People type numbers with spaces or dashes: only the digits count.
   A card is valid for whole years from its issue; a card issued on 29 February expires on
   28 February.
"""

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import CENT

CARD_NUMBER_PREFIX = "8860"
CARD_NUMBER_LENGTH = 16
CARD_SERIAL_DIGITS = CARD_NUMBER_LENGTH - len(CARD_NUMBER_PREFIX) - 1


# --------------------------------------------------------------------------- earning


def points_earned(
    *,
    goods_paid: Decimal,
    line_amounts: list[tuple[Decimal, Decimal]],
    points_per_cny: Decimal,
    minimum_order_value: Decimal,
    campaign_multiplier: Decimal,
    member_type_multiplier: Decimal,
    tier_multiplier: Decimal,
) -> int:
    """The points for ``goods_paid`` (rule 1); ``line_amounts`` are (line price, multiplier).

    Line prices only weight the product and category multipliers: the base is what was
    actually paid, so offers and discounts on the order earn nothing.
    """
    if goods_paid <= 0 or goods_paid < minimum_order_value:
        return 0
    weights = sum((amount for amount, _multiplier in line_amounts), Decimal("0"))
    if weights > 0:
        weighted = sum((amount * multiplier for amount, multiplier in line_amounts), Decimal("0"))
        line_multiplier = weighted / weights
    else:
        line_multiplier = Decimal("1")
    points = (
        goods_paid
        * points_per_cny
        * line_multiplier
        * campaign_multiplier
        * member_type_multiplier
        * tier_multiplier
    )
    return int(points.to_integral_value(rounding=ROUND_DOWN))


def points_available_at(*, earned_at: dt.datetime, pending_days: int) -> dt.datetime:
    """When points earned at ``earned_at`` can be spent (rule 2)."""
    return earned_at + dt.timedelta(days=pending_days)


def points_expire_at(*, earned_at: dt.datetime, expiry_months: int) -> dt.datetime:
    """When points earned (or given back) at ``earned_at`` expire (rule 2)."""
    return earned_at + relativedelta(months=expiry_months)


def points_reversed_for_refund(*, earned: int, refunded: Decimal, paid: Decimal) -> int:
    """The points a refund of ``refunded`` out of ``paid`` takes back of ``earned`` (rule 3);
    all of them when nothing was paid."""
    if paid <= 0:
        return earned
    return int((Decimal(earned) * refunded / paid).to_integral_value(ROUND_HALF_UP))


# --------------------------------------------------------------------------- spending


def points_money_value(*, points: int, points_per_cny: int) -> Decimal:
    """What ``points`` are worth in CNY at ``points_per_cny`` points a yuan, to the cent below."""
    return (Decimal(points) / Decimal(points_per_cny)).quantize(CENT, rounding=ROUND_DOWN)


def money_points_cost(*, amount: Decimal, points_per_cny: int) -> int:
    """The fewest whole points that buy ``amount`` CNY at ``points_per_cny`` points a yuan."""
    return int((Decimal(amount) * points_per_cny).to_integral_value(rounding=ROUND_UP))


def points_redeemable_maximum(
    *, order_total: Decimal, maximum_share_percent: Decimal, points_per_cny: int
) -> int:
    """The most points an order of ``order_total`` may take (rule 5)."""
    share = order_total * maximum_share_percent / 100
    return int((share * points_per_cny).to_integral_value(rounding=ROUND_DOWN))


# --------------------------------------------------------------------------- cards


def luhn_check_digit(*, digits: str) -> str:
    """The Luhn digit that makes ``digits + check`` valid (rule 6)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_is_valid(*, number: str) -> bool:
    return (
        len(number) > 1 and number.isdigit() and luhn_check_digit(digits=number[:-1]) == number[-1]
    )


def card_number_normalize(*, number: str) -> str:
    """Only the digits of a typed card number (rule 6)."""
    return "".join(ch for ch in (number or "") if ch.isdigit())


def card_number_is_valid(*, number: str) -> bool:
    """A whole card number: 16 digits with the right check digit."""
    return len(number) == CARD_NUMBER_LENGTH and luhn_is_valid(number=number)


def card_number_for_serial(*, serial: int) -> str:
    """The card number of ``serial`` (0 to 10^11 - 1): prefix, zero-padded serial, check digit."""
    if not 0 <= serial < 10**CARD_SERIAL_DIGITS:
        raise ValidationError(_("Card serial out of range."), code="card_serial_out_of_range")
    body = f"{CARD_NUMBER_PREFIX}{serial:0{CARD_SERIAL_DIGITS}d}"
    return body + luhn_check_digit(digits=body)


def years_later(*, day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole ``years`` (back when negative); 29 February becomes 28 February
    in a year without one (rule 6)."""
    return day + relativedelta(years=years)
