"""SQL queries and time per request for the store's busiest pages.

Run against a database where ``manage.py load_demo`` ran, e.g.::

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py load_demo
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/page_queries.py

Requests go through Django's test client in this process (no network, no server), so the
numbers are the view + template + ORM cost alone. Each page is requested once cold (empty
caches, templates not yet compiled) and then ``--repeat`` times warm; the table shows both,
for an anonymous visitor and for a logged-in member (a user holding an active member card,
so the member price offer and the personal recommendations apply). Beside wall time the
table gives the CPU time this process spent per warm request, which other processes on a
shared machine disturb far less.

``--settings`` measures another project on the same pages, e.g. the plain Oscar 4.2 project
the storefront benchmark compares with (``--settings bench.plain_oscar.settings``): its "/"
redirects to the catalogue, which is then measured as its home page, and its member is a
plain logged-in customer. ``--show-queries PAGE`` prints the SQL of one warm request of a
page, to see where the queries go.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_MEMBER_EMAIL = "page-queries-member@example.com"
PAGES = ("home", "category", "product", "basket", "search")


@dataclass(frozen=True)
class Measurement:
    page: str
    visitor: str
    path: str
    status: int
    cold_queries: int
    cold_ms: float
    warm_queries: int
    warm_cache_calls: int
    warm_median_ms: float
    warm_median_cpu_ms: float
    warm_sql: tuple[str, ...]


CACHE_METHODS = (
    "get",
    "get_many",
    "set",
    "set_many",
    "add",
    "delete",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "touch",
    "get_or_set",
)


class CacheCalls:
    """Counts the calls to the default cache while active: each is a round trip to Redis in
    production (``get_many`` and ``set_many`` one each, whatever their number of keys)."""

    def __init__(self):
        self.calls: list[str] = []
        self._depth = 0

    def __enter__(self):
        from django.core.cache import caches

        self._cache = caches["default"]
        for name in CACHE_METHODS:
            original = getattr(self._cache, name)
            setattr(self._cache, name, self._counted(name, original))
        return self

    def _counted(self, name, original):
        def counted(*args, **kwargs):
            # Local memory's get_many calls get per key; Redis answers it in one round trip.
            if self._depth == 0:
                self.calls.append(name)
            self._depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self._depth -= 1

        return counted

    def __exit__(self, *exc_info):
        for name in CACHE_METHODS:
            delattr(self._cache, name)


def measure(client, *, page: str, visitor: str, path: str, repeat: int) -> Measurement:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def one_request() -> tuple[int, list[str], float, float, int]:
        with CaptureQueriesContext(connection) as queries, CacheCalls() as cache_calls:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(path)
            elapsed_ms = (time.perf_counter() - started) * 1000
            cpu_ms = (time.process_time() - cpu_started) * 1000
        return (
            response.status_code,
            [query["sql"] for query in queries],
            elapsed_ms,
            cpu_ms,
            len(cache_calls.calls),
        )

    status, cold_sql, cold_ms, _cold_cpu_ms, _cold_cache_calls = one_request()
    warm = [one_request() for _ in range(repeat)]
    return Measurement(
        page=page,
        visitor=visitor,
        path=path,
        status=status,
        cold_queries=len(cold_sql),
        cold_ms=cold_ms,
        warm_queries=len(warm[-1][1]),
        warm_cache_calls=warm[-1][4],
        warm_median_ms=statistics.median(elapsed for _, _, elapsed, _, _ in warm),
        warm_median_cpu_ms=statistics.median(cpu for _, _, _, cpu, _ in warm),
        warm_sql=tuple(warm[-1][1]),
    )


def pick_pages(*, basket_lines: int):
    """The category with the most products, products in stock from it, a search word."""
    from django.db.models import Count
    from oscar.core.loading import get_model

    Category = get_model("catalogue", "Category")
    Product = get_model("catalogue", "Product")

    category = (
        Category.objects.annotate(product_count=Count("product"))
        .filter(product_count__gt=0)
        .order_by("-product_count", "pk")
        .first()
    )
    if category is None:
        sys.exit("No category has products: run `manage.py load_demo` on this database first.")
    in_stock = (
        Product.objects.filter(stockrecords__num_in_stock__gt=0, stockrecords__price__isnull=False)
        .distinct()
        .order_by("pk")
    )
    products = list(in_stock.filter(categories=category)[:basket_lines])
    if len(products) < basket_lines:
        products = list(in_stock[:basket_lines])
    if len(products) < basket_lines:
        sys.exit(f"Fewer than {basket_lines} products in stock: is the demo data loaded?")
    search_word = products[0].title.split()[0].lower()
    return category, products, search_word


def member_user():
    """A user with an active member card (and ideally a "new for you" recommendation list).

    A project without the loyalty app (plain Oscar) gets a plain customer account.
    """
    from django.apps import apps
    from django.contrib.auth import get_user_model

    if apps.is_installed("loyalty"):
        MemberCard = apps.get_model("loyalty", "MemberCard")
        cards = (
            MemberCard.objects.usable()
            .filter(user__isnull=False, user__is_staff=False)
            .select_related("user")
        )
        if apps.is_installed("recommendations"):
            RecommendationList = apps.get_model("recommendations", "RecommendationList")
            new_for_you = RecommendationList.objects.filter(
                kind=RecommendationList.Kind.NEW_FOR_YOU
            ).values("owner_id")
            card = cards.filter(user_id__in=new_for_you).order_by("pk").first()
        else:
            card = None
        card = card or cards.order_by("pk").first()
        if card is None:
            sys.exit("No active member card with a user: is the demo data loaded?")
        return card.user
    User = get_user_model()
    user = User.objects.filter(email=BENCH_MEMBER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            username="page-queries-member", email=BENCH_MEMBER_EMAIL, password=None
        )
    return user


def fill_basket(client, products) -> None:
    from django.urls import reverse

    for product in products:
        response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
        if response.status_code not in (200, 302):
            sys.exit(f"Adding {product.title!r} to the basket answered {response.status_code}.")


def empty_open_baskets(user) -> None:
    """Runs on a bench copy add to the member's basket: start each run from an empty one."""
    from oscar.core.loading import get_model

    Line = get_model("basket", "Line")
    Line.objects.filter(basket__owner=user, basket__status="Open").delete()


