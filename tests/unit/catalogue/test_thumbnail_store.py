"""A page's thumbnails are served from the process's memory once read (no cache round trip
per image), and a product's new picture shows on the next request."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from PIL import Image

from shop.apps.catalogue.thumbnails import KVStore

ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db


def _picture(name: str, colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _thumbnail_urls(html: str) -> set[str]:
    return {part.split('"')[0] for part in html.split('src="/media/cache/')[1:]}


@pytest.fixture(autouse=True)
def empty_caches():
    cache.clear()
    KVStore._entries_version = None


@pytest.fixture
def milk():
    product = create_product(title="Whole Milk", price=Decimal("13.40"), num_in_stock=5)
    ProductImage.objects.create(product=product, original=_picture("milk-white.png", "white"))
    return product


def test_a_warm_listing_asks_the_cache_for_no_thumbnail(client, milk, monkeypatch):
    client.get(reverse("catalogue:index"))
    keys = []
    original_get = cache.get

    def counting_get(key, *args, **kwargs):
        keys.append(key)
        return original_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)

    html = client.get(reverse("catalogue:index")).content.decode()

    assert len(_thumbnail_urls(html)) == 1
    assert not [key for key in keys if "sorl-thumbnail" in key]


def test_a_new_picture_shows_on_the_next_request(client, milk):
    before = _thumbnail_urls(client.get(reverse("catalogue:index")).content.decode())

    image = milk.images.get()
    image.original = _picture("milk-blue.png", "blue")
    image.save()
    after = _thumbnail_urls(client.get(reverse("catalogue:index")).content.decode())

    assert len(before) == len(after) == 1
    assert before != after


def test_a_removed_picture_is_not_served_from_memory(client, milk):
    before = _thumbnail_urls(client.get(milk.get_absolute_url()).content.decode())

    milk.images.get().delete()
    after = _thumbnail_urls(client.get(milk.get_absolute_url()).content.decode())

    assert before and not before & after
