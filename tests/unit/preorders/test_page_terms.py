"""A page reads the pre-order terms of the products it lists once, not once per product, and
a pre-order opened, filled or closed shows on the next request."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import create_product

from preorders import selectors, services
from shop.request_memo import RequestMemoMiddleware
from tests.factories.preorders import preorder_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, django_user_model, page_cache_off):
    """A signed-in shopper whose pages render on every request (no page cache): the tests
    count what a render reads."""
    client.force_login(
        django_user_model.objects.create_user(username="shopper", password="not-used-here"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return client


def catalogue_queries(client) -> int:
    client.get(reverse("catalogue:index"))  # warms the menus and thumbnails
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("catalogue:index"))
    assert page.status_code == 200
    return len(queries)


def preorder_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("catalogue:index"))
    return sum(
        1
        for query in queries
        if "preorders_preorder" in query["sql"] or "preorders_preordersettings" in query["sql"]
    )


def test_a_listing_reads_pre_order_terms_in_the_same_queries_for_one_or_many(client):
    create_product(title="Campus cheddar", price=Decimal("12.50"), num_in_stock=10)
    preorder_product(title="Organic Chemistry, 9th edition")
    client.get(reverse("catalogue:index"))
    one = preorder_queries(client)

    for title in ("Graduation gown", "Lab coat", "Calculus, 3rd edition"):
        preorder_product(title=title)
    client.get(reverse("catalogue:index"))
    four = preorder_queries(client)

    assert one == four == 2


def id_reads(monkeypatch) -> list[str]:
    """The cache reads of the open pre-order ids from now on."""
    reads = []
    original_get = cache.get

    def counting_get(key, *args, **kwargs):
        if key == selectors.PREORDER_PRODUCT_IDS_CACHE_KEY:
            reads.append(key)
        return original_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    return reads


def test_a_listing_reads_the_open_pre_order_ids_once(client, monkeypatch):
    for title in ("Organic Chemistry, 9th edition", "Graduation gown"):
        preorder_product(title=title)
    for number in range(3):
        create_product(title=f"Product {number}", price=Decimal("1.00"), num_in_stock=5)
    client.get(reverse("catalogue:index"))
    reads = id_reads(monkeypatch)

    page = client.get(reverse("catalogue:index"))

    assert page.content.decode().count("Pre-order") >= 2
    assert len(reads) == 1


def product_page(client, settings) -> str:
    return client.get(settings.product.get_absolute_url()).content.decode()


def test_a_pre_order_filled_then_closed_shows_on_the_next_request(client):
    settings = preorder_product(title="Graduation gown", cap=10)
    assert "Pre-order: ships by" in product_page(client, settings)

    settings.cap, settings.few_left_threshold = 3, 5
    settings.save()
    assert "Only 3 left to pre-order" in product_page(client, settings)

    settings.refresh_from_db()
    services.preorder_settings_save(
        product=settings.product,
        release_date=settings.release_date,
        cap=settings.cap,
        is_active=False,
    )
    html = product_page(client, settings)
    assert "Pre-order: ships by" not in html
    assert "Only 3 left to pre-order" not in html


def test_a_pre_order_opened_during_a_request_is_read_again_in_it():
    product = create_product(title="Lab coat", price=Decimal("20.00"), num_in_stock=0)

    def view(request):
        before = selectors.preorder_open_product_ids()
        services.preorder_settings_save(
            product=product, release_date=timezone.localdate() + dt.timedelta(days=5), cap=3
        )
        return before, selectors.preorder_open_product_ids()

    before, after = RequestMemoMiddleware(view)(None)

    assert product.pk not in before
    assert product.pk in after


def test_the_basket_page_reads_the_open_pre_order_ids_once(client, monkeypatch):
    for title in ("Campus cheddar", "Sourdough loaf", "Green tea"):
        product = create_product(title=title, price=Decimal("2.00"), num_in_stock=5)
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    client.get(reverse("basket:summary"))
    reads = id_reads(monkeypatch)

    assert client.get(reverse("basket:summary")).status_code == 200
    assert len(reads) <= 1
