"""The page cache on Redis, as production runs it: entries and versions go through django-redis
(pickled, shared by every worker), and what the unit tests prove on local memory holds here:
a hit skips the view, a price change shows on the next request, visitors and languages never
share their parts.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from oscar.test.factories import create_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ProductCategory = get_model("catalogue", "ProductCategory")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def dumplings():
    category = create_from_breadcrumbs("Frozen > Dumplings")
    product = create_product(
        title="Pork dumplings", price=Decimal("18.00"), num_in_stock=20, partner_name="Store"
    )
    ProductCategory.objects.create(product=product, category=category)
    return product, category


def _served_from_cache(response) -> bool:
    return "oscar/layout.html" not in [template.name for template in response.templates]


def test_the_page_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def test_a_hit_skips_the_view_and_a_price_change_shows_next(dumplings):
    product, category = dumplings
    for path in (category.get_absolute_url(), product.get_absolute_url()):
        first = Client().get(path)
        with CaptureQueriesContext(connection) as queries:
            second = Client().get(path)
        assert first.status_code == second.status_code == 200
        assert not _served_from_cache(first) and _served_from_cache(second)
        assert len(queries) <= 1  # the product page counts the view
        assert "¥18.00" in second.content.decode()

    stockrecord = product.stockrecords.get()
    stockrecord.price = Decimal("16.50")
    stockrecord.save()

    for path in (category.get_absolute_url(), product.get_absolute_url()):
        html = Client().get(path).content.decode()
        assert "¥16.50" in html and "¥18.00" not in html


def test_visitors_and_languages_never_share_their_parts(dumplings):
    product, category = dumplings
    path = category.get_absolute_url()
    shopper, other = Client(), Client()
    shopper.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    shoppers = shopper.get(path).content.decode()
    assert "has been added to your cart" in shoppers

    others = other.get(path)
    chinese = Client().get(path, headers={"accept-language": "zh-hans"})

    assert _served_from_cache(others)
    assert "has been added to your cart" not in others.content.decode()
    assert "Your cart is empty." in others.content.decode()
    assert set(CSRF_INPUT.findall(others.content.decode())).isdisjoint(CSRF_INPUT.findall(shoppers))
    assert not _served_from_cache(chinese) and chinese["Content-Language"] == "zh-hans"


def test_a_visitors_basket_page_follows_the_basket(dumplings):
    product, category = dumplings
    shopper = Client()
    shopper.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    shopper.get(reverse("basket:summary"))  # shows the "added" message: rendered
    shopper.get(reverse("basket:summary"))
    with CaptureQueriesContext(connection) as queries:
        again = shopper.get(reverse("basket:summary"))
    assert _served_from_cache(again) and len(queries) == 0
    assert "¥18.00" in again.content.decode()

    shopper.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    shopper.get(category.get_absolute_url())  # the message shown there
    html = shopper.get(reverse("basket:summary")).content.decode()

    assert "¥36.00" in html
    assert "¥36.00" not in Client().get(reverse("basket:summary")).content.decode()
