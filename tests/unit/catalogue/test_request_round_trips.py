"""Values every part of a page asks for are read once per request: the catalogue version, and
the header's two menus in one round trip; a change made during the request is read again."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from oscar.test.factories import create_product

from shop.apps.catalogue.selectors import (
    CATALOGUE_VERSION_CACHE_KEY,
    catalogue_version,
    catalogue_version_forget,
    menu_categories,
    menu_categories_forget,
)
from shop.cache import HEADER_CACHE_KEYS, MENU_CATEGORIES_CACHE_KEY
from shop.request_memo import RequestMemoMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def cache_calls(monkeypatch):
    calls = []
    depth = [0]
    for name in ("get", "get_many"):
        original = getattr(cache, name)

        def counted(key, *args, _name=name, _original=original, **kwargs):
            # Local memory's get_many calls get per key; Redis answers it in one round trip.
            if not depth[0]:
                calls.append((_name, tuple(key) if _name == "get_many" else key))
            depth[0] += 1
            try:
                return _original(key, *args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, counted)
    return calls


def test_a_product_page_reads_the_version_once_and_both_menus_in_one_round_trip(
    client, cache_calls, django_user_model, page_cache_off
):
    # Rendered on every request (no page cache): the test counts what a render reads.
    client.force_login(
        django_user_model.objects.create_user(username="shopper", password="not-used-here"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    milk = create_product(title="Whole Milk", price=Decimal("13.40"), num_in_stock=5)
    client.get(milk.get_absolute_url())
    cache_calls.clear()

    assert client.get(milk.get_absolute_url()).status_code == 200

    assert cache_calls.count(("get", CATALOGUE_VERSION_CACHE_KEY)) == 1
    assert cache_calls.count(("get_many", HEADER_CACHE_KEYS)) == 1
    assert not [call for call in cache_calls if call[0] == "get" and call[1] in HEADER_CACHE_KEYS]


def test_a_version_forgotten_during_the_request_is_read_again():
    def view(request):
        before = catalogue_version()
        catalogue_version_forget()
        return before, catalogue_version()

    before, after = RequestMemoMiddleware(view)(None)

    assert before != after


def test_outside_a_request_every_read_asks_the_cache(cache_calls):
    catalogue_version()  # starts a version
    cache_calls.clear()

    catalogue_version()
    catalogue_version()

    assert cache_calls.count(("get", CATALOGUE_VERSION_CACHE_KEY)) == 2


def test_a_menu_forgotten_during_the_request_is_read_again(cache_calls):
    def view(request):
        menu_categories()
        menu_categories_forget()
        cache.set(MENU_CATEGORIES_CACHE_KEY, ["new"])
        return menu_categories()

    assert RequestMemoMiddleware(view)(None) == ["new"]
