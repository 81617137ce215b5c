"""Catalogue, category and search pages list products straight from the database."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.test.factories import create_product

from shop.page_cache.selectors import page_cache_versions_forget

pytestmark = pytest.mark.django_db


def _titles(response):
    return [product.title for product in response.context["object_list"]]


def _product_in(category, **kwargs):
    product = create_product(num_in_stock=10, **kwargs)
    product.categories.add(category)
    return product


def test_catalogue_lists_public_products_only(client):
    create_product(title="Whole Milk", price=Decimal("13.40"), num_in_stock=5)
    create_product(title="Secret Cheese", price=Decimal("20.00"), num_in_stock=5, is_public=False)

    response = client.get(reverse("catalogue:index"))

    assert response.status_code == 200
    assert _titles(response) == ["Whole Milk"]
    assert "Whole Milk" in response.content.decode()


def test_category_page_includes_subcategories_and_nothing_else(client):
    dairy = create_from_breadcrumbs("Dairy")
    cheese = create_from_breadcrumbs("Dairy > Cheese")
    bakery = create_from_breadcrumbs("Bakery")
    _product_in(dairy, title="Whole Milk")
    _product_in(cheese, title="Cheddar")
    _product_in(bakery, title="Rolls")

    response = client.get(dairy.get_absolute_url())

    assert response.status_code == 200
    assert sorted(_titles(response)) == ["Cheddar", "Whole Milk"]
    assert response.context["category"] == dairy


def test_hidden_category_is_not_found_for_shoppers(client):
    hidden = create_from_breadcrumbs("Staff only")
    hidden.is_public = False
    hidden.save()

    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_category_with_renamed_slug_redirects_to_its_url(client):
    dairy = create_from_breadcrumbs("Dairy")
    stale = reverse("catalogue:category", kwargs={"category_slug": "old-name", "pk": dairy.pk})

    response = client.get(stale)

    assert response.status_code == 301
    assert response["Location"] == dairy.get_absolute_url()


def test_search_matches_every_word_in_title_description_barcode_or_category(client):
    drinks = create_from_breadcrumbs("Drinks")
    _product_in(drinks, title="Bottled Water", upc="2000000000015")
    create_product(title="Whole Milk", num_in_stock=3)
    create_product(title="Long Life Milk", num_in_stock=3)

    def search(query):
        return sorted(_titles(client.get(reverse("search:search"), {"q": query})))

    assert search("milk") == ["Long Life Milk", "Whole Milk"]
    assert search("whole milk") == ["Whole Milk"]
    assert search("2000000000015") == ["Bottled Water"]
    assert search("drinks") == ["Bottled Water"]
    assert search("caviar") == []


def test_search_lists_title_matches_before_description_matches(client):
    create_product(title="Butter Biscuits", num_in_stock=3)
    create_product(title="Apple Cake", description="Baked with butter", num_in_stock=3)

    response = client.get(reverse("search:search"), {"q": "butter"})

    assert _titles(response) == ["Butter Biscuits", "Apple Cake"]


def test_price_sort_orders_by_the_stock_record_price(client):
    create_product(title="Middle", price=Decimal("5.00"), num_in_stock=3)
    create_product(title="Cheap", price=Decimal("1.50"), num_in_stock=3)
    create_product(title="Dear", price=Decimal("30.00"), num_in_stock=3)

    ascending = client.get(reverse("catalogue:index"), {"sort_by": "price-asc"})
    descending = client.get(reverse("catalogue:index"), {"sort_by": "price-desc"})

    assert _titles(ascending) == ["Cheap", "Middle", "Dear"]
    assert _titles(descending) == ["Dear", "Middle", "Cheap"]


def test_an_unknown_sort_key_falls_back_to_the_default_order(client):
    create_product(title="B", num_in_stock=3)
    create_product(title="A", num_in_stock=3)

    response = client.get(reverse("catalogue:index"), {"sort_by": "drop table"})

    assert response.status_code == 200
    assert _titles(response) == ["A", "B"]


def test_invalid_page_redirects_to_the_first_page_of_the_same_search(client):
    create_product(title="Whole Milk", num_in_stock=3)

    response = client.get(reverse("search:search"), {"q": "milk", "page": "99"})

    assert response.status_code == 302
    assert response["Location"] == reverse("search:search") + "?q=milk"


def test_listing_queries_do_not_grow_with_the_number_of_products(client):
    def queries_for_catalogue():
        client.get(reverse("catalogue:index"))  # warm sessions, site and basket lookups
        page_cache_versions_forget()  # the view's own queries, not a page-cache hit
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("catalogue:index"))
        assert response.status_code == 200
        return len(captured), len(response.context["products"])

    for index in range(3):
        create_product(title=f"Product {index}", num_in_stock=3)
    few_queries, few = queries_for_catalogue()
    for index in range(3, 15):
        create_product(title=f"Product {index}", num_in_stock=3)
    many_queries, many = queries_for_catalogue()

    assert (few, many) == (3, 15)
    assert many_queries == few_queries
