"""The integration session really runs on PostgreSQL and Redis, and they behave as production's.

If one of these fails, every other integration test is testing the wrong thing.
"""

import threading
import time
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from oscar.core.loading import get_model
from oscar.test.factories import create_product

StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.integration

# Long enough that a second transaction which was NOT blocked would finish well inside it.
LOCK_HOLD_SECONDS = 0.5


def test_the_database_is_postgresql(transactional_db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), version()")
        database_name, version = cursor.fetchone()
    assert database_name.startswith("test_")
    assert version.startswith("PostgreSQL")


def test_select_for_update_serialises_two_connections(transactional_db):
    """Two checkouts decrementing the same stock record: the row lock makes the second wait.

    Each thread is a separate database connection doing read-modify-write. Without a real lock
    both would read 10 and the count would end at 9 (a lost update).
    """
    product = create_product(price=5, num_in_stock=10)
    stockrecord_id = product.stockrecords.get().id
    first_holds_lock = threading.Event()
    finished_at: dict[str, float] = {}
    started_waiting_at: dict[str, float] = {}
    errors: list[BaseException] = []

    def take_one(name: str) -> None:
        try:
            if name == "second":
                first_holds_lock.wait(timeout=10)
                started_waiting_at[name] = time.monotonic()
            with transaction.atomic():
                record = StockRecord.objects.select_for_update().get(id=stockrecord_id)
                if name == "first":
                    first_holds_lock.set()
                    time.sleep(LOCK_HOLD_SECONDS)
                record.num_in_stock -= 1
                record.save(update_fields=["num_in_stock"])
            finished_at[name] = time.monotonic()
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_one, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert StockRecord.objects.get(id=stockrecord_id).num_in_stock == 8
    assert finished_at["second"] >= finished_at["first"]
    waited = finished_at["second"] - started_waiting_at["second"]
    assert waited >= LOCK_HOLD_SECONDS * 0.5, f"the second transaction did not wait ({waited:.3f}s)"


def test_the_cache_is_redis_and_round_trips():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    key = f"integration-{uuid.uuid4().hex}"
    value = {"basket": [1, 2, 3], "total": "12.50"}

    cache.set(key, value, timeout=30)

    assert cache.get(key) == value
    # A second, independent client sees it: the value left this process.
    from django_redis import get_redis_connection

    assert get_redis_connection("default").exists(cache.make_key(key))
    cache.delete(key)
    assert cache.get(key) is None
