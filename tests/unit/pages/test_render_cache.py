"""The cached recommendation rows of the product and basket pages (their render cost).

The rows' HTML is cached; these tests hold it to what the uncached rows showed: a price or
stock change shows on the next request, an unavailable product leaves the row, a member and
a visitor never share an entry, and the per-request parts (CSRF token, a failed
add-to-basket form) are never taken from the cache.
"""

import re
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recommendations.models import RecommendationList
from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

# How a page-cache hole (the CSRF token) looks before it is filled.
PLACEHOLDER = "<!--page-hole:"

ALSO_BOUGHT_ROW = re.compile(
    r'<div class="recommendations recommendations--also_bought".*?</section>\s*</div>', re.S
)
BASKET_ROW = re.compile(
    r'<div class="recommendations recommendations--basket".*?</section>\s*</div>', re.S
)
ROW_KEY_PREFIX = "recommendations:row:"


@pytest.fixture(autouse=True)
def empty_cache():
    # The local-memory cache outlives each test's database rollback.
    cache.clear()


@pytest.fixture
def also_bought(store):
    """Cheese's neighbours are bread and green tea; bread's are cheese and green tea."""
    now = timezone.now()
    for owner, neighbours in (
        (store.cheese, [store.bread, store.green_tea]),
        (store.bread, [store.cheese, store.green_tea]),
    ):
        RecommendationList.objects.create(
            kind=RecommendationList.Kind.ALSO_BOUGHT,
            owner_id=owner.pk,
            product_ids=[product.pk for product in neighbours],
            scores=[1.0] * len(neighbours),
            computed_at=now,
        )


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user(username="member", email="member@example.com")
    card = member_card(user=user)
    assert card.member_type.discount_percent > Decimal("0")
    return user


def _row(client, path, pattern=ALSO_BOUGHT_ROW) -> str:
    response = client.get(path)
    assert response.status_code == 200
    found = pattern.search(response.content.decode())
    assert found, "the recommendation row is missing"
    return found.group(0)


def _row_keys_written(client, path) -> list[str]:
    with mock.patch.object(cache, "set", wraps=cache.set) as cache_set:
        client.get(path)
    return [
        call.args[0] for call in cache_set.call_args_list if call.args[0].startswith(ROW_KEY_PREFIX)
    ]


def test_product_page_row_is_served_from_the_cache_once_rendered(client, store, also_bought):
    path = store.cheese.get_absolute_url()
    assert _row_keys_written(client, path), "the first request caches the row"
    assert _row_keys_written(client, path) == [], "the second request reads it"

    row = _row(client, path)
    assert "Sourdough loaf" in row and "Green tea" in row


def test_each_request_gets_its_own_csrf_token_in_the_cached_row(store, also_bought):
    path = store.cheese.get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    _row(first, path)  # fills the cache
    row = _row(second, path)

    assert PLACEHOLDER not in row
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
    added = second.post(
        reverse("basket:add", kwargs={"pk": store.bread.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": token},
    )
    assert added.status_code == 302, "the token in the cached row is valid for this visitor"


def test_a_price_change_shows_on_the_next_request(client, store, also_bought):
    path = store.cheese.get_absolute_url()
    assert "6.00" in _row(client, path)

    record = store.bread.stockrecords.get()
    record.price = Decimal("7.25")
    record.save()

    row = _row(client, path)
    assert "7.25" in row and "6.00" not in row


def test_a_title_change_shows_on_the_next_request(client, store, also_bought):
    path = store.cheese.get_absolute_url()
    _row(client, path)

    store.bread.title = "Rye loaf"
    store.bread.save()

    assert "Rye loaf" in _row(client, path)


@pytest.mark.parametrize("change", ["frozen", "out of stock", "allocated"])
def test_a_product_that_becomes_unavailable_leaves_the_row(client, store, also_bought, change):
    path = store.cheese.get_absolute_url()
    assert "Green tea" in _row(client, path)

    record = store.green_tea.stockrecords.get()
    if change == "frozen":
        record.is_frozen = True
        record.save()
    elif change == "out of stock":
        record.num_in_stock = 0
        record.save()
    else:
        # Oscar's checkout allocates with a queryset UPDATE and sends post_save itself.
        record.allocate(record.net_stock_level)

    row = _row(client, path)
    assert "Green tea" not in row and "Sourdough loaf" in row


def test_a_member_and_a_visitor_never_share_a_cached_row(client, store, also_bought, member):
    path = store.cheese.get_absolute_url()
    member_client = Client()
    member_client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")

    (member_key,) = _row_keys_written(member_client, path)
    (visitor_key,) = _row_keys_written(client, path)
    assert member_key != visitor_key
    discount = member.member_cards.get().member_type.discount_percent
    assert f":{discount.normalize()}:" in member_key and ":none:" in visitor_key

    # An entry written for the member is only ever read back for the member. (A parameter the
    # page cache does not know renders the page afresh, so the rows are read again.)
    cache.set(member_key, '<p class="member-only-row">member row</p>', 60)
    assert "member-only-row" in member_client.get(f"{path}?rendered=1").content.decode()
    assert "member-only-row" not in client.get(f"{path}?rendered=1").content.decode()


def test_basket_row_is_cached_and_follows_the_basket_and_prices(client, store, also_bought):
    client.post(reverse("basket:add", kwargs={"pk": store.cheese.pk}), {"quantity": 1})
    path = reverse("basket:summary")
    row = _row(client, path, BASKET_ROW)
    assert "Sourdough loaf" in row and "Campus cheddar" not in row
    assert _row_keys_written(client, path) == []

    record = store.bread.stockrecords.get()
    record.price = Decimal("5.10")
    record.save()
    assert "5.10" in _row(client, path, BASKET_ROW)

    client.post(reverse("basket:add", kwargs={"pk": store.bread.pk}), {"quantity": 1})
    row = _row(client, path, BASKET_ROW)
    assert "Sourdough loaf" not in row and "Green tea" in row


def test_a_failed_add_to_basket_form_is_shown_and_not_cached(client, store, also_bought):
    path = store.cheese.get_absolute_url()
    _row(client, path)
    # Oscar keeps a refused add-to-basket form in the session to show its errors in the card.
    session = client.session
    session[f"add_to_basket_form_post_data_{store.bread.pk}"] = '{"quantity": "0"}'
    session.save()

    assert _row_keys_written(client, path) == [], (
        "a row with a visitor's form stays out of the cache"
    )
    assert f"add_to_basket_form_post_data_{store.bread.pk}" not in client.session


def test_without_a_reachable_cache_the_row_renders_from_the_database(
    client, store, also_bought, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    path = store.cheese.get_absolute_url()

    row = _row(client, path)
    assert "Sourdough loaf" in row and "Green tea" in row
    assert PLACEHOLDER not in row and 'name="csrfmiddlewaretoken" value="' in row
