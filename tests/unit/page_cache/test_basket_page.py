"""A visitor's basket page and header basket summary from the cache (shop/page_cache).

Seen again, the basket page is served without the view; every change to what it shows (a
line added, a quantity changed, a line removed, a voucher applied, a price changed) shows on
the very next request, and its delivery line ("ready from ...") follows the clock; no visitor
is served another's basket; signed-in customers' basket pages, and a basket cookie whose
signature does not hold, always render. The header's summary of a visitor's basket on the
other cached pages costs no query, and follows the basket.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import (
    BenefitFactory,
    ConditionalOfferFactory,
    ConditionFactory,
    RangeFactory,
    VoucherFactory,
)

from shop.apps.basket.selectors import basket_version_key

pytestmark = pytest.mark.django_db

BASKET = "/basket/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUANTITY_INPUT = re.compile(r'<input[^>]*name="(form-\d+-quantity)"[^>]*value="(\d+)"')


def _served_from_cache(response) -> bool:
    return "oscar/layout.html" not in [template.name for template in response.templates]


def _basket_html(client) -> tuple[str, bool]:
    response = client.get(BASKET)
    assert response.status_code == 200
    html = response.content.decode()
    assert "page-hole" not in html, "a placeholder reached the visitor"
    return html, _served_from_cache(response)


def _add(client, product, quantity=1):
    response = client.post(reverse("basket:add", args=[product.pk]), {"quantity": quantity})
    assert response.status_code == 302


def _shopper(*products) -> Client:
    client = Client()
    for product in products:
        _add(client, product)
    # The first view shows the "added" messages; the second is the one cached.
    _basket_html(client)
    _basket_html(client)
    return client


def _form_data(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(form-[A-Za-z0-9_-]+)"[^>]*value="([^"]*)"', html))
    fields["csrfmiddlewaretoken"] = CSRF_INPUT.search(html).group(1)
    return fields


def test_a_visitor_seeing_the_basket_again_is_served_it_without_the_view(store):
    shopper = _shopper(store.cheese, store.bread)

    with CaptureQueriesContext(connection) as queries:
        html, from_cache = _basket_html(shopper)

    assert from_cache
    assert len(queries) == 0
    assert "Campus cheddar" in html and "Sourdough loaf" in html
    # The header's basket summary is the basket's own, kept in the entry.
    assert "¥18.50" in html


def test_a_cached_basket_page_is_the_page_a_render_gives(store, settings):
    shopper = _shopper(store.cheese, store.bread)
    cached, from_cache = _basket_html(shopper)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if "page_cache" not in name]
    # A new client loads the middleware as the settings now say; same cookies, same basket.
    renderer = Client()
    renderer.cookies = shopper.cookies
    rendered, rendered_from_cache = _basket_html(renderer)

    assert from_cache and not rendered_from_cache
    assert CSRF_INPUT.sub("", cached) == CSRF_INPUT.sub("", rendered)


def test_a_quantity_changed_shows_on_the_next_request(store):
    shopper = _shopper(store.cheese)
    html, _ = _basket_html(shopper)
    data = _form_data(html)
    data["form-0-quantity"] = "3"

    assert shopper.post(BASKET, data).status_code == 302
    html, from_cache = _basket_html(shopper)

    assert not from_cache
    assert QUANTITY_INPUT.search(html).group(2) == "3"
    assert "¥37.50" in html


def test_a_line_added_or_removed_shows_on_the_next_request(store):
    shopper = _shopper(store.cheese)
    _add(shopper, store.green_tea)
    html, _ = _basket_html(shopper)
    assert "Green tea" in html

    data = _form_data(html)
    data["form-1-DELETE"] = "on"
    assert shopper.post(BASKET, data).status_code == 302
    html, _ = _basket_html(shopper)

    assert "Campus cheddar" in html and "Green tea" not in html


def test_a_voucher_applied_shows_on_the_next_request(store):
    everything = RangeFactory(includes_all_products=True)
    offer = ConditionalOfferFactory(
        offer_type="Voucher",
        condition=ConditionFactory(range=everything, type="Count", value=1),
        benefit=BenefitFactory(range=everything, type="Absolute", value=2),
    )
    voucher = VoucherFactory(code="CAMPUS2")
    voucher.offers.add(offer)
    shopper = _shopper(store.cheese)
    html, _ = _basket_html(shopper)
    assert "CAMPUS2" not in html

    response = shopper.post(
        reverse("basket:vouchers-add"),
        {"code": "CAMPUS2", "csrfmiddlewaretoken": CSRF_INPUT.search(html).group(1)},
    )
    assert response.status_code == 302
    html, from_cache = _basket_html(shopper)

    assert not from_cache
    assert "CAMPUS2" in html and "¥10.50" in html


def test_a_price_change_shows_on_the_next_request(store):
    shopper = _shopper(store.cheese)
    stockrecord = store.cheese.stockrecords.get()
    stockrecord.price = Decimal("13.75")
    stockrecord.save()

    html, from_cache = _basket_html(shopper)

    assert not from_cache
    assert "¥13.75" in html


def test_a_visitor_is_never_served_another_visitors_basket(store):
    cheese_shopper = _shopper(store.cheese)
    tea_shopper = _shopper(store.green_tea)
    newcomer = Client()

    cheese_html, cheese_cached = _basket_html(cheese_shopper)
    tea_html, tea_cached = _basket_html(tea_shopper)
    _basket_html(newcomer)
    empty_html, empty_cached = _basket_html(newcomer)

    assert cheese_cached and tea_cached and empty_cached
    assert "Campus cheddar" in cheese_html and "Green tea" not in cheese_html
    assert "Green tea" in tea_html and "Campus cheddar" not in tea_html
    assert "Campus cheddar" not in empty_html and "Green tea" not in empty_html


def test_each_visitor_gets_their_own_csrf_token_and_messages(store):
    shopper = _shopper(store.cheese)
    _add(shopper, store.cheese)
    html_with_message, _ = _basket_html(shopper)
    html_again, from_cache = _basket_html(shopper)
    other = _shopper(store.cheese)
    other_html, _ = _basket_html(other)

    assert "has been added to your cart" in html_with_message
    assert from_cache and "has been added to your cart" not in html_again
    assert CSRF_INPUT.search(html_again).group(1) != CSRF_INPUT.search(other_html).group(1)


def test_a_forged_basket_cookie_is_never_answered_from_the_cache(store, settings):
    shopper = _shopper(store.cheese)
    forger = Client()
    forger.cookies[settings.OSCAR_BASKET_COOKIE_OPEN] = "1:forged-signature"

    html, from_cache = _basket_html(forger)

    assert not from_cache
    assert "Campus cheddar" not in html
    assert _basket_html(shopper)[1]


def test_a_customers_basket_page_always_renders(store):
    user = get_user_model().objects.create_user(username="shopper", email="s@example.com")
    client = Client()
    client.force_login(user)
    _add(client, store.cheese)
    _basket_html(client)

    html, from_cache = _basket_html(client)

    assert not from_cache
    assert "Campus cheddar" in html


def test_freezing_thawing_and_submitting_a_basket_each_start_a_new_version(store):
    from django.core.cache import cache
    from oscar.core.loading import get_model

    from shop.apps.checkout.baskets import checkout_basket_freeze, checkout_basket_thaw

    Basket = get_model("basket", "Basket")
    _shopper(store.cheese)
    basket = Basket.objects.get()
    key = basket_version_key(basket_id=basket.pk)
    versions = [cache.get(key)]

    checkout_basket_freeze(basket=basket)
    versions.append(cache.get(key))
    checkout_basket_thaw(basket_id=basket.pk)
    versions.append(cache.get(key))
    basket.refresh_from_db()
    basket.submit()
    versions.append(cache.get(key))

    assert versions[0] is not None
    # Forgotten each time: nothing is cached under the key until a page asks for it again.
    assert versions[1:] == [None, None, None]


def test_a_shopper_with_a_basket_opens_cached_pages_without_a_query(store):
    shopper = _shopper(store.cheese, store.bread)
    product_page = store.green_tea.get_absolute_url()
    shopper.get(product_page)

    with CaptureQueriesContext(connection) as queries:
        response = shopper.get(product_page)

    assert _served_from_cache(response)
    assert len(queries) == 0
    assert "¥18.50" in response.content.decode()


def test_the_header_summary_follows_the_basket_on_the_next_page(store):
    shopper = _shopper(store.cheese)
    product_page = store.green_tea.get_absolute_url()
    assert "¥12.50" in shopper.get(product_page).content.decode()
    assert "¥16.00" not in shopper.get(product_page).content.decode()

    _add(shopper, store.green_tea)
    html = shopper.get(product_page).content.decode()
    other_html = _shopper(store.bread).get(product_page).content.decode()

    assert "¥16.00" in html
    assert "¥6.00" in other_html and "¥16.00" not in other_html and "¥12.50" not in other_html


def test_a_rendered_basket_page_reads_its_lines_once_without_counting_them(store, page_cache_off):
    shopper = Client()
    for product in (store.cheese, store.bread):
        _add(shopper, product)
    _basket_html(shopper)

    with CaptureQueriesContext(connection) as queries:
        html, from_cache = _basket_html(shopper)

    statements = [query["sql"] for query in queries]
    assert not from_cache
    assert "Campus cheddar" in html and "Sourdough loaf" in html
    # The basket, its lines (with their products' classes), their options and images, the
    # site offers and the basket's vouchers; no transaction, no COUNT, no class of its own.
    assert len(statements) <= 6, statements
    assert not [sql for sql in statements if "COUNT(" in sql or "SAVEPOINT" in sql]
    assert not [sql for sql in statements if sql.startswith('SELECT "catalogue_productclass"')]


def test_the_delivery_line_follows_the_clock(store, monkeypatch):
    from django.utils import timezone

    morning = timezone.localtime().replace(hour=11, minute=2, second=5, microsecond=0)
    clock = {"now": morning}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    shopper = _shopper(store.cheese)

    def ready_from() -> str:
        html, from_cache = _basket_html(shopper)
        return re.search(r"ready from ([^<]+)<", html).group(1).strip(), from_cache

    first, _ = ready_from()
    clock["now"] = morning + timedelta(seconds=40)
    same_minute, from_cache = ready_from()
    clock["now"] = morning + timedelta(minutes=15)
    later, later_from_cache = ready_from()

    assert from_cache and same_minute == first
    assert not later_from_cache and later != first
