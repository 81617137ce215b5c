"""SQL queries and time per request for the store's busiest pages.

Run against a database where ``manage.py load_demo`` ran, e.g.::

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py load_demo
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/page_queries.py

Requests go through Django's test client in this process (no network, no server), so the
numbers are the view + template + ORM cost alone. Each page is requested once cold (empty
caches, templates not yet compiled) and then ``--repeat`` times warm; the table shows both.
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
BASKET_LINES = 3


@dataclass(frozen=True)
class Measurement:
    page: str
    path: str
    status: int
    cold_queries: int
    cold_ms: float
    warm_queries: int
    warm_median_ms: float


def measure(client, *, page: str, path: str, repeat: int) -> Measurement:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def one_request() -> tuple[int, int, float]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            elapsed_ms = (time.perf_counter() - started) * 1000
        return response.status_code, len(queries), elapsed_ms

    status, cold_queries, cold_ms = one_request()
    warm = [one_request() for _ in range(repeat)]
    return Measurement(
        page=page,
        path=path,
        status=status,
        cold_queries=cold_queries,
        cold_ms=cold_ms,
        warm_queries=warm[-1][1],
        warm_median_ms=statistics.median(elapsed for _, _, elapsed in warm),
    )


def pick_pages():
    """The category with the most products, a product in stock from it, a search word."""
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
    products = list(in_stock.filter(categories=category)[:BASKET_LINES])
    if len(products) < BASKET_LINES:
        products = list(in_stock[:BASKET_LINES])
    if len(products) < BASKET_LINES:
        sys.exit(f"Fewer than {BASKET_LINES} products in stock: is the demo data loaded?")
    search_word = products[0].title.split()[0].lower()
    return category, products, search_word


def fill_basket(client, products) -> None:
    from django.urls import reverse

    for product in products:
        response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
        if response.status_code not in (200, 302):
            sys.exit(f"Adding {product.title!r} to the basket answered {response.status_code}.")


def print_table(rows: list[Measurement], *, repeat: int) -> None:
    header = (
        f"| page | path | status | queries (cold) | ms (cold) | queries (warm) "
        f"| ms (warm, median of {repeat}) |"
    )
    print(header)
    print("|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.page} | `{row.path}` | {row.status} | {row.cold_queries} | "
            f"{row.cold_ms:.0f} | {row.warm_queries} | {row.warm_median_ms:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm requests per page (default 5)")
    args = parser.parse_args()

    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    category, products, search_word = pick_pages()
    client = Client()
    rows = [
        measure(client, page="home", path="/", repeat=args.repeat),
        measure(client, page="category", path=category.get_absolute_url(), repeat=args.repeat),
        measure(client, page="product", path=products[0].get_absolute_url(), repeat=args.repeat),
    ]
    fill_basket(client, products)
    rows.append(
        measure(client, page=f"basket ({BASKET_LINES} lines)", path="/basket/", repeat=args.repeat)
    )
    rows.append(
        measure(client, page="search", path=f"/search/?q={search_word}", repeat=args.repeat)
    )

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    print(
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, DEBUG={settings.DEBUG}"
    )
    print()
    print_table(rows, repeat=args.repeat)
    failed = [row for row in rows if row.status != 200]
    if failed:
        sys.exit("Pages that did not answer 200: " + ", ".join(row.page for row in failed))


if __name__ == "__main__":
    main()
