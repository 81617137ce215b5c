"""Writes of the catalogue app: product views counted for Oscar's analytics.

Oscar's analytics receiver adds one to the product's ``ProductRecord.num_views`` row on every
product page view: an UPDATE inside the request's transaction, holding that row's lock until
the page is rendered, shared by every shopper opening a popular product at the same time.
The counts are read by Oscar's dashboard reports ("Product analytics"), which the store
operator uses, so they are kept, but counted in the cache and added to the rows by
``product_views_flush`` every few minutes (``catalogue.product_views_flush`` in
``CELERY_BEAT_SCHEDULE``). The report lags by at most two periods and a second.

Each worker adds its views up in its own memory and sends them to the cache at most once a
second (``product_views_send``): a cache round trip on every view was a third of a cached
product page's time. What a worker holds when it is stopped (at most a second of its views) is
lost, which the report, a count of interest, can bear.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

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


PRODUCT_VIEWS_SEND_SECONDS = 1.0

# This worker's views not sent yet, by (period, product id); shared by a worker's threads.
_views_pending: Counter[tuple[int, int]] = Counter()
_views_pending_lock = threading.Lock()
_views_last_sent = 0.0


def product_view_record(*, product_id: int, now: float | None = None) -> None:
    """Count one view of the product; the worker sends its counts once a second."""
    global _views_last_sent
    now = time.time() if now is None else now
    with _views_pending_lock:
        _views_pending[(_period(now), product_id)] += 1
        if now - _views_last_sent < PRODUCT_VIEWS_SEND_SECONDS:
            return
        _views_last_sent = now
    product_views_send(now=now)


def product_views_send(*, now: float | None = None) -> None:
    """Add this worker's pending views to the cache's counters, one ``incr`` per product.

    A view sent after its period may already have been flushed is counted in the oldest
    period the flush has not taken yet, so no view is lost to a late send.
    """
    _views_send(oldest_open=_period(time.time() if now is None else now) - 1)


def product_views_pending_forget() -> None:
    """Drop this worker's views not sent yet (a test's rolled-back products)."""
    global _views_last_sent
    with _views_pending_lock:
        _views_pending.clear()
        _views_last_sent = 0.0


def _views_send(*, oldest_open: int) -> None:
    with _views_pending_lock:
        pending = dict(_views_pending)
        _views_pending.clear()
    counts: Counter[tuple[int, int]] = Counter()
    for (period, product_id), views in pending.items():
        counts[(max(period, oldest_open), product_id)] += views
    timeout = PRODUCT_VIEWS_PERIOD_SECONDS * PRODUCT_VIEWS_PERIODS_KEPT
    for (period, product_id), views in counts.items():
        key = _counter_key(period=period, product_id=product_id)
        try:
            cache.incr(key, views)
        except ValueError:
            if not cache.add(key, views, timeout=timeout):
                cache.incr(key, views)


def product_views_flush(*, now: float | None = None) -> int:
    """Add the counted views of every closed period to ``ProductRecord``; returns the views.

    A period is flushed once the one after it has closed too (a request that began before its
    end may count into it a little after). Each period is claimed with ``cache.add`` before
    its counters are read, so a second run (a retried task, two beat schedulers) finds
    nothing left to do. This worker's own pending views are sent first, into the periods
    this run takes.
    """
    last_closed = _period(time.time() if now is None else now) - 2
    _views_send(oldest_open=last_closed)
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
