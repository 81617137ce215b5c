"""The product page counts its approved reviews in the product's own query and shows the
store's recommendation rows instead of Oscar's "Recommended items" (no query for them)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model
from oscar.test.factories import create_product

ProductReview = get_model("reviews", "ProductReview")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")

pytestmark = pytest.mark.django_db


@pytest.fixture
def milk():
    return create_product(title="Whole Milk", price=Decimal("13.40"), num_in_stock=5)


def _review(product, *, title: str, status: int):
    ProductReview.objects.create(
        product=product,
        score=4,
        title=title,
        body="Always in date.",
        name="A shopper",
        email=f"{title.lower()}@example.com",
        status=status,
    )


def _review_count(html: str) -> str:
    return re.search(r"Number of reviews</th>\s*<td>(\d+)</td>", html).group(1)


def test_the_page_shows_the_number_of_approved_reviews_without_a_query_of_its_own(client, milk):
    for title in ("Fresh", "Creamy", "Cold"):
        _review(milk, title=title, status=ProductReview.APPROVED)
    _review(milk, title="Pending", status=ProductReview.FOR_MODERATION)
    client.get(milk.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        html = client.get(milk.get_absolute_url()).content.decode()

    assert _review_count(html) == "3"
    assert "Fresh" in html and "Pending" not in html
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert not [sql for sql in counts if "reviews_productreview" in sql]


def test_a_product_without_reviews_shows_none(client, milk):
    html = client.get(milk.get_absolute_url()).content.decode()

    assert _review_count(html) == "0"
    assert "This product does not have any reviews yet" in html


def test_oscars_recommended_items_are_neither_read_nor_shown(client, milk):
    bread = create_product(title="Sourdough loaf", price=Decimal("3.20"), num_in_stock=5)
    ProductRecommendation.objects.create(primary=milk, recommendation=bread, ranking=1)
    client.get(milk.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        html = client.get(milk.get_absolute_url()).content.decode()

    assert "Recommended items" not in html
    assert not [q for q in queries if "catalogue_productrecommendation" in q["sql"]]
