"""Writes of the catalogue app: product views counted for Oscar's analytics.

Oscar's analytics receiver adds one to the product's ``ProductRecord.num_views`` row on every
product page view: an UPDATE inside the request's transaction, holding that row's lock until
the page is rendered, shared by every shopper opening a popular product at the same time.
The counts are read by Oscar's dashboard reports ("Product analytics"), which the store
operator uses, so they are kept, but counted in the cache (one ``incr`` per view) and added to
the rows by ``product_views_flush`` every few minutes (``catalogue.product_views_flush`` in
``CELERY_BEAT_SCHEDULE``). The report lags by at most two periods.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")

PRODUCT_VIEWS_PERIOD_SECONDS = 300
# Counters of a period nobody flushed (no worker for an hour) are dropped with their keys.
PRODUCT_VIEWS_PERIODS_KEPT = 12
PRODUCT_VIEWS_FLUSHED_KEY = "catalogue:product-views:flushed"


def _period(now: float) -> int:
    return int(now // PRODUCT_VIEWS_PERIOD_SECONDS)


def _counter_key(*, period: int, product_id: int) -> str:
    return f"catalogue:product-views:{period}:{product_id}"


def product_view_record(*, product_id: int, now: float | None = None) -> None:
    """Count one view of the product in the current period: one round trip once it exists."""
    key = _counter_key(period=_period(time.time() if now is None else now), product_id=product_id)
    timeout = PRODUCT_VIEWS_PERIOD_SECONDS * PRODUCT_VIEWS_PERIODS_KEPT
    try:
        cache.incr(key)
    except ValueError:
        if not cache.add(key, 1, timeout=timeout):
            cache.incr(key)


def product_views_flush(*, now: float | None = None) -> int:
    """Add the counted views of every closed period to ``ProductRecord``; returns the views.

    A period is flushed once the one after it has closed too (a request that began before its
    end may count into it a little after). Each period is claimed with ``cache.add`` before
    its counters are read, so a second run (a retried task, two beat schedulers) finds
    nothing left to do.
    """
    last_closed = _period(time.time() if now is None else now) - 2
    timeout = PRODUCT_VIEWS_PERIOD_SECONDS * PRODUCT_VIEWS_PERIODS_KEPT
    flushed_up_to = cache.get(PRODUCT_VIEWS_FLUSHED_KEY)
    first = last_closed - PRODUCT_VIEWS_PERIODS_KEPT + 1
    if flushed_up_to is not None:
        first = max(first, flushed_up_to + 1)
    product_ids = list(Product.objects.values_list("pk", flat=True))
    total = 0
    for period in range(first, last_closed + 1):
        if not cache.add(f"{PRODUCT_VIEWS_FLUSHED_KEY}:{period}", 1, timeout=timeout):
            continue
        keys = {
            _counter_key(period=period, product_id=product_id): product_id
            for product_id in product_ids
        }
        counts = cache.get_many(list(keys))
        with transaction.atomic():
            for key, views in counts.items():
                _product_record_add_views(product_id=keys[key], views=int(views))
        cache.delete_many(list(counts))
        total += sum(int(views) for views in counts.values())
    cache.set(PRODUCT_VIEWS_FLUSHED_KEY, last_closed, timeout=None)
    return total


def _product_record_add_views(*, product_id: int, views: int) -> None:
    updated = ProductRecord.objects.filter(product_id=product_id).update(
        num_views=F("num_views") + views
    )
    if not updated:
        try:
            with transaction.atomic():
                ProductRecord.objects.create(product_id=product_id, num_views=views)
        except IntegrityError:
            ProductRecord.objects.filter(product_id=product_id).update(
                num_views=F("num_views") + views
            )
