"""The store's two ways to get an order, as Oscar shipping methods.

Their numbers come from ``DeliverySettings`` through ``repository.Repository``; the method
objects only carry them. The name is what Oscar writes on the order (``Order.shipping_method``),
so it says when: the round of a delivery, the time a pick-up is ready.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, pgettext
from oscar.apps.shipping.methods import FixedPrice, Free
from oscar.core import prices

from loyalty.offers import basket_goods_value_before_points
from shop.apps.shipping.codes import CAMPUS_DELIVERY_CODE_PREFIX, PICK_UP_CODE
from shop.apps.shipping.selectors import DeliveryRound


def shipping_method_unwrap(method):
    """The store's method inside Oscar's shipping-offer wrapper (a free-delivery voucher)."""
    return getattr(method, "method", method)


def moment_label(moment: datetime.datetime) -> str:
    """A day and time as promises say it: "Fri 4 Dec 18:00"."""
    moment = timezone.localtime(moment)
    return pgettext("delivery day and time", "%(day)s %(time)s") % {
        "day": date_format(moment, "WEEKDAY_DATE_FORMAT"),
        "time": time_format(moment, "TIME_FORMAT"),
    }


class PickUpInStore(Free):
    """Free: the shopper collects the bag at the service desk once it is ready."""

    code = PICK_UP_CODE

    def __init__(self, *, ready_at: datetime.datetime, place: str):
        self.ready_at = ready_at
        self.place = place

    @property
    def name(self) -> str:
        return gettext("Pick up in store, ready from %(when)s") % {
            "when": moment_label(self.ready_at)
        }

    @property
    def description(self) -> str:
        return gettext("Free. Collect it at %(place)s.") % {"place": self.place}


class CampusDelivery(FixedPrice):
    """Brought to a building and room on campus in one delivery round.

    A fixed fee, free when the goods reach the threshold. The threshold is measured before
    points are spent, so paying with points never adds a delivery fee.
    """

    def __init__(self, *, fee: Decimal, free_from: Decimal, delivery_round: DeliveryRound):
        super().__init__(charge_excl_tax=fee, charge_incl_tax=fee)
        self.fee = fee
        self.free_from = free_from
        self.delivery_round = delivery_round

    @property
    def code(self) -> str:
        return f"{CAMPUS_DELIVERY_CODE_PREFIX}{self.delivery_round.code}"

    @property
    def name(self) -> str:
        return gettext("Campus delivery, %(when)s–%(end)s") % {
            "when": moment_label(self.delivery_round.starts),
            "end": time_format(timezone.localtime(self.delivery_round.ends), "TIME_FORMAT"),
        }

    def calculate(self, basket):
        if basket_goods_value_before_points(basket=basket) >= self.free_from:
            return prices.Price(
                currency=basket.currency, excl_tax=Decimal("0.00"), tax=Decimal("0.00")
            )
        return super().calculate(basket)


def delivery_round_label(
    *, delivery_round: DeliveryRound, now: datetime.datetime | None = None
) -> str:
    """How the checkout offers a round: "Today, 18:00–20:00 (order by 15:00)"."""
    today = timezone.localtime(now or timezone.now()).date()
    starts = timezone.localtime(delivery_round.starts)
    days_ahead = (starts.date() - today).days
    if days_ahead == 0:
        day = gettext("Today")
    elif days_ahead == 1:
        day = gettext("Tomorrow")
    else:
        day = date_format(starts, "WEEKDAY_DATE_FORMAT")
    return gettext("%(day)s, %(start)s–%(end)s (order by %(order_by)s)") % {
        "day": day,
        "start": time_format(starts, "TIME_FORMAT"),
        "end": time_format(timezone.localtime(delivery_round.ends), "TIME_FORMAT"),
        "order_by": time_format(timezone.localtime(delivery_round.order_by), "TIME_FORMAT"),
    }
