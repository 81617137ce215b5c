from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_product

from shop.pages.services import site_pages_install

ProductCategory = get_model("catalogue", "ProductCategory")
BasketMiddleware = get_class("basket.middleware", "BasketMiddleware")


@dataclass
class Store:
    cheese: object
    bread: object
    green_tea: object
    sold_out: object
    hidden: object
    unpriced: object
    food: object
    dairy: object
    drinks: object


def _product(title, *, price=None, stock=None, category=None, **kwargs):
    product = create_product(
        title=title,
        product_class="Groceries",
        price=Decimal(price) if price is not None else None,
        num_in_stock=stock,
        partner_name="Campus Store" if price is not None else None,
        **kwargs,
    )
    if category is not None:
        ProductCategory.objects.create(product=product, category=category)
    return product


@pytest.fixture
def store(db):
    dairy = create_from_breadcrumbs("Food > Dairy")
    bakery = create_from_breadcrumbs("Food > Bakery")
    drinks = create_from_breadcrumbs("Drinks")
    return Store(
        cheese=_product("Campus cheddar", price="12.50", stock=10, category=dairy),
        bread=_product("Sourdough loaf", price="6.00", stock=5, category=bakery),
        green_tea=_product("Green tea", price="3.50", stock=3, category=drinks),
        sold_out=_product("Sold-out yoghurt", price="4.00", stock=0, category=dairy),
        hidden=_product("Hidden butter", price="8.00", stock=7, category=dairy, is_public=False),
        unpriced=_product("Unpriced milk", category=dairy),
        food=dairy.get_parent(),
        dairy=dairy,
        drinks=drinks,
    )


@pytest.fixture
def home_page(store):
    return site_pages_install(
        featured_product_ids=[
            store.cheese.pk,
            store.sold_out.pk,
            store.hidden.pk,
            store.unpriced.pk,
            store.green_tea.pk,
        ],
        featured_category_id=store.food.pk,
    )


@pytest.fixture
def storefront_request(rf):
    """A GET request that went through the session and Oscar basket middleware."""

    def build(path="/"):
        request = rf.get(path)
        SessionMiddleware(lambda request: HttpResponse()).process_request(request)
        request.user = AnonymousUser()
        BasketMiddleware(lambda request: HttpResponse())(request)
        return request

    return build
