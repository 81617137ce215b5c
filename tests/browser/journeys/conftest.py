"""Journey tests on the loaded demo: the data ``manage.py load_demo`` builds, not factories.

The package loads the demo once (``demo``) into the test database that the live server
serves, and the journeys run on it one after another, each as a different person and on data
no other journey changes (its own member, product or order). Loading every one of the 3,898
members takes minutes on a 2-core machine, so by default the loader is given a slice of the
same real history: every ``DEMO_SLICE_EVERY``-th member with all their purchases (about 200
members, 2,000 purchases, nearly the whole catalogue), through the loader's own ``--csv``
option. ``JOURNEY_DEMO=full`` loads the whole file instead.

The usual per-test flush of transactional tests would throw the demo away after the first
journey, so inside this package the live server's tests keep the database; the package's
teardown empties it and restores the migrated state (as serialized rollback would), so tests
after the package see the database they expect.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

from loyalty.demo import DEMO_CARD_PIN, demo_card_sample

DEMO_SLICE_EVERY = 20


@dataclass(frozen=True)
class LoadedDemo:
    card_number: str
    card_pin: str
    load_seconds: float


def demo_history_slice(*, source: Path, target: Path, every: int) -> Path:
    """The purchases of every ``every``-th member of the real history, whole."""
    with (
        source.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(row for row in reader if int(row["member_number"]) % every == 0)
    return target


def _database_restore_migrated() -> None:
    """Empty every table and put back what the migrations wrote (serialized rollback's way)."""
    for connection in connections.all():
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            database=connection.alias,
            inhibit_post_migrate=True,
        )
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
    cache.clear()


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, live_server, tmp_path_factory) -> LoadedDemo:
    source = Path(settings.DEMO_CSV_PATH)
    if os.environ.get("JOURNEY_DEMO") != "full":
        source = demo_history_slice(
            source=source,
            target=tmp_path_factory.mktemp("demo") / "purchases.csv",
            every=DEMO_SLICE_EVERY,
        )
    with django_db_blocker.unblock():
        _database_restore_migrated()
        started = time.monotonic()
        call_command("load_demo", "--csv", str(source), "--quiet", stdout=StringIO())
        loaded = LoadedDemo(
            card_number=demo_card_sample(),
            card_pin=DEMO_CARD_PIN,
            load_seconds=time.monotonic() - started,
        )
    print(f"\nload_demo ({source.name}): {loaded.load_seconds:.0f} s")  # noqa: T201
    yield loaded
    with django_db_blocker.unblock():
        _database_restore_migrated()


@pytest.fixture
def django_db_serialized_rollback():
    """The journeys share the package's demo: no flush and restore around each of them."""


@pytest.fixture(autouse=True)
def _live_server_helper(demo, live_server, django_db_blocker):
    """pytest-django's helper without its transactional_db (whose teardown empties the demo):
    the live server's settings for the test, and database access for its assertions."""
    live_server._live_server_modified_settings.enable()
    with django_db_blocker.unblock():
        yield
    live_server._live_server_modified_settings.disable()
