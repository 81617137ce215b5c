"""Our production stack on loopback, for the benchmarks: ``with running_stack() as stack:``.

The same pieces as ``make prod`` (``deploy/prod.py``, ``deploy/servers.py``): PostgreSQL, Redis, a
Celery worker, localstripe and gunicorn with the production settings (``DEBUG=False``, WhiteNoise,
Redis cache, cached_db sessions). Differences, all for measuring:

* the PostgreSQL cluster lives in ``var/bench/postgres`` and keeps the demo between runs:
  ``load_demo`` runs only the first time (a stamp next to the cluster says it finished; a new
  cluster deletes the stamp). ``rm -rf var/bench`` starts over. A bench that writes (orders)
  leaves its writes there for the next run;
* every port is a free one, so a bench runs beside ``make prod`` or the integration tests;
* Redis has no persistence (an empty cache and queue each run), no Celery beat, and gunicorn
  writes no access log (it would cost every request a write);
* one bench at a time: a lock on ``var/bench/lock`` makes a second bench wait for the first
  (two would fight over the data folder, and over the two cores).

Production settings make the session, CSRF and basket cookies ``Secure``: an HTTP client talking
plain http to ``base_url`` (requests, http.cookiejar) will not send them back on its own; read
them from ``Set-Cookie`` and send them yourself (``bench/storefront.py``'s ``session_cookies``).

Usage::

    from bench.stack import running_stack

    with running_stack(workers=3, with_worker=True, with_localstripe=True) as stack:
        stack.base_url          # http://127.0.0.1:<port>, gunicorn
        stack.database_url      # postgres://postgres@127.0.0.1:<port>/shop
        stack.redis_url         # redis://127.0.0.1:<port>/0 (cache + Celery broker)
        stack.localstripe_url   # http://127.0.0.1:<port>, or None without localstripe
        stack.env               # the production environment: run manage.py / Django with it
        stack.postgres          # the deploy.servers.PostgresServer (create_database, url, ...)

Run it alone to check it (prints the URLs and the health answer, Ctrl-C stops)::

    .venv/bin/python -m bench.stack
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    # `python bench/<script>.py` puts bench/ on sys.path, not the project.
    sys.path.insert(0, str(PROJECT_DIR))

from deploy.prod import (  # noqa: E402
    app_commands,
    prepare_database,
    production_env,
    servers_start,
    start,
    stop,
    wait_until_healthy,
)
from deploy.servers import (  # noqa: E402
    PostgresServer,
    RedisServer,
    free_loopback_port,
    server_binaries,
)

BENCH_DIR = PROJECT_DIR / "var" / "bench"
HOST = "127.0.0.1"


@dataclass
class Stack:
    base_url: str
    database_url: str
    redis_url: str
    localstripe_url: str | None
    env: dict
    postgres: PostgresServer
    redis: RedisServer
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)


@contextlib.contextmanager
def _bench_lock(state_dir: Path) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / "lock").open("a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another bench to release {state_dir}/lock ...", flush=True)
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """`kill`/`timeout` send SIGTERM, which ends Python without running ``finally`` blocks and
    would leave PostgreSQL and gunicorn running: raise SystemExit instead while the stack is up."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def running_stack(
    *,
    workers: int = 3,
    with_worker: bool = True,
    with_localstripe: bool = True,
    demo: bool = True,
    state_dir: Path = BENCH_DIR,
) -> Iterator[Stack]:
    """Start the stack (loading the demo the first time), yield it, stop it all on exit."""
    postgres_bin, redis_binary = server_binaries()
    with _sigterm_as_exit(), _bench_lock(state_dir):
        postgres = PostgresServer(
            bin_dir=postgres_bin, root=state_dir / "postgres", port=free_loopback_port()
        )
        redis = RedisServer(binary=redis_binary, port=free_loopback_port())
        demo_stamp = state_dir / "demo-loaded"
        if not (postgres.data_dir / "PG_VERSION").exists():
            demo_stamp.unlink(missing_ok=True)
        port, stripe_port = free_loopback_port(), free_loopback_port()
        started = time.monotonic()
        stack: Stack | None = None
        try:
            database_url, redis_url = servers_start(postgres=postgres, redis=redis)
            env = production_env(
                database_url=database_url,
                redis_url=redis_url,
                host=HOST,
                port=port,
                stripe_port=stripe_port,
                state_dir=state_dir,
            )
            # Log lines per task and per page would cost the bench; warnings still show.
            env["LOG_LEVEL"] = os.environ.get("LOG_LEVEL", "WARNING")
            prepare_database(env=env, demo_stamp=demo_stamp if demo else None)
            stack = Stack(
                base_url=f"http://{HOST}:{port}",
                database_url=env["DATABASE_URL"],
                redis_url=env["REDIS_URL"],
                localstripe_url=env.get("STRIPE_API_BASE") if with_localstripe else None,
                env=env,
                postgres=postgres,
                redis=redis,
                log_dir=state_dir / "logs",
            )
            commands = app_commands(
                host=HOST,
                port=port,
                stripe_port=stripe_port,
                workers=workers,
                localstripe=with_localstripe,
                celery_worker=with_worker,
                celery_beat=False,
                access_log=False,
            )
            for name, command in commands.items():
                stack.processes[name] = start(name, command, env, log_dir=stack.log_dir)
            wait_until_healthy(
                f"{stack.base_url}/health/",
                stack.processes,
                may_fail=frozenset() if with_worker else frozenset({"worker"}),
            )
            print(
                f"stack up in {time.monotonic() - started:.0f}s at {stack.base_url} "
                f"(logs in {stack.log_dir})",
                flush=True,
            )
            yield stack
        finally:
            if stack is not None:
                for name, process in reversed(stack.processes.items()):
                    stop(name, process)
            redis.stop()
            postgres.stop()


def main() -> int:
    with running_stack() as stack:
        print(f"  Store        {stack.base_url}/")
        print(f"  Database     {stack.database_url}")
        print(f"  Redis        {stack.redis_url}")
        print(f"  localstripe  {stack.localstripe_url}")
        print("  Ctrl-C stops everything.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while all(process.poll() is None for process in stack.processes.values()):
                time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
