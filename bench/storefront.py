"""Storefront throughput and latency: our store against plain Oscar 4.2 and a bare Django view.

    .venv/bin/python bench/storefront.py --plain-search whoosh --duration 10

One command. It starts our production stack (``bench/stack.py``: PostgreSQL, Redis, Celery
worker, gunicorn, demo data under ``var/bench/``), puts the same catalogue into a plain Oscar 4.2
project (``bench/plain_oscar/``) on its own database in the same PostgreSQL and its own Redis
database, and serves it and a bare Django project (``bench/bare_django/``: one view answering
3 kB, no database, a bare project's middleware) with gunicorn started the way ours is (the same
command line, worker count and worker class). Then:

1. the ceiling: ``wrk`` on the bare view, once before the pages and once after them (the mean
   is the ceiling, both are printed: the machine is shared and its load moves);
2. page by page, alternating ours/plain, ``wrk`` (a separate process, on loopback) against
   home, a category, a product, search results and a basket holding 2 lines, as a visitor,
   then home and product as a logged-in member;
3. the lunch rush: every page of ours at ``--rush-connections`` (32) for ``--rush-duration``
   seconds, counting errors (socket errors, non-2xx/3xx answers) and p99.

It prints a markdown table ready to paste into ``docs/benchmarks.md``: per page ours and plain
req/s, their ratio, each one's share of the bare view's req/s ("% of ceiling"), p50/p99, SQL
queries, and whether the page's target holds; then the rush table and a line with the machine
(cores, load average before, during and after).

* p50/p99 come from ``wrk --latency``; a run with socket errors or non-2xx answers is flagged.
* SQL queries per page are counted with Django's test client and ``CaptureQueriesContext`` in a
  subprocess per project, with that project's settings, on the same databases (the second
  request of the page, i.e. warm caches as under load).
* The basket pages are requested with the cookies of a real session: two products added
  through ``POST /basket/add/<id>/`` on the running server.
* "member" rows: our store with a logged-in demo member who has a card (member pricing,
  recommendations); plain Oscar with a logged-in customer. The session is made by the probe
  subprocess (``force_login``) in each project's session store.
* "listed" is how many products the page lists: haystack's SimpleEngine (plain Oscar's default
  here) finds nothing for an empty query, so plain Oscar's home (``/catalogue/``) and category
  pages list no products at all. ``--plain-search whoosh`` gives plain Oscar a Whoosh index
  instead (filled by its loader), so those pages list products: use it for recorded runs.

Needs wrk, PostgreSQL and Redis (``make bench-deps`` installs them). The machine is shared while
developing: ``--duration 3 --rush-duration 3``. Where a page's time goes:
``bench/profile_page.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.cookies
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

PLAIN_DATABASE = "plain_oscar"
PLAIN_REDIS_DATABASE = 1
# The same things in both stores (CSV item names = product codes): the aisle the home page
# features, the best seller, and two everyday items for the basket.
CATEGORY_NAME = "Dairy & eggs"
PRODUCT_CODE = "whole milk"
BASKET_CODES = ("whole milk", "rolls/buns")
SEARCH_PATH = "/search/?q=milk"
PLAIN_MEMBER_USERNAME = "bench-member"
# Both projects list it; the first backend may be one that cannot load a user (ours: a throttle).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
WRK_INSTALL_HINT = "wrk is not installed: make bench-deps"


@dataclass(frozen=True)
class Page:
    """A row of the table: a page the probe found a path for, visited as a visitor or as the
    demo member."""

    name: str
    as_member: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} (member)" if self.as_member else self.name


VISITOR_PAGES = tuple(Page(name) for name in ("home", "category", "product", "search", "basket"))
MEMBER_PAGES = (Page("home", as_member=True), Page("product", as_member=True))
# The targets of the storefront work, checked on every run (same bench, same run).
CEILING_SHARE_TARGET = 25.0  # visitor home/category/product/search: % of the bare view's req/s
PLAIN_RATIO_TARGET = 2.0  # basket, member home/product: times plain Oscar's req/s
MEMBER_P99_TARGET_MS = 250.0  # member home/product at --connections


# --------------------------------------------------------------------------- probe (subprocess)


def _probe(project: str) -> dict:
    """Run inside a project's settings: page paths, query counts, a member session cookie."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from oscar.core.loading import get_model

    # Lets the test client see the template context (to count listed products).
    setup_test_environment()
    Category = get_model("catalogue", "Category")
    Product = get_model("catalogue", "Product")
    category = Category.objects.get(name=CATEGORY_NAME, depth=1)
    product = Product.objects.get(code=PRODUCT_CODE)
    basket_ids = list(
        Product.objects.filter(code__in=BASKET_CODES).values_list("pk", flat=True).order_by("pk")
    )
    # Plain Oscar's "/" is a redirect to OSCAR_HOMEPAGE; load would measure a 302.
    home = "/" if project == "ours" else str(settings.OSCAR_HOMEPAGE)
    paths = {
        "home": home,
        "category": category.get_absolute_url(),
        "product": product.get_absolute_url(),
        "search": SEARCH_PATH,
        "basket": "/basket/",
    }

    def counted(path: str, cookies: dict[str, str]) -> dict:
        """Queries of the second request, each from a new client sending only ``cookies``:
        what wrk sends (no cookie, or the basket's, or the member's session)."""

        def client() -> Client:
            fresh = Client(HTTP_HOST="127.0.0.1")
            for name, value in cookies.items():
                fresh.cookies[name] = value
            return fresh

        client().get(path)  # cold: templates compiled, caches filled
        requester = client()
        with CaptureQueriesContext(connection) as queries:
            response = requester.get(path)
        context = response.context or {}
        page = context.get("page_obj") if "page_obj" in context else None
        listed = len(page.object_list) if page is not None else None
        return {"status": response.status_code, "queries": len(queries), "listed": listed}

    shopper = Client(HTTP_HOST="127.0.0.1")
    for product_id in basket_ids:
        shopper.post(f"/basket/add/{product_id}/", {"quantity": 1})
    basket_cookies = {name: morsel.value for name, morsel in shopper.cookies.items()}
    counts = {name: counted(path, {}) for name, path in paths.items() if name != "basket"}
    counts["basket"] = counted(paths["basket"], basket_cookies)

    member = _probe_member(project)
    member_client = Client(HTTP_HOST="127.0.0.1")
    member_client.force_login(member, backend=MODEL_BACKEND)
    # force_login saved the session in the project's session store (cached_db: database and
    # Redis), so gunicorn accepts the same cookie.
    member_cookie = {
        settings.SESSION_COOKIE_NAME: member_client.cookies[settings.SESSION_COOKIE_NAME].value
    }
    member_counts = {name: counted(paths[name], member_cookie) for name in ("home", "product")}
    return {
        "paths": paths,
        "basket_product_ids": basket_ids,
        "counts": counts,
        "member_counts": member_counts,
        "member_cookie": member_cookie,
        "member": member.get_username(),
    }


