"""Scale benchmark of the recommendation recompute and of serving one list from the cache.

    .venv/bin/python bench/recommendations_scale.py [--customers 50000 --products 5000 --lines 1000000]

Draws a synthetic purchase history shaped like the groceries data (long-tailed product
popularity, heavy-tailed customer activity, customer segments with tastes of their own, and
repeat buying), then times what the nightly task does after reading the order lines:

1. the engine (bought together, best sellers, trending, popularity, and every member's
   buy-again, new-for-you and personal lists);
2. turning the results into rows and replacing the stored lists in the database
   (a throwaway SQLite file unless DATABASE_URL is set, e.g. to a PostgreSQL server);

and reports the peak resident memory of the process. Then it times serving one personal list
from a warm cache (``selectors.personal_ids``; locmem unless REDIS_URL is set).

Reading the order lines themselves is not timed here: that is one streamed query whose cost
belongs to the database, and 1,000,000 Oscar order rows would take longer to create than to read.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.servers import RedisServer, free_loopback_port  # noqa: E402


def synthetic_history(*, customers: int, products: int, lines: int, seed: int = 0):
    """Arrays (customer, product, day) for ``lines`` purchase lines."""
    rng = np.random.default_rng(seed)
    # Customer activity: lognormal, like the real data's long tail of heavy shoppers.
    activity = rng.lognormal(mean=0.0, sigma=0.6, size=customers)
    per_customer = np.maximum(1, np.round(activity / activity.sum() * lines)).astype(np.int64)
    per_customer[np.argmax(per_customer)] += lines - per_customer.sum()
    customer = np.repeat(np.arange(customers, dtype=np.int64), per_customer)

    # Product popularity: Zipf-like (the top 20% of products sell about two thirds of lines).
    ranks = np.arange(1, products + 1)
    global_p = 1.0 / (ranks + 10.0) ** 1.1
    global_p /= global_p.sum()
    item = rng.choice(products, size=lines, p=global_p)

    # Segments (students, staff, families, ...) each favour 100 products of their own.
    segments = 50
    segment_items = rng.choice(products, size=(segments, 100))
    segment_of_customer = rng.integers(0, segments, size=customers)
    local_p = 1.0 / np.arange(1, 101) ** 0.8
    local_p /= local_p.sum()
    from_segment = rng.random(lines) < 0.3
    local_draw = rng.choice(100, size=int(from_segment.sum()), p=local_p)
    item[from_segment] = segment_items[segment_of_customer[customer[from_segment]], local_draw]

    # Repeat buying: a quarter of the lines re-buy something the customer bought before.
    starts = np.repeat(np.cumsum(per_customer) - per_customer, per_customer)
    position = np.arange(lines) - starts
    repeat = (rng.random(lines) < 0.25) & (position > 0)
    source = starts[repeat] + (rng.random(int(repeat.sum())) * position[repeat]).astype(np.int64)
    item[repeat] = item[source]

    first_day = dt.date(2024, 1, 1).toordinal()
    day = first_day + rng.integers(0, 730, size=lines)
    # Customer and product keys as the store has them: positive database ids.
    return customer + 1, item + 1, day.astype(np.int32)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--serve-calls", type=int, default=20_000)
    parser.add_argument(
        "--redis",
        action="store_true",
        help="serve from a throwaway redis-server (as production does) instead of locmem",
    )
    args = parser.parse_args()
    redis = RedisServer(binary="redis-server", port=free_loopback_port()) if args.redis else None
    if redis is not None:
        atexit.register(redis.stop)  # also when the bench fails half-way
        redis.start()
        os.environ["REDIS_URL"] = redis.url()

    workdir = tempfile.TemporaryDirectory(prefix="recs-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from recommendations import engine, selectors, services

    print(f"database: {connection.vendor}; setting up tables ...", flush=True)
    # Only the recommendations tables (and their dependencies' tables) are needed. They are
    # created by the migration executor directly: ``migrate recommendations`` would stop at
    # contenttypes' first migration (whose ``name`` column is still required) yet emit the
    # post-migrate signal of every installed app, whose handlers (content types, the default
    # site, Wagtail's locale) expect the whole schema.
    executor = MigrationExecutor(connection)
    executor.migrate(
        [node for node in executor.loader.graph.leaf_nodes() if node[0] == "recommendations"]
    )

    customers, products, days = synthetic_history(
        customers=args.customers, products=args.products, lines=args.lines
    )
    print(
        f"history: {len(np.unique(customers)):,} customers, {len(np.unique(products)):,} "
        f"products, {len(products):,} lines",
        flush=True,
    )
    baseline_mb = peak_rss_mb()

    started = time.perf_counter()
    cpu_started = time.process_time()
    history = engine.history_from_lines(customers=customers, items=products, days=days)
    # Products fall into 14 aisles, as the demo's do.
    categories = (history.item_keys % 14).astype(np.int32)
    rows = services.recommendation_rows_build(
        history, computed_at=timezone.now(), categories=categories
    )
    engine_seconds = time.perf_counter() - started
    written = services.recommendation_lists_replace(rows=rows)
    total_seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak_mb = peak_rss_mb()
    del rows

    print(f"engine + rows:        {engine_seconds:8.2f} s")
    print(f"database write:       {total_seconds - engine_seconds:8.2f} s ({written:,} lists)")
    print(f"full recompute:       {total_seconds:8.2f} s")
    # On a shared machine the wall clock includes waiting for the CPU; this does not.
    print(f"  of which CPU time:  {cpu_seconds:8.2f} s (load average {os.getloadavg()[0]:.1f})")
    print(f"peak memory (RSS):    {peak_mb:8.0f} MB (before recompute: {baseline_mb:.0f} MB)")

    rng = np.random.default_rng(1)
    # 200 warm lists: locmem keeps at most 300 entries before it culls (Redis has no such cap).
    user_ids = rng.choice(np.unique(customers), size=min(200, args.customers), replace=False)
    for user_id in user_ids:  # warm the cache
        selectors.personal_ids(user_id=int(user_id))
    calls = [int(u) for u in rng.choice(user_ids, size=args.serve_calls)]
    started = time.perf_counter()
    for user_id in calls:
        selectors.personal_ids(user_id=user_id)
    per_call_us = (time.perf_counter() - started) / len(calls) * 1e6
    cold_ids = [int(u) for u in np.setdiff1d(np.unique(customers), user_ids)[:1000]]
    started = time.perf_counter()
    for user_id in cold_ids:
        selectors.personal_ids(user_id=user_id)
    cold_us = (time.perf_counter() - started) / len(cold_ids) * 1e6
    print(f"serve one list, warm: {per_call_us:8.1f} µs (cache: {_cache_name()})")
    print(f"serve one list, cold: {cold_us:8.1f} µs (indexed query + rules query + cache fill)")
    workdir.cleanup()


def _cache_name() -> str:
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


if __name__ == "__main__":
    main()
