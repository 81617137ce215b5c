"""The home page with two product lists must stay well under 25 SQL queries.

Run with ``-s`` to see the measured numbers (they go in docs/benchmarks.md).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import create_product

from shop.pages.models import HomePage

pytestmark = pytest.mark.django_db

HOME_PAGE_QUERY_BUDGET = 25
# A cold process also fills the header menus' caches and the catalogue version
# (shop.apps.catalogue.selectors), which every later request reads instead of the database,
# and renders the "Recommended for you" row, which later requests take from the cache
# (recommendations.templatetags.recommendation_tags): its products are loaded on their own.
COLD_HOME_PAGE_QUERY_BUDGET = 34


def test_home_page_with_two_product_lists_stays_under_the_query_budget(client, home_page):
    home = HomePage.objects.get()
    assert [block.block_type for block in home.body].count("product_list") == 2

    # The first request fills per-process caches (site root paths, category URLs, thumbnails
    # in sorl's key-value store); the second is what every later shopper pays.
    with CaptureQueriesContext(connection) as first_request:
        first = client.get("/")
    with CaptureQueriesContext(connection) as warm_request:
        warm = client.get("/")

    assert first.status_code == warm.status_code == 200
    assert warm.content.decode().count('class="product_pod"') >= 4
    print(
        f"\nhome page SQL queries: first request {len(first_request)}, "
        f"warm request {len(warm_request)}"
    )
    assert len(first_request) < COLD_HOME_PAGE_QUERY_BUDGET
    assert len(warm_request) < HOME_PAGE_QUERY_BUDGET


def test_query_count_does_not_grow_with_the_number_of_products(client, store, home_page):
    client.get("/")
    with CaptureQueriesContext(connection) as with_few:
        few_html = client.get("/").content.decode()

    # Same two lists showing more products each: the count must not move.
    for index in range(6):
        extra = create_product(
            title=f"Extra {index}",
            product_class="Groceries",
            price=Decimal("2.00"),
            num_in_stock=5,
        )
        extra.categories.add(store.dairy)
    home = HomePage.objects.get()
    body = []
    for block in home.body.raw_data:
        if block["type"] == "product_list":
            block = {**block, "value": {**block["value"], "limit": 8}}
        body.append(block)
    home.body = body
    home.save_revision().publish()
    client.get("/")
    with CaptureQueriesContext(connection) as with_more:
        more_html = client.get("/").content.decode()

    assert more_html.count('class="product_pod"') > few_html.count('class="product_pod"')
    assert len(with_more) == len(with_few)