def _probe_member(project: str):
    from django.contrib.auth import get_user_model

    if project == "ours":
        # A demo member with a usable card and stored recommendations: the busiest member page.
        from loyalty.models import MemberCard

        card = (
            MemberCard.objects.usable()
            .filter(user__isnull=False)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if card is None:
            sys.exit("No active member card: is the demo loaded?")
        return card.user
    user, _ = get_user_model().objects.get_or_create(
        username=PLAIN_MEMBER_USERNAME, defaults={"email": f"{PLAIN_MEMBER_USERNAME}@example.com"}
    )
    return user


def probe(project: str, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--probe", project],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"probe {project} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- plain Oscar server


def plain_oscar_env(stack, *, search: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.plain_oscar.settings",
        "DEBUG": "False",
        "DATABASE_URL": stack.postgres.url(PLAIN_DATABASE),
        "REDIS_URL": stack.redis.url(PLAIN_REDIS_DATABASE),
        "PLAIN_OSCAR_SEARCH": search,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(PROJECT_DIR),
    }


def plain_oscar_prepare(env: dict) -> None:
    """migrate, collectstatic and the catalogue (each adds only what is missing)."""
    for command in (
        ["-m", "django", "migrate", "--noinput", "-v0"],
        ["-m", "django", "collectstatic", "--noinput", "-v0"],
        ["-m", "bench.plain_oscar.load_catalogue"],
    ):
        subprocess.run([sys.executable, *command], cwd=PROJECT_DIR, env=env, check=True)


# --------------------------------------------------------------------------- load


def session_cookies(base_url: str, product_ids: list[int], product_path: str) -> str:
    """A real session on the running server with the given products in its basket.

    The cookies are read from Set-Cookie by hand: ours are ``Secure`` (production settings)
    and an HTTP client would rightly keep them off plain http, but wrk sends what it is given.
    """
    jar: dict[str, str] = {}

    def request(path: str, data: dict | None = None) -> None:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "Referer": base_url}
        req = urllib.request.Request(base_url + path, data=body, headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                jar[name] = morsel.value
        if response.status >= 400:
            raise RuntimeError(f"{base_url}{path} answered {response.status}")

    request(product_path)
    for product_id in product_ids:
        request(
            f"/basket/add/{product_id}/", {"quantity": "1", "csrfmiddlewaretoken": jar["csrftoken"]}
        )
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class WrkResult:
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx_3xx: int

    @property
    def error_count(self) -> int:
        """Socket errors and non-2xx/3xx answers; a run that finished no request at all counts
        as one error (its latencies say nothing)."""
        return self.socket_errors + self.non_2xx_3xx + (0 if self.requests else 1)

    @property
    def errors(self) -> str:
        parts = [] if self.requests else ["no request finished"]
        if self.non_2xx_3xx:
            parts.append(f"{self.non_2xx_3xx} non-2xx/3xx")
        if self.socket_errors:
            parts.append(f"{self.socket_errors} socket errors")
        return "; ".join(parts)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS_MS[unit]


def wrk_command(
    url: str, *, duration: int, connections: int, threads: int, cookie: str | None
) -> list[str]:
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    return [*command, url]


def wrk_parse(output: str, *, url: str) -> WrkResult:
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise RuntimeError(f"wrk gave no latency distribution for {url}:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    # "Socket errors: connect 0, read 2, write 0, timeout 5"
    socket_line = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    socket_errors = (
        sum(int(n) for n in re.findall(r"\d+", socket_line.group(1))) if socket_line else 0
    )
    return WrkResult(
        requests=int(re.search(r"(\d+) requests in ", output).group(1)),
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        socket_errors=socket_errors,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def wrk(
    url: str, *, duration: int, connections: int, threads: int, cookie: str | None
) -> WrkResult:
    command = wrk_command(
        url, duration=duration, connections=connections, threads=threads, cookie=cookie
    )
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return wrk_parse(output, url=url)


def warm_up(url: str, cookie: str | None, *, requests: int = 10) -> None:
    for _ in range(requests):
        headers = {"Cookie": cookie} if cookie else {}
        req = urllib.request.Request(url, headers=headers)  # noqa: S310 (our loopback URL)
        try:
            urllib.request.urlopen(req, timeout=30).read()  # noqa: S310 (our loopback URL)
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"warm-up {url}: {error.code}") from error


def gunicorn_like_ours(*, wsgi_module: str, port: int, workers: int) -> list[str]:
    """gunicorn for ``wsgi_module`` with the command line ``bench/stack.py`` starts ours with
    (same worker count and worker class), so the three servers differ only in the project."""
    from deploy.prod import app_commands

    command = app_commands(
        host="127.0.0.1",
        port=port,
        stripe_port=0,
        workers=workers,
        localstripe=False,
        celery_worker=False,
        celery_beat=False,
        access_log=False,
    )["gunicorn"]
    return [wsgi_module if part == "shop.wsgi" else part for part in command]


def bare_django_env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.bare_django.settings",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(PROJECT_DIR),
    }


@contextlib.contextmanager
def gunicorn_served(
    name: str, *, wsgi_module: str, env: dict, workers: int, log_dir: Path
) -> Iterator[str]:
    """Serve ``wsgi_module`` on a free loopback port; yield its base URL; stop it on exit."""
    from deploy.prod import start, stop
    from deploy.servers import free_loopback_port, wait_for_port

    port = free_loopback_port()
    server = start(
        name,
        gunicorn_like_ours(wsgi_module=wsgi_module, port=port, workers=workers),
        env,
        log_dir=log_dir,
    )
    try:
        wait_for_port(port, process=server, what=name)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(name, server)


@dataclass
class Row:
    page: Page
    ours: WrkResult
    plain: WrkResult
    ours_queries: int
    plain_queries: int
    listed: str

    @property
    def ratio(self) -> float:
        """ours/plain; 0 when plain Oscar finished no request (the row is flagged as an error)."""
        if not self.plain.requests:
            return 0.0
        return self.ours.requests_per_second / self.plain.requests_per_second


def target_check(row: Row, *, ceiling: float) -> tuple[str, bool]:
    """The page's target and whether this run meets it."""
    if row.page.as_member:
        held = row.ratio >= PLAIN_RATIO_TARGET and row.ours.p99_ms <= MEMBER_P99_TARGET_MS
        return f"≥{PLAIN_RATIO_TARGET:g}× plain, p99 ≤{MEMBER_P99_TARGET_MS:g} ms", held
    if row.page.name == "basket":
        return f"≥{PLAIN_RATIO_TARGET:g}× plain", row.ratio >= PLAIN_RATIO_TARGET
    share = 100 * row.ours.requests_per_second / ceiling
    return f"≥{CEILING_SHARE_TARGET:g} % of ceiling", share >= CEILING_SHARE_TARGET


def _yes_no(held: bool) -> str:
    return "yes" if held else "**no**"


def print_table(rows: list[Row], *, ceiling: float) -> None:
    print(
        "| page | ours req/s | plain req/s | ours/plain | ours % of ceiling "
        "| plain % of ceiling | ours p50 / p99 ms | plain p50 / p99 ms "
        "| SQL queries ours/plain | listed ours/plain | target | met |"
    )
    print("|---" * 12 + "|")
    for row in rows:
        ours, plain = row.ours, row.plain
        target, held = target_check(row, ceiling=ceiling)
        ratio = f"{row.ratio:.2f}×" if plain.requests else "–"
        print(
            f"| {row.page.label} | {ours.requests_per_second:.1f} "
            f"| {plain.requests_per_second:.1f} | {ratio} "
            f"| {100 * ours.requests_per_second / ceiling:.1f} % "
            f"| {100 * plain.requests_per_second / ceiling:.1f} % "
            f"| {ours.p50_ms:.0f} / {ours.p99_ms:.0f} | {plain.p50_ms:.0f} / {plain.p99_ms:.0f} "
            f"| {row.ours_queries}/{row.plain_queries} | {row.listed} | {target} "
            f"| {_yes_no(held)} |"
        )


def print_rush_table(rush: list[tuple[Page, WrkResult]], *, connections: int) -> None:
    print(
        f"| page (ours, {connections} connections) | requests | req/s | p50 ms | p99 ms | errors |"
    )
    print("|---" * 6 + "|")
    for page, result in rush:
        print(
            f"| {page.label} | {result.requests} | {result.requests_per_second:.1f} "
            f"| {result.p50_ms:.0f} | {result.p99_ms:.0f} | {result.errors or 0} |"
        )


def versions_summary() -> str:
    """Versions, for the results' heading (the bench's own interpreter)."""
    import django
    import gunicorn
    import oscar

    wrk_answer = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    wrk_version = (wrk_answer.stdout + wrk_answer.stderr).split(" [")[0].strip()
    postgres = subprocess.run(
        [str(Path(shutil.which("pg_config") or "pg_config")), "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    redis = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.split(" sha=")[0]
    return (
        f"Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"django-oscar {oscar.get_version()}, gunicorn {gunicorn.__version__}; {postgres}; "
        f"{redis}; {wrk_version}"
    )


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        ).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        " + changes" if git("status", "--porcelain") else ""
    )


def run(args: argparse.Namespace) -> int:
    from bench.stack import running_stack

    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.UTC)
    print(f"before: nproc {os.cpu_count()}, load average {_load(load_before)}", flush=True)
    pages = [*VISITOR_PAGES, *(() if args.no_member else MEMBER_PAGES)]
    load_samples: list[float] = []
    with contextlib.ExitStack() as servers:
        stack = servers.enter_context(
            running_stack(workers=args.workers, with_worker=True, with_localstripe=False)
        )
        stack.postgres.create_database(PLAIN_DATABASE)
        plain_env = plain_oscar_env(stack, search=args.plain_search)
        plain_oscar_prepare(plain_env)
        plain_base = servers.enter_context(
            gunicorn_served(
                "plain-oscar-gunicorn",
                wsgi_module="bench.plain_oscar.wsgi",
                env=plain_env,
                workers=args.workers,
                log_dir=stack.log_dir,
            )
        )
        bare_url = (
            servers.enter_context(
                gunicorn_served(
                    "bare-django-gunicorn",
                    wsgi_module="bench.bare_django.wsgi",
                    env=bare_django_env(),
                    workers=args.workers,
                    log_dir=stack.log_dir,
                )
            )
            + "/"
        )
        ours_probe = probe("ours", stack.env)
        plain_probe = probe("plain", plain_env)
        sides = {"ours": (stack.base_url, ours_probe), "plain": (plain_base, plain_probe)}
        basket_cookies = {
            side: session_cookies(base, found["basket_product_ids"], found["paths"]["product"])
            for side, (base, found) in sides.items()
        }
        member_cookies = {
            side: "; ".join(f"{k}={v}" for k, v in found["member_cookie"].items())
            for side, (base, found) in sides.items()
        }

        def cookie_for(page: Page, side: str) -> str | None:
            if page.as_member:
                return member_cookies[side]
            return basket_cookies[side] if page.name == "basket" else None

        def measure(url: str, cookie: str | None, *, connections: int, duration: int) -> WrkResult:
            result = wrk(
                url,
                duration=duration,
                connections=connections,
                threads=args.threads,
                cookie=cookie,
            )
            load_samples.append(os.getloadavg()[0])
            # wrk stops sending, but the requests already in the server's accept queue are
            # still served: one more request waits behind them, so the next measurement starts
            # on a drained server.
            warm_up(url, cookie, requests=1)
            return result

        warm_up(bare_url, None)
        bare = [measure(bare_url, None, connections=args.connections, duration=args.duration)]
        print(f"  ceiling (bare Django): {bare[0].requests_per_second:.1f} req/s", flush=True)
        rows = []
        for page in pages:
            results = {}
            for side, (base, found) in sides.items():
                url = base + found["paths"][page.name]
                warm_up(url, cookie_for(page, side))
                results[side] = measure(
                    url,
                    cookie_for(page, side),
                    connections=args.connections,
                    duration=args.duration,
                )
            counts = {
                side: found["member_counts" if page.as_member else "counts"][page.name]
                for side, (base, found) in sides.items()
            }
            rows.append(
                Row(
                    page=page,
                    ours=results["ours"],
                    plain=results["plain"],
                    ours_queries=counts["ours"]["queries"],
                    plain_queries=counts["plain"]["queries"],
                    listed="/".join(
                        "-" if count["listed"] is None else str(count["listed"])
                        for count in counts.values()
                    ),
                )
            )
            print(
                f"  {page.label}: ours {results['ours'].requests_per_second:.1f} req/s, "
                f"plain {results['plain'].requests_per_second:.1f} req/s",
                flush=True,
            )
        bare.append(measure(bare_url, None, connections=args.connections, duration=args.duration))
        print(f"  ceiling (bare Django): {bare[1].requests_per_second:.1f} req/s", flush=True)
        rush: list[tuple[Page, WrkResult]] = []
        if args.rush_duration:
            for page in pages:
                result = measure(
                    stack.base_url + ours_probe["paths"][page.name],
                    cookie_for(page, "ours"),
                    connections=args.rush_connections,
                    duration=args.rush_duration,
                )
                rush.append((page, result))
                print(
                    f"  rush {page.label}: {result.requests_per_second:.1f} req/s, "
                    f"p99 {result.p99_ms:.0f} ms, errors {result.error_count}",
                    flush=True,
                )
    load_after = os.getloadavg()
    ceiling = sum(result.requests_per_second for result in bare) / len(bare)
    worker_class = (
        "gthread"
        if "--threads" in gunicorn_like_ours(wsgi_module="shop.wsgi", port=0, workers=args.workers)
        else "sync"
    )

    print(
        f"\nRun {started:%Y-%m-%d %H:%M} UTC, commit {_commit()}: "
        f"`bench/storefront.py {' '.join(sys.argv[1:])}`\n"
    )
    print_table(rows, ceiling=ceiling)
    print(
        f"\nCeiling: the bare Django view (`bench/bare_django/`, 3 kB, no database) on the same "
        f"gunicorn, {ceiling:.1f} req/s (before the pages {bare[0].requests_per_second:.1f}, "
        f"after {bare[1].requests_per_second:.1f}; p99 {bare[0].p99_ms:.0f} / "
        f"{bare[1].p99_ms:.0f} ms)."
    )
    flagged = [
        f"{row.page.label} ({side}): {result.errors}"
        for row in rows
        for side, result in (("ours", row.ours), ("plain", row.plain))
        if result.errors
    ]
    flagged += [f"ceiling: {result.errors}" for result in bare if result.errors]
    if flagged:
        print("Errors at " + f"{args.connections} connections: " + ", ".join(flagged) + ".")
    if rush:
        rush_errors = sum(result.error_count for _, result in rush)
        print(
            f"\nLunch rush: each page of ours, {args.rush_connections} connections, "
            f"{args.rush_duration} s.\n"
        )
        print_rush_table(rush, connections=args.rush_connections)
        print(
            f"\n0 errors at {args.rush_connections} connections: {_yes_no(rush_errors == 0)} "
            f"({rush_errors} errors)."
        )
    rows_met = [target_check(row, ceiling=ceiling)[1] for row in rows]
    print(
        f"\nTargets met: {sum(rows_met)} of {len(rows_met)} pages"
        + (
            f"; lunch rush {'clean' if rush and rush_errors == 0 else 'with errors'}"
            if rush
            else ""
        )
        + "."
    )
    print(
        f"\nMachine: nproc {os.cpu_count()}; load average (1, 5, 15 min) before "
        f"{_load(load_before)}, after {_load(load_after)}; 1 min during the run "
        f"{min(load_samples):.2f}–{max(load_samples):.2f}. {args.workers} gunicorn "
        f"{worker_class} workers per server; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s; plain Oscar's search {args.plain_search}; member: ours "
        f"{ours_probe['member']}, plain {plain_probe['member']}. {versions_summary()}."
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per page and side")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers, each server")
    parser.add_argument(
        "--plain-search",
        choices=("simple", "whoosh"),
        default="simple",
        help="plain Oscar's haystack backend (simple lists no products on home and category)",
    )
    parser.add_argument("--no-member", action="store_true", help="skip the logged-in rows")
    parser.add_argument(
        "--rush-duration",
        type=int,
        default=30,
        help="seconds of the lunch rush per page of ours (0 skips it)",
    )
    parser.add_argument(
        "--rush-connections", type=int, default=32, help="wrk connections in the lunch rush"
    )
    parser.add_argument("--probe", choices=("ours", "plain"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(_probe(args.probe)))
        return 0
    if shutil.which("wrk") is None:
        print(WRK_INSTALL_HINT, file=sys.stderr)
        return 1
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
