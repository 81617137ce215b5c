"""PostgreSQL and Redis servers run from Debian's packages, on loopback.

Shared by the integration-test plugin (``tests/plugins/services.py``: throwaway servers in a
temporary folder, deleted at exit) and ``make prod`` (``deploy/prod.py``: servers whose data stays
under ``var/prod/`` between runs), so both start the servers the same way.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
POSTGRES_SYSTEM_USER = "postgres"
# A ceiling against a hung server, not a speed check: every wait polls and ends as soon as the
# server is up, and a machine busy with other jobs may take minutes to start one.
STARTUP_TIMEOUT_SECONDS = 300
INSTALL_HINT = "deploy/system-packages.sh postgresql redis-server"


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


def server_binaries() -> tuple[Path, str]:
    """PostgreSQL's bin folder and the redis-server binary; ServiceUnavailable names what is missing."""
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
        raise ServiceUnavailable(
            f"{' and '.join(missing)} not found: install them with `{INSTALL_HINT}`"
        )
    return postgres_bin, redis_binary


def as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, so hand the server to the
    # `postgres` system user that Debian's package created.
    if os.geteuid() == 0:
        return ["runuser", "-u", POSTGRES_SYSTEM_USER, "--", *command]
    return command


def hand_to_server_user(folder: Path) -> None:
    """Let the `postgres` system user own ``folder`` when we run as root (see as_server_user)."""
    if os.geteuid() != 0:
        return
    try:
        server_user = pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError as error:
        raise ServiceUnavailable(
            f"running as root needs the '{POSTGRES_SYSTEM_USER}' system user ({INSTALL_HINT})"
        ) from error
    os.chown(folder, server_user.pw_uid, server_user.pw_gid)


@dataclass
class PostgresServer:
    """One cluster in ``root/data``, listening on 127.0.0.1:``port`` only, trust auth."""

    bin_dir: Path
    root: Path
    port: int
    # Throwaway clusters skip fsync: durability is pointless for data deleted at exit, and it
    # makes the per-test TRUNCATEs of transactional tests several times faster.
    durable: bool = True
    max_connections: int = 100

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        """Create the cluster unless it already exists (a second `make prod` reuses it)."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        hand_to_server_user(self.root)
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "--pgdata",
                str(self.data_dir),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                *([] if self.durable else ["--no-sync"]),
            ]
        )

    def start(self) -> None:
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-c port={self.port}",
            f"-c unix_socket_directories={self.root}",
            # Concurrency tests open one connection per thread (loyalty: 50 redemptions), on
            # top of the test's own and the Celery worker's; gunicorn workers keep theirs.
            f"-c max_connections={self.max_connections}",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--options",
                " ".join(options),
                "--wait",
                "--timeout",
                str(STARTUP_TIMEOUT_SECONDS),
                "start",
            ]
        )

    def create_database(self, name: str) -> None:
        """Create database ``name`` unless it exists (a new cluster only has `postgres`)."""
        result = subprocess.run(
            [
                str(self.bin_dir / "createdb"),
                *("--host", "127.0.0.1", "--port", str(self.port), "--username", "postgres"),
                name,
            ],
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise ServiceUnavailable(f"createdb {name} failed: {result.stderr}")

    def stop(self, *, mode: str = "fast") -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        subprocess.run(
            as_server_user(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "--pgdata",
                    str(self.data_dir),
                    "--mode",
                    mode,
                    "--wait",
                    "stop",
                ]
            ),
            capture_output=True,
            timeout=60,
            check=False,
        )

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(
            as_server_user(command),
            capture_output=True,
            text=True,
            # pg_ctl gives up after its own --timeout first and says why; this guards initdb.
            timeout=2 * STARTUP_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            server_log = self.log_file.read_text() if self.log_file.exists() else ""
            raise ServiceUnavailable(
                f"{' '.join(command[:1])} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{server_log}"
            )


@dataclass
class RedisServer:
    """redis-server on 127.0.0.1:``port``; ``data_dir`` keeps an append-only file if set."""

    binary: str
    port: int
    data_dir: Path | None = None
    process: subprocess.Popen | None = None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if self.data_dir is None:
            # No persistence: nothing is written to disk, nothing survives the session.
            persistence = ["--save", "", "--appendonly", "no", "--dir", tempfile.gettempdir()]
            log = subprocess.DEVNULL
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Queued tasks survive a restart: the broker's queue is in the append-only file.
            persistence = ["--save", "", "--appendonly", "yes", "--dir", str(self.data_dir)]
            log = (self.data_dir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), *persistence],
            stdout=log,
            stderr=subprocess.STDOUT if self.data_dir is not None else subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process, what="redis-server")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
