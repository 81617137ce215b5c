"""Reads of the delivery promises: the settings row, the rounds still open, the pick-up time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext

from shop.apps.shipping import models as shipping_models
from shop.apps.shipping.codes import PICK_UP_CODE, shipping_method_needs_address
from shop.cache import cache_forget

# How many upcoming rounds the checkout offers (about three days of two rounds).
ROUNDS_OFFERED = 6
# Rounds are looked for this many days ahead (a week covers any set of weekdays).
ROUNDS_HORIZON_DAYS = 8
# Pick-up times are promised on the quarter hour.
PICKUP_STEP_MINUTES = 15
# The basket page shows the default (pick-up) method on every request: the row is cached
# until marketing saves it (receivers.py forgets it).
DELIVERY_SETTINGS_CACHE_KEY = "shipping:delivery-settings"
DELIVERY_SETTINGS_CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class DeliveryRound:
    """One delivery round on one day, in the store's time zone."""

    starts: datetime.datetime
    ends: datetime.datetime
    order_by: datetime.datetime

    @property
    def code(self) -> str:
        return self.starts.strftime("%Y%m%d-%H%M")


def delivery_settings_get(*, request=None) -> shipping_models.DeliverySettings:
    """The one settings row, read from the cache (and kept on the request when there is one)."""
    cached = getattr(request, "_delivery_settings", None)
    if cached is not None:
        return cached
    values = cache.get(DELIVERY_SETTINGS_CACHE_KEY)
    if values is None:
        row = shipping_models.DeliverySettings.load()
        # Plain field values (the rounds as their JSON), not the model object.
        values = {
            field.attname: field.get_prep_value(field.value_from_object(row))
            for field in shipping_models.DeliverySettings._meta.concrete_fields
        }
        cache.set(DELIVERY_SETTINGS_CACHE_KEY, values, DELIVERY_SETTINGS_CACHE_SECONDS)
    settings = shipping_models.DeliverySettings(**values)
    if request is not None:
        request._delivery_settings = settings
    return settings


def pickup_place_get(*, settings: shipping_models.DeliverySettings) -> str:
    """Where to collect, in the active language: what marketing wrote for it, else the
    English text they wrote, else the store's own wording translated."""
    if translation.get_language() == "zh-hans" and settings.pickup_place_zh_hans:
        return settings.pickup_place_zh_hans
    return settings.pickup_place or gettext("the service desk by the main entrance")


def delivery_settings_forget() -> None:
    cache_forget(key=DELIVERY_SETTINGS_CACHE_KEY)


def _local_now(now: datetime.datetime | None) -> datetime.datetime:
    return timezone.localtime(now or timezone.now())


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def delivery_rounds_open(
    *, settings: shipping_models.DeliverySettings, now: datetime.datetime | None = None
) -> list[DeliveryRound]:
    """The next rounds an order placed ``now`` can still go out with, soonest first."""
    now = _local_now(now)
    found = []
    for offset in range(ROUNDS_HORIZON_DAYS):
        day = now.date() + datetime.timedelta(days=offset)
        for block in settings.rounds:
            value = block.value
            if str(day.isoweekday()) not in value["days"]:
                continue
            delivery_round = DeliveryRound(
                starts=_at(day, value["starts_at"]),
                ends=_at(day, value["ends_at"]),
                order_by=_at(day, value["order_by"]),
            )
            if now < delivery_round.order_by:
                found.append(delivery_round)
    found.sort(key=lambda delivery_round: delivery_round.starts)
    return found[:ROUNDS_OFFERED]


def release_day_start(*, release_date: datetime.date) -> datetime.datetime | None:
    """The moment a pre-order's promises are counted from: the start of its release day, or
    None (now) once that day has come."""
    start = _at(release_date, datetime.time.min)
    return start if start > timezone.now() else None


def pickup_ready_at(
    *, settings: shipping_models.DeliverySettings, now: datetime.datetime | None = None
) -> datetime.datetime:
    """When an order placed ``now`` waits at the service desk: after the preparation time,
    on the quarter hour, within the desk's hours (else when it next opens)."""
    now = _local_now(now)
    ready = now + datetime.timedelta(minutes=settings.pickup_preparation_minutes)
    ready = ready.replace(second=0, microsecond=0)
    if ready.minute % PICKUP_STEP_MINUTES or now.second or now.microsecond:
        ready += datetime.timedelta(
            minutes=PICKUP_STEP_MINUTES - ready.minute % PICKUP_STEP_MINUTES
        )
    ready = timezone.localtime(ready)
    opens = _at(ready.date(), settings.pickup_opens_at)
    closes = _at(ready.date(), settings.pickup_closes_at)
    if ready < opens:
        return opens
    if ready > closes:
        return _at(ready.date() + datetime.timedelta(days=1), settings.pickup_opens_at)
    return ready


@dataclass(frozen=True)
class OrderHandover:
    """How an order reaches its customer, as its pages and emails say it.

    ``method`` is the name Oscar wrote on the order at checkout, which already says when
    ("Pick up in store, ready from …", "Campus delivery, … 18:00–20:00"); ``where`` is the
    desk to collect at, or the building and room to deliver to.
    """

    is_pick_up: bool
    method: str
    where: str
    phone_number: str = ""
    notes: str = ""


def order_handover_get(*, order) -> OrderHandover | None:
    """Pick-up place or delivery building and room of an order; None for an order the
    store's methods did not ship (nothing to hand over, e.g. a till sale)."""
    if order.shipping_code == PICK_UP_CODE:
        return OrderHandover(
            is_pick_up=True,
            method=order.shipping_method,
            where=pickup_place_get(settings=delivery_settings_get()),
        )
    address = order.shipping_address
    if not shipping_method_needs_address(code=order.shipping_code) or address is None:
        return None
    return OrderHandover(
        is_pick_up=False,
        method=order.shipping_method,
        where=", ".join(part for part in (address.line1, address.line2) if part),
        phone_number=str(address.phone_number or ""),
        notes=address.notes or "",
    )
