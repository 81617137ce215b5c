"""Throwaway PostgreSQL and Redis servers for the integration session.

Loaded with ``pytest -m integration -p tests.plugins.services``. The servers must be up and
``DATABASE_URL`` / ``REDIS_URL`` exported *before* pytest-django imports the settings, because
``shop/settings.py`` reads them once at import time: that is why this is a plugin with a
``pytest_load_initial_conftests`` hook and not a fixture.

Each session gets its own data directory and free loopback ports, so two sessions (or a
developer's own PostgreSQL) never collide, and nothing is left behind at exit.

Servers that cannot be had (binaries missing, a server that does not start) fail the session at
once with what to install: a green run that skipped every integration test would be a lie, and
``make test`` installs the packages before it runs the session.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# The servers are started the same way as `make prod`'s (deploy/servers.py).
from deploy.servers import (
    PostgresServer,
    RedisServer,
    ServiceUnavailable,
    free_loopback_port,
    server_binaries,
)

DATABASE_NAME = "shop"


@dataclass
class ThrowawayPostgres:
    """A cluster in a fresh temporary folder on a free port, deleted at exit."""

    bin_dir: Path
    server: PostgresServer | None = None

    @property
    def root(self) -> Path:
        return self.server.root

    def start(self) -> str:
        self.server = PostgresServer(
            bin_dir=self.bin_dir,
            root=Path(tempfile.mkdtemp(prefix="shop-test-postgres-")),
            port=free_loopback_port(),
            durable=False,
        )
        self.server.initdb()
        self.server.start()
        atexit.register(self.stop)
        return self.server.url(DATABASE_NAME)

    def stop(self) -> None:
        if self.server is None or not self.server.root.exists():
            return
        # "immediate" skips the shutdown checkpoint: the data is thrown away anyway.
        self.server.stop(mode="immediate")
        shutil.rmtree(self.server.root, ignore_errors=True)


@dataclass
class ThrowawayRedis:
    """redis-server without persistence on a free port, stopped at exit."""

    binary: str
    server: RedisServer | None = None

    def start(self) -> str:
        self.server = RedisServer(binary=self.binary, port=free_loopback_port())
        atexit.register(self.stop)
        self.server.start()
        return self.server.url()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@dataclass
class Services:
    postgres: ThrowawayPostgres | None = None
    redis: ThrowawayRedis | None = None

    def stop(self) -> None:
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()


SERVICES_KEY = pytest.StashKey[Services]()


def start_services() -> Services:
    """Start both servers and export their URLs; ServiceUnavailable says why they could not be."""
    postgres_bin, redis_binary = server_binaries()
    services = Services(
        postgres=ThrowawayPostgres(bin_dir=postgres_bin),
        redis=ThrowawayRedis(binary=redis_binary),
    )
    try:
        database_url = services.postgres.start()
        redis_url = services.redis.start()
    except (ServiceUnavailable, OSError, subprocess.SubprocessError) as error:
        services.stop()
        raise ServiceUnavailable(f"could not start the throwaway servers: {error}") from error
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    # With a broker the settings stop running tasks eagerly; make sure an inherited
    # CELERY_TASK_ALWAYS_EAGER does not hide the real worker.
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return services


# tryfirst: pytest-django imports the settings in its own (plain) implementation of this hook,
# and the settings read DATABASE_URL / REDIS_URL at import time.
@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    try:
        early_config.stash[SERVICES_KEY] = start_services()
    except ServiceUnavailable as error:
        raise pytest.UsageError(f"integration tests need PostgreSQL and Redis: {error}") from error


def pytest_report_header(config):
    services = config.stash.get(SERVICES_KEY, None)
    if services is None:
        return None
    return (
        f"services: PostgreSQL {os.environ['DATABASE_URL']} (data in {services.postgres.root}), "
        f"Redis {os.environ['REDIS_URL']}"
    )


def pytest_unconfigure(config):
    services = config.stash.get(SERVICES_KEY, None)
    if services is not None:
        services.stop()
