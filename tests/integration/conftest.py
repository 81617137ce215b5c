"""Fixtures for integration tests: a real Celery worker process.

The session runs against the throwaway PostgreSQL and Redis servers that
``tests.plugins.services`` starts before Django loads. Integration tests use ``transactional_db``:
the worker and any second connection must see committed rows, which the rolled-back transaction
of the plain ``db`` fixture would hide from them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import TEST_RESULTS_DIR

PROJECT_DIR = Path(__file__).resolve().parents[2]
# An upper bound (the wait polls): a loaded 2-core CI box took up to 55 s to boot a worker.
WORKER_START_TIMEOUT_SECONDS = 120
WORKER_STOP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class CeleryWorker:
    process: subprocess.Popen
    hostname: str
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def database_url_for(name: str) -> str:
    """DATABASE_URL pointing at database ``name`` on the same server."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup) -> CeleryWorker:
    """A real ``celery -A shop worker --pool=solo`` on pytest-django's test database.

    Session-scoped because a worker takes seconds to boot; it is stopped before the test
    database is dropped (it depends on ``django_db_setup``), so the drop never meets its
    open connections.
    """
    worker = celery_worker_start(name="celery-worker")
    try:
        yield worker
    finally:
        celery_worker_stop(worker)


def celery_worker_start(
    *,
    name: str,
    app_module: str = "shop",
    pool: str = "solo",
    queue: str = "",
    extra_env: dict[str, str] | None = None,
) -> CeleryWorker:
    """Start a worker on the test database and wait until it answers a ping.

    The session's worker uses it, and so do tests that need a worker of their own to break
    (the fault tests kill one, or point one at a Redis they stop): ``app_module`` may be a
    test module that imports ``shop.celery.app`` and adds hooks, ``extra_env`` may point the
    worker at another broker, ``queue`` keeps the session's worker off its tasks. The log goes
    to ``var/test-results/<name>.log``.
    """
    from django.db import connection

    from shop.celery import app

    if not os.environ.get("REDIS_URL"):
        pytest.skip("the Celery worker needs a Redis broker (run with -p tests.plugins.services)")

    # setup_databases() renamed the connection to the test database (test_<name>).
    test_database_name = connection.settings_dict["NAME"]
    hostname = f"pytest-{uuid.uuid4().hex[:8]}@localhost"
    TEST_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = TEST_RESULTS_DIR / f"{name}.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for(test_database_name),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "--app",
                app_module,
                "worker",
                f"--pool={pool}",
                *(["--concurrency=1"] if pool == "prefork" else []),
                *([f"--queues={queue}"] if queue else []),
                "--loglevel=INFO",
                f"--hostname={hostname}",
                # Gossip and mingle talk to other workers; there are none, and they slow the start.
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(process=process, hostname=hostname, log_path=log_path)
    try:
        _wait_until_worker_answers(app, worker)
    except BaseException:
        celery_worker_stop(worker)
        raise
    return worker


def celery_worker_stop(worker: CeleryWorker) -> None:
    _stop(worker.process)


def _wait_until_worker_answers(app, worker: CeleryWorker) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"the Celery worker exited with code {worker.process.returncode}:\n{worker.log_tail()}"
            )
        if app.control.ping(destination=[worker.hostname], timeout=1.0):
            return
    pytest.fail(
        f"the Celery worker did not answer a ping within {WORKER_START_TIMEOUT_SECONDS}s:\n"
        f"{worker.log_tail()}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # SIGTERM is Celery's warm shutdown: the current task finishes, connections close.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=WORKER_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
