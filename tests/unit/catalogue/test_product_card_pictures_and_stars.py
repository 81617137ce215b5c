"""Product cards and pages show the product's picture, and stars only once it has a rating."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from shop.demo.pictures import product_pictures_ensure

ProductReview = get_model("reviews", "ProductReview")

pytestmark = pytest.mark.django_db


@pytest.fixture
def milk():
    return create_product(title="Whole Milk", price=Decimal("13.40"), num_in_stock=5)


def _review(product, *, score: int):
    ProductReview.objects.create(
        product=product,
        score=score,
        title="Fresh",
        body="Always in date.",
        name="A shopper",
        email="shopper@example.com",
        status=ProductReview.APPROVED,
    )
    product.refresh_from_db()


def test_card_and_page_show_no_stars_without_reviews(client, milk):
    listing = client.get(reverse("catalogue:index")).content.decode()
    page = client.get(milk.get_absolute_url()).content.decode()

    assert "Whole Milk" in listing
    assert "star-rating" not in listing
    assert "star-rating" not in page


def test_card_and_page_show_the_rating_of_a_reviewed_product(client, milk):
    _review(milk, score=4)

    listing = client.get(reverse("catalogue:index")).content.decode()
    page = client.get(milk.get_absolute_url()).content.decode()

    assert 'class="star-rating Four"' in listing
    assert 'class="star-rating Four"' in page


def test_card_shows_the_demo_picture_instead_of_image_not_available(client, milk):
    product_pictures_ensure(product_ids={"whole milk": milk.pk})

    listing = client.get(reverse("catalogue:index")).content.decode()

    assert "image_not_found" not in listing
    assert '<img src="/media/cache/' in listing
