"""Storefront throughput and latency: our store against plain Oscar 4.2, side by side.

    .venv/bin/python bench/storefront.py --duration 20 --connections 8

One command. It starts our production stack (``bench/stack.py``: PostgreSQL, Redis, Celery
worker, gunicorn, demo data under ``var/bench/``), puts the same catalogue into a plain Oscar 4.2
project (``bench/plain_oscar/``) on its own database in the same PostgreSQL and its own Redis
database, serves it with gunicorn with the same worker count, then, page by page and alternating
ours/plain, drives ``wrk`` (a separate process, on loopback) against home, a category, a product,
search results and a basket holding 2 lines, and prints one table:

    page | ours req/s | plain req/s | ours p50 | plain p50 | ours p99 | plain p99
         | ours SQL queries | plain SQL queries | products listed ours/plain

* p50/p99 come from ``wrk --latency``; a run with socket errors or non-2xx answers is flagged.
* SQL queries per page are counted with Django's test client and ``CaptureQueriesContext`` in a
  subprocess per project, with that project's settings, on the same databases (the second
  request of the page, i.e. warm caches as under load).
* The basket pages are requested with the cookies of a real session: two products added
  through ``POST /basket/add/<id>/`` on the running server.
* "member" rows: our store with a logged-in demo member who has a card (member pricing,
  recommendations); plain Oscar with a logged-in customer. The session is made by the probe
  subprocess (``force_login``) in each project's session store.
* "products" is how many products the page lists: haystack's SimpleEngine (the backend this
  bench was asked to use for plain Oscar) finds nothing for an empty query, so plain Oscar's
  home (``/catalogue/``) and category pages list no products at all. ``--plain-search whoosh``
  gives plain Oscar a Whoosh index instead (filled by its loader), so those pages list products.

Needs wrk, PostgreSQL and Redis (``deploy/system-packages.sh wrk postgresql redis-server``).
The machine is shared while developing: use ``--duration 3``.
"""

from __future__ import annotations

import argparse
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
WRK_INSTALL_HINT = "wrk is not installed: deploy/system-packages.sh wrk"


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
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: str


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS_MS[unit]


def wrk(
    url: str, *, duration: int, connections: int, threads: int, cookie: str | None
) -> WrkResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise RuntimeError(f"wrk gave no latency distribution for {url}:\n{output}")
    errors = []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors.append(f"{match.group(1)} non-2xx")
    if match := re.search(r"Socket errors: (.*)$", output, re.MULTILINE):
        errors.append(f"socket errors {match.group(1)}")
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        errors="; ".join(errors),
    )


def warm_up(url: str, cookie: str | None, *, requests: int = 10) -> None:
    for _ in range(requests):
        headers = {"Cookie": cookie} if cookie else {}
        req = urllib.request.Request(url, headers=headers)  # noqa: S310 (our loopback URL)
        try:
            urllib.request.urlopen(req, timeout=30).read()  # noqa: S310 (our loopback URL)
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"warm-up {url}: {error.code}") from error


def print_table(rows: list[dict]) -> None:
    header = (
        "| page | ours req/s | plain req/s | ours p50 ms | plain p50 ms | ours p99 ms "
        "| plain p99 ms | ours SQL queries | plain SQL queries | products listed ours/plain |"
    )
    print("\n" + header)
    print("|---" * 10 + "|")
    for row in rows:
        ours, plain = row["ours"], row["plain"]
        print(
            f"| {row['page']} | {ours.requests_per_second:.1f} | {plain.requests_per_second:.1f} "
            f"| {ours.p50_ms:.1f} | {plain.p50_ms:.1f} | {ours.p99_ms:.1f} | {plain.p99_ms:.1f} "
            f"| {row['ours_queries']} | {row['plain_queries']} | {row['listed']} |"
        )
    flagged = [
        (row["page"], side, result.errors)
        for row in rows
        for side, result in (("ours", row["ours"]), ("plain", row["plain"]))
        if result.errors
    ]
    for page, side, errors in flagged:
        print(f"WARNING {page} ({side}): {errors}")


def machine_summary() -> str:
    """Cores, load and versions, for the results' heading (the bench's own interpreter)."""
    import django
    import oscar

    load = os.getloadavg()
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
        f"nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"django-oscar {oscar.get_version()}; {postgres}; {redis}; {wrk_version}"
    )


def run(args: argparse.Namespace) -> int:
    from bench.stack import running_stack
    from deploy.prod import start, stop

    print(f"before: {machine_summary()}", flush=True)
    with running_stack(workers=args.workers, with_worker=True, with_localstripe=False) as stack:
        stack.postgres.create_database(PLAIN_DATABASE)
        plain_env = plain_oscar_env(stack, search=args.plain_search)
        plain_oscar_prepare(plain_env)
        from deploy.servers import free_loopback_port, wait_for_port

        plain_port = free_loopback_port()
        plain_base = f"http://127.0.0.1:{plain_port}"
        plain_server = start(
            "plain-oscar-gunicorn",
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "bench.plain_oscar.wsgi",
                "--bind",
                f"127.0.0.1:{plain_port}",
                "--workers",
                str(args.workers),
            ],
            plain_env,
            log_dir=stack.log_dir,
        )
        try:
            wait_for_port(plain_port, process=plain_server, what="plain Oscar gunicorn")
            ours_probe = probe("ours", stack.env)
            plain_probe = probe("plain", plain_env)
            sides = {
                "ours": (stack.base_url, ours_probe),
                "plain": (plain_base, plain_probe),
            }
            cookies = {
                side: session_cookies(base, found["basket_product_ids"], found["paths"]["product"])
                for side, (base, found) in sides.items()
            }
            member_cookies = {
                side: "; ".join(f"{k}={v}" for k, v in found["member_cookie"].items())
                for side, (base, found) in sides.items()
            }
            pages = [(name, False) for name in ("home", "category", "product", "search", "basket")]
            if not args.no_member:
                pages += [(name, True) for name in ("home", "product")]
            rows = []
            load_samples = []
            for name, as_member in pages:
                row = {"page": f"{name} (member)" if as_member else name}
                listed = []
                for side, (base, found) in sides.items():
                    url = base + found["paths"][name]
                    if as_member:
                        cookie = member_cookies[side]
                    elif name == "basket":
                        cookie = cookies[side]
                    else:
                        cookie = None
                    warm_up(url, cookie)
                    row[side] = wrk(
                        url,
                        duration=args.duration,
                        connections=args.connections,
                        threads=args.threads,
                        cookie=cookie,
                    )
                    load_samples.append(os.getloadavg()[0])
                    counts = found["member_counts" if as_member else "counts"][name]
                    row[f"{side}_queries"] = counts["queries"]
                    listed.append("-" if counts["listed"] is None else str(counts["listed"]))
                row["listed"] = "/".join(listed)
                rows.append(row)
                print(
                    f"  {row['page']}: ours {row['ours'].requests_per_second:.1f} req/s, "
                    f"plain {row['plain'].requests_per_second:.1f} req/s",
                    flush=True,
                )
        finally:
            stop("plain-oscar-gunicorn", plain_server)
    print_table(rows)
    print(
        f"\nmember: ours {ours_probe['member']}, plain {plain_probe['member']}; "
        f"gunicorn workers {args.workers} each; plain Oscar search backend {args.plain_search}; "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
    )
    print(
        f"load average (1 min) during the run: min {min(load_samples):.2f}, "
        f"max {max(load_samples):.2f}"
    )
    print(f"after: {machine_summary()}")
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