def home_path() -> str:
    """Oscar's home page setting: '/' here, the catalogue in plain Oscar ('/' redirects)."""
    from django.conf import settings

    return str(settings.OSCAR_HOMEPAGE)


def measure_visitor(
    client, *, visitor: str, category, products, search_word: str, repeat: int
) -> list[Measurement]:
    rows = [
        measure(client, page="home", visitor=visitor, path=home_path(), repeat=repeat),
        measure(
            client,
            page="category",
            visitor=visitor,
            path=category.get_absolute_url(),
            repeat=repeat,
        ),
        measure(
            client,
            page="product",
            visitor=visitor,
            path=products[0].get_absolute_url(),
            repeat=repeat,
        ),
    ]
    fill_basket(client, products)
    rows.append(
        measure(
            client,
            page=f"basket ({len(products)} lines)",
            visitor=visitor,
            path="/basket/",
            repeat=repeat,
        )
    )
    rows.append(
        measure(
            client,
            page="search",
            visitor=visitor,
            path=f"/search/?q={search_word}",
            repeat=repeat,
        )
    )
    return rows


def print_table(rows: list[Measurement], *, repeat: int) -> None:
    header = (
        f"| page | visitor | path | status | queries (cold) | ms (cold) | queries (warm) "
        f"| cache calls (warm) | ms (warm, median of {repeat}) | CPU ms (warm, median) |"
    )
    print(header)
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.page} | {row.visitor} | `{row.path}` | {row.status} | {row.cold_queries} | "
            f"{row.cold_ms:.0f} | {row.warm_queries} | {row.warm_cache_calls} | "
            f"{row.warm_median_ms:.0f} | "
            f"{row.warm_median_cpu_ms:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm requests per page (default 5)")
    parser.add_argument(
        "--basket-lines", type=int, default=2, help="products in the basket (default 2)"
    )
    parser.add_argument(
        "--settings",
        default="",
        help="Django settings module to measure instead of shop.settings (e.g. plain Oscar's)",
    )
    parser.add_argument(
        "--show-queries",
        choices=PAGES,
        action="append",
        default=[],
        help="print the SQL of one warm request of this page (repeatable)",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(PROJECT_DIR))
    if args.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    category, products, search_word = pick_pages(basket_lines=args.basket_lines)
    pages = dict(category=category, products=products, search_word=search_word)
    rows = measure_visitor(Client(), visitor="anonymous", repeat=args.repeat, **pages)
    member = member_user()
    empty_open_baskets(member)
    member_client = Client()
    # Django's own backend by name: the first configured backend may be one that never logs
    # anyone in (the login throttle).
    member_client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    rows += measure_visitor(member_client, visitor="member", repeat=args.repeat, **pages)

    database = settings.DATABASES["default"]
    print(f"settings: {os.environ['DJANGO_SETTINGS_MODULE']}")
    print(f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    print(
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, DEBUG={settings.DEBUG}"
    )
    print()
    print_table(rows, repeat=args.repeat)
    for row in rows:
        if row.page.split()[0] in args.show_queries:
            print(f"\n-- {row.page}, {row.visitor}, warm: {row.warm_queries} queries")
            for number, sql in enumerate(row.warm_sql, start=1):
                print(f"{number:3}. {sql}")
    failed = [row for row in rows if row.status != 200]
    if failed:
        sys.exit(
            "Pages that did not answer 200: "
            + ", ".join(f"{row.page} ({row.visitor})" for row in failed)
        )


if __name__ == "__main__":
    main()
