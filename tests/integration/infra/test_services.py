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

# A ceiling for each wait below, not a speed check: every wait ends as soon as its condition holds.
WAIT_SECONDS = 120


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
    both would read 10 and the count would end at 9 (a lost update). The first keeps its lock
    until PostgreSQL shows the second's request for it waiting (``pg_locks``), so the test sees
    the wait itself, however slowly the machine schedules the two threads.
    """
    product = create_product(price=5, num_in_stock=10)
    stockrecord_id = product.stockrecords.get().id
    first_holds_lock = threading.Event()
    second_backend: dict[str, int] = {}
    second_seen_waiting = threading.Event()
    written: list[str] = []
    errors: list[BaseException] = []

    def second_is_waiting() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)",
                [second_backend["pid"]],
            )
            return cursor.fetchone()[0]

    def take_one(name: str) -> None:
        try:
            if name == "second":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    second_backend["pid"] = cursor.fetchone()[0]
                assert first_holds_lock.wait(timeout=WAIT_SECONDS)
            with transaction.atomic():
                record = StockRecord.objects.select_for_update().get(id=stockrecord_id)
                if name == "first":
                    first_holds_lock.set()
                    deadline = time.monotonic() + WAIT_SECONDS
                    while "pid" not in second_backend or not second_is_waiting():
                        if time.monotonic() > deadline:
                            break
                        time.sleep(0.05)
                    else:
                        second_seen_waiting.set()
                record.num_in_stock -= 1
                record.save(update_fields=["num_in_stock"])
                # Inside the lock: the order of these appends is the order the rows were written.
                written.append(name)
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_one, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT_SECONDS)

    assert not errors, errors
    assert second_seen_waiting.is_set(), "the second transaction never waited for the row lock"
    assert written == ["first", "second"]
    assert StockRecord.objects.get(id=stockrecord_id).num_in_stock == 8


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
