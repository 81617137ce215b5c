"""`make prod`: the production stack on one machine, on loopback, from Debian's packages.

PostgreSQL and Redis keep their data under ``var/prod/`` (a second run reuses it), then
``migrate``, ``collectstatic`` and, the first time only, ``load_demo`` run with the production
settings (``DEBUG=False``), and gunicorn, a Celery worker and Celery beat start. Ctrl-C (or any
of them dying) stops everything, in reverse order.

Plain HTTP on loopback: the HTTPS redirect is off (``SECURE_SSL_REDIRECT=False``); cookies stay
``Secure``, which browsers accept from http://127.0.0.1 and http://localhost.

The pieces (``servers_start``, ``production_env``, ``prepare_database``, ``app_commands``,
``start``, ``wait_until_healthy``, ``stop``) are shared with ``bench/stack.py``, which runs the
same stack for the benchmarks with its data under ``var/bench/``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from deploy import localstripe as localstripe_launcher
from deploy.servers import (
    STARTUP_TIMEOUT_SECONDS,
    PostgresServer,
    RedisServer,
    ServiceUnavailable,
    server_binaries,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROD_DIR = PROJECT_DIR / "var" / "prod"
LOG_DIR = PROD_DIR / "logs"
DATABASE_NAME = "shop"
STOP_TIMEOUT_SECONDS = 20


def secret_key(folder: Path = PROD_DIR) -> str:
    """A random key made once and kept (sessions survive a restart), readable by us only."""
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def servers_start(*, postgres: PostgresServer, redis: RedisServer) -> tuple[str, str]:
    """Start PostgreSQL (its cluster and the store's database made the first time) and Redis;
    return their URLs (database, Redis)."""
    postgres.initdb()
    postgres.start()
    postgres.create_database(DATABASE_NAME)
    redis.start()
    return postgres.url(DATABASE_NAME), redis.url()


def production_env(
    *,
    database_url: str,
    redis_url: str,
    host: str,
    port: int,
    stripe_port: int,
    state_dir: Path = PROD_DIR,
) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "DEBUG": "False",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secret_key(state_dir),
        "ALLOWED_HOSTS": f"{host},localhost",
        "SECURE_SSL_REDIRECT": "False",
        "BASE_URL": f"http://{host}:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    if "STRIPE_SECRET_KEY" not in os.environ:
        # No real Stripe keys: the checkout talks to the localstripe that app_commands starts.
        stripe_base = f"http://{host}:{stripe_port}"
        env["STRIPE_API_BASE"] = stripe_base
        env["STRIPE_JS_URL"] = f"{stripe_base}/js.stripe.com/v3/"
    return env


def manage(*command: str, env: dict) -> None:
    print(f"$ manage.py {' '.join(command)}", flush=True)
    subprocess.run([sys.executable, "manage.py", *command], cwd=PROJECT_DIR, env=env, check=True)


def prepare_database(*, env: dict, demo_stamp: Path | None) -> None:
    """migrate and collectstatic every run; load_demo only if ``demo_stamp`` does not exist yet.

    ``demo_stamp`` None means no demo data (an empty store). The caller deletes a stale stamp
    when it had to create a new cluster.
    """
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    if demo_stamp is not None and not demo_stamp.exists():
        manage("load_demo", env=env)
        demo_stamp.touch()


def app_commands(
    *,
    host: str,
    port: int,
    stripe_port: int,
    workers: int,
    threads: int = 1,
    localstripe: bool = True,
    stripe_state_file: Path | None = None,
    celery_worker: bool = True,
    celery_beat: bool = True,
    access_log: bool = True,
) -> dict[str, list[str]]:
    """The command lines of the application processes, in start order (stop in reverse).

    localstripe keeps its state in ``stripe_state_file`` (memory only if None) and has the
    store's webhook endpoint registered, as a Stripe account has (``deploy/localstripe.py``).
    ``threads`` above 1 runs gunicorn's threaded workers (``gthread``).
    """
    bin_dir = Path(sys.executable).parent
    commands: dict[str, list[str]] = {}
    if localstripe and "STRIPE_SECRET_KEY" not in os.environ:
        commands["localstripe"] = localstripe_launcher.command(
            port=stripe_port,
            state_file=stripe_state_file,
            webhook_url=f"http://{host}:{port}{localstripe_launcher.WEBHOOK_PATH}",
            webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET"),
        )
    if celery_worker:
        commands["celery-worker"] = [
            *(sys.executable, "-m", "celery", "--app", "shop", "worker", "--loglevel=INFO"),
        ]
    if celery_beat:
        commands["celery-beat"] = [
            *(sys.executable, "-m", "celery", "--app", "shop", "beat", "--loglevel=INFO"),
        ]
    commands["gunicorn"] = [
        str(bin_dir / "gunicorn"),
        "shop.wsgi",
        *("--bind", f"{host}:{port}", "--workers", str(workers)),
        *(("--threads", str(threads)) if threads > 1 else ()),
        *(("--access-logfile", "-") if access_log else ()),
    ]
    return commands


def start(name: str, command: list[str], env: dict, *, log_dir: Path = LOG_DIR) -> subprocess.Popen:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / f"{name}.log").open("ab")
    # Own session: Ctrl-C reaches only this supervisor, which stops the children in order.
    return subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_healthy(
    url: str,
    processes: dict[str, subprocess.Popen],
    *,
    may_fail: frozenset[str] = frozenset(),
    timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> str:
    """Poll ``/health/`` until it answers 200, or 503 naming only parts listed in ``may_fail``
    (a stack started without a Celery worker reports its worker down, and that is expected)."""
    deadline = time.monotonic() + timeout
    answer = ""
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise ServiceUnavailable(f"{name} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our loopback URL)
                return response.read().decode()
        except urllib.error.HTTPError as error:
            answer = error.read().decode()
            if may_fail and error.code == 503:
                try:
                    failing = set(json.loads(answer).get("failing", ()))
                except ValueError:
                    failing = set()
                if failing and failing <= may_fail:
                    return answer
        except OSError as error:
            answer = str(error)
        time.sleep(1)
    raise ServiceUnavailable(f"{url} did not answer 200 within {timeout:.0f}s: {answer}")


def stop(name: str, process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # SIGTERM: gunicorn and Celery shut down gracefully (a running task finishes first).
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop within {STOP_TIMEOUT_SECONDS}s: killing it", flush=True)
        process.kill()
        process.wait()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="gunicorn")
    parser.add_argument("--postgres-port", type=int, default=55432)
    parser.add_argument("--redis-port", type=int, default=56379)
    parser.add_argument("--stripe-port", type=int, default=8430, help="localstripe")
    parser.add_argument(
        "--no-demo", dest="demo", action="store_false", help="skip load_demo (an empty store)"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (gthread above 1)"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    try:
        postgres_bin, redis_binary = server_binaries()
    except ServiceUnavailable as error:
        print(f"make prod needs PostgreSQL and Redis: {error}", file=sys.stderr)
        return 1
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    postgres = PostgresServer(
        bin_dir=postgres_bin, root=PROD_DIR / "postgres", port=args.postgres_port
    )
    redis = RedisServer(binary=redis_binary, port=args.redis_port, data_dir=PROD_DIR / "redis")
    processes: dict[str, subprocess.Popen] = {}
    # SIGTERM (e.g. `kill` of `make prod`) stops the stack like Ctrl-C does; SIGINT is set
    # explicitly because a shell starting `make prod &` hands it over ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        database_url, redis_url = servers_start(postgres=postgres, redis=redis)
        env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            host=args.host,
            port=args.port,
            stripe_port=args.stripe_port,
        )
        prepare_database(env=env, demo_stamp=PROD_DIR / "demo-loaded" if args.demo else None)
        commands = app_commands(
            host=args.host,
            port=args.port,
            stripe_port=args.stripe_port,
            workers=args.workers,
            threads=args.threads,
            stripe_state_file=PROD_DIR / "localstripe.pickle",
        )
        for name, command in commands.items():
            processes[name] = start(name, command, env)
        base = f"http://{args.host}:{args.port}"
        print(f"$ curl {base}/health/\n{wait_until_healthy(f'{base}/health/', processes)}")
        print(
            f"\n  Store   {base}/\n  Health  {base}/health/\n"
            f"  Logs    {LOG_DIR.relative_to(PROJECT_DIR)}/\n  Ctrl-C stops everything.\n",
            flush=True,
        )
        while all(process.poll() is None for process in processes.values()):
            time.sleep(1)
        dead = [name for name, process in processes.items() if process.poll() is not None]
        print(f"{', '.join(dead)} exited: stopping the rest (see its log)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except (ServiceUnavailable, subprocess.CalledProcessError) as error:
        print(f"make prod failed: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("stopping...", flush=True)
        for name, process in reversed(processes.items()):
            stop(name, process)
        redis.stop()
        postgres.stop()
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
