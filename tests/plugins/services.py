"""Throwaway PostgreSQL and Redis servers for the integration session.

Loaded with ``pytest -m integration -p tests.plugins.services``. The servers must be up and
``DATABASE_URL`` / ``REDIS_URL`` exported *before* pytest-django imports the settings, because
``shop/settings.py`` reads them once at import time: that is why this is a plugin with a
``pytest_load_initial_conftests`` hook and not a fixture.

Each session gets its own data directory and free loopback ports, so two sessions (or a
developer's own PostgreSQL) never collide, and nothing is left behind at exit.

Missing binaries: under ``CI=true`` the session fails at once (a green CI that skipped every
integration test would be a lie); locally the integration tests are skipped with a message that
says what to install.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
POSTGRES_SYSTEM_USER = "postgres"
DATABASE_NAME = "shop"
STARTUP_TIMEOUT_SECONDS = 30
INSTALL_HINT = "apt-get install postgresql redis-server"


class ServiceUnavailable(RuntimeError):
    """A server binary is missing or a server did not come up."""


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, process: subprocess.Popen | None = None, what: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceUnavailable(f"{what} exited with code {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise ServiceUnavailable(
        f"{what} did not listen on 127.0.0.1:{port} within {STARTUP_TIMEOUT_SECONDS}s"
    )


def find_postgres_bin_dir() -> Path | None:
    # Debian keeps the server binaries off PATH, one folder per major version; take the newest.
    candidates = sorted(glob.glob(POSTGRES_BIN_GLOB), key=lambda p: int(Path(p).parent.name))
    for bin_dir in reversed(candidates):
        if Path(bin_dir, "initdb").exists() and Path(bin_dir, "pg_ctl").exists():
            return Path(bin_dir)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class ThrowawayPostgres:
    bin_dir: Path
    root: Path = field(init=False)
    port: int = field(init=False)

    def _as_server_user(self, command: list[str]) -> list[str]:
        # PostgreSQL refuses to run as root; CI runs as root, so hand the server to the
        # `postgres` system user that Debian's package created.
        if os.geteuid() == 0:
            return ["runuser", "-u", POSTGRES_SYSTEM_USER, "--", *command]
        return command

    def start(self) -> str:
        self.root = Path(tempfile.mkdtemp(prefix="shop-test-postgres-"))
        self.port = free_loopback_port()
        if os.geteuid() == 0:
            try:
                server_user = pwd.getpwnam(POSTGRES_SYSTEM_USER)
            except KeyError as error:
                raise ServiceUnavailable(
                    f"running as root needs the '{POSTGRES_SYSTEM_USER}' system user ({INSTALL_HINT})"
                ) from error
            os.chown(self.root, server_user.pw_uid, server_user.pw_gid)
        data_dir = self.root / "data"
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "--pgdata",
                str(data_dir),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                "--no-sync",
            ]
        )
        # Durability is pointless for a database that is deleted at exit; turning it off makes
        # the per-test TRUNCATEs of transactional tests several times faster.
        server_options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                # Concurrency tests open one connection per thread (loyalty: 50 redemptions),
                # on top of the test's own and the Celery worker's.
                "-c max_connections=100",
            ]
        )
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "--pgdata",
                str(data_dir),
                "--log",
                str(self.root / "server.log"),
                "--options",
                server_options,
                "--wait",
                "start",
            ]
        )
        atexit.register(self.stop)
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(
            self._as_server_user(command),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            server_log = log.read_text() if log.exists() else ""
            raise ServiceUnavailable(
                f"{' '.join(command[:1])} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{server_log}"
            )

    def stop(self) -> None:
        if not getattr(self, "root", None) or not self.root.exists():
            return
        # "immediate" skips the shutdown checkpoint: the data is thrown away anyway.
        subprocess.run(
            self._as_server_user(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "--pgdata",
                    str(self.root / "data"),
                    "--mode",
                    "immediate",
                    "--wait",
                    "stop",
                ]
            ),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class ThrowawayRedis:
    binary: str
    process: subprocess.Popen | None = None
    port: int = 0

    def start(self) -> str:
        self.port = free_loopback_port()
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                # No persistence: nothing is written to disk, nothing survives the session.
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tempfile.gettempdir(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(self.stop)
        wait_for_port(self.port, process=self.process, what="redis-server")
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Services:
    postgres: ThrowawayPostgres | None = None
    redis: ThrowawayRedis | None = None
    unavailable_reason: str = ""

    def stop(self) -> None:
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()


SERVICES_KEY = pytest.StashKey[Services]()


def start_services() -> Services:
    services = Services()
    postgres_bin = find_postgres_bin_dir()
    redis_binary = shutil.which("redis-server")
    missing = [
        name
        for name, found in (
            ("PostgreSQL (initdb, pg_ctl)", postgres_bin),
            ("redis-server", redis_binary),
        )
        if not found
    ]
    if missing:
        services.unavailable_reason = (
            f"integration tests need {' and '.join(missing)}: install them with `{INSTALL_HINT}`"
        )
        return services
    services.postgres = ThrowawayPostgres(bin_dir=postgres_bin)
    services.redis = ThrowawayRedis(binary=redis_binary)
    try:
        database_url = services.postgres.start()
        redis_url = services.redis.start()
    except (ServiceUnavailable, OSError, subprocess.SubprocessError) as error:
        services.stop()
        services.unavailable_reason = f"could not start the throwaway servers: {error}"
        return services
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
    services = start_services()
    early_config.stash[SERVICES_KEY] = services
    if services.unavailable_reason and os.environ.get("CI", "").lower() == "true":
        services.stop()
        raise pytest.UsageError(services.unavailable_reason)


def pytest_report_header(config):
    services = config.stash.get(SERVICES_KEY, None)
    if services is None:
        return None
    if services.unavailable_reason:
        return f"services: UNAVAILABLE - {services.unavailable_reason}"
    return (
        f"services: PostgreSQL {os.environ['DATABASE_URL']} (data in {services.postgres.root}), "
        f"Redis {os.environ['REDIS_URL']}"
    )


def pytest_collection_modifyitems(config, items):
    services = config.stash.get(SERVICES_KEY, None)
    if services is None or not services.unavailable_reason:
        return
    skip = pytest.mark.skip(reason=services.unavailable_reason)
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(skip)


def pytest_unconfigure(config):
    services = config.stash.get(SERVICES_KEY, None)
    if services is not None:
        services.stop()
