"""A product page view is counted in the cache, not by an UPDATE in the request, and the
periodic flush adds each closed period's views to Oscar's analytics row once."""

import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from shop.apps.catalogue.services import (
    PRODUCT_VIEWS_PERIOD_SECONDS,
    product_view_record,
    product_views_flush,
    product_views_send,
)

ProductRecord = get_model("analytics", "ProductRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def milk():
    return create_product(title="Whole Milk", price=Decimal("13.40"), num_in_stock=5)


def test_a_product_view_writes_nothing_in_the_request(client, milk):
    client.get(milk.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        assert client.get(milk.get_absolute_url()).status_code == 200

    assert not [q for q in queries if "analytics_productrecord" in q["sql"]]
    assert not ProductRecord.objects.filter(product=milk).exists()


def test_the_flush_adds_closed_periods_once(milk):
    now = time.time()
    earlier = now - 3 * PRODUCT_VIEWS_PERIOD_SECONDS
    for _ in range(3):
        product_view_record(product_id=milk.pk, now=earlier)
    product_views_send(now=earlier)
    product_view_record(product_id=milk.pk, now=now)  # the open period waits

    assert product_views_flush(now=now) == 3
    assert product_views_flush(now=now) == 0
    assert ProductRecord.objects.get(product=milk).num_views == 3

    assert product_views_flush(now=now + 2 * PRODUCT_VIEWS_PERIOD_SECONDS) == 1
    assert ProductRecord.objects.get(product=milk).num_views == 4


def test_page_views_reach_the_record_after_the_flush(client, milk):
    for _ in range(2):
        client.get(milk.get_absolute_url())

    product_views_flush(now=time.time() + 2 * PRODUCT_VIEWS_PERIOD_SECONDS)

    assert ProductRecord.objects.get(product=milk).num_views == 2


def test_a_worker_sends_its_views_at_most_once_a_second_and_loses_none(milk):
    now = time.time()
    period = int(now // PRODUCT_VIEWS_PERIOD_SECONDS)
    product_view_record(product_id=milk.pk, now=now)
    for offset in (0.1, 0.2, 0.3):
        product_view_record(product_id=milk.pk, now=now + offset)  # held by the worker
    assert cache.get(f"catalogue:product-views:{period}:{milk.pk}") == 1

    # Views sent after their period closed are counted in the oldest period not flushed yet.
    product_views_send(now=now + 3 * PRODUCT_VIEWS_PERIOD_SECONDS)
    assert cache.get(f"catalogue:product-views:{period + 2}:{milk.pk}") == 3
    assert product_views_flush(now=now + 4 * PRODUCT_VIEWS_PERIOD_SECONDS) == 4
    assert ProductRecord.objects.get(product=milk).num_views == 4
