"""Visitors' storefront pages from the page cache (shop/page_cache).

Each kind of change a visitor could see shows on the very next request; nothing of one
visitor (basket, messages, CSRF token) is served to another; members and visitors, and the
two languages, never share a page; a hit does not run the view. Members' own pages:
test_member_pages.py.
"""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.rich_text import RichText

from preorders.models import PaymentPolicy
from preorders.services import preorder_settings_save
from recommendations.models import ProductRule, RecommendationList
from recommendations.services import product_rule_create, recommendation_lists_replace
from shop.apps.catalogue.services import PRODUCT_VIEWS_PERIOD_SECONDS, product_views_flush
from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

ConditionalOffer = get_model("offer", "ConditionalOffer")
ProductRecord = get_model("analytics", "ProductRecord")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _pages(store) -> dict[str, str]:
    return {
        "home": "/",
        "category": store.dairy.get_absolute_url(),
        "product": store.cheese.get_absolute_url(),
        "search": reverse("search:search") + "?q=cheddar",
    }


def _get(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    return response


def _served_from_cache(response) -> bool:
    # The test client records the templates rendered; a hit renders only its holes' own.
    return "oscar/layout.html" not in [template.name for template in response.templates]


def _html(client, path, **headers) -> str:
    html = _get(client, path, **headers).content.decode()
    assert "page-hole" not in html, "a placeholder reached the visitor"
    return html


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user(username="member", email="member@example.com")
    member_card(user=user)
    return user


@pytest.fixture
def also_bought(store):
    RecommendationList.objects.create(
        kind=RecommendationList.Kind.ALSO_BOUGHT,
        owner_id=store.cheese.pk,
        product_ids=[store.bread.pk, store.green_tea.pk],
        scores=[1.0, 1.0],
        computed_at=timezone.now(),
    )


@pytest.mark.parametrize("page", ["home", "category", "product", "search"])
def test_a_visitors_page_is_rendered_once_then_served_without_the_view(store, home_page, page):
    path = _pages(store)[page]
    first = _get(Client(), path)
    with CaptureQueriesContext(connection) as queries:
        second = _get(Client(), path)

    assert not _served_from_cache(first)
    assert _served_from_cache(second)
    # The product page's one query counts the view (Oscar's analytics).
    assert len(queries) <= (1 if page == "product" else 0)
    assert second.content.replace(b" ", b"") != b""
    assert second["Content-Type"] == first["Content-Type"] == "text/html; charset=utf-8"
    assert second["Content-Language"] == first["Content-Language"] == "en"
    for response in (first, second):
        assert {"Cookie", "Accept-Language"} <= {
            value.strip() for value in response["Vary"].split(",")
        }


def test_a_price_change_shows_on_the_next_request(store, home_page):
    pages = _pages(store)
    for path in pages.values():
        assert "¥12.50" in _html(Client(), path)
    stockrecord = store.cheese.stockrecords.get()
    stockrecord.price = Decimal("13.75")
    stockrecord.save()

    for page in ("category", "product", "search"):
        html = _html(Client(), pages[page])
        assert "¥13.75" in html and "¥12.50" not in html, page


def test_selling_out_shows_on_the_next_request(store):
    path = store.cheese.get_absolute_url()
    assert "Add to cart" in _html(Client(), path)
    stockrecord = store.cheese.stockrecords.get()
    stockrecord.num_in_stock = 0
    stockrecord.save()

    html = _html(Client(), path)
    assert "Add to cart" not in html
    assert "Notify me" in html or "unavailable" in html.lower() or "out of stock" in html.lower()


def test_an_offer_change_shows_on_the_next_request(store):
    path = store.cheese.get_absolute_url()
    assert "Member price" in _html(Client(), path)
    offer = ConditionalOffer.objects.get(name="Member price")
    offer.status = ConditionalOffer.SUSPENDED
    offer.save()

    assert "data-member-price" not in _html(Client(), path)


def test_a_product_excluded_from_the_offer_range_shows_on_the_next_request(store):
    path = store.cheese.get_absolute_url()
    assert "Member price" in _html(Client(), path)
    ConditionalOffer.objects.get(name="Member price").benefit.range.excluded_products.add(
        store.cheese
    )

    assert "data-member-price" not in _html(Client(), path)


def test_a_product_taking_pre_orders_shows_on_the_next_request(store):
    path = store.sold_out.get_absolute_url()
    assert "Pre-order" not in _html(Client(), path)
    preorder_settings_save(
        product=store.sold_out,
        release_date=timezone.localdate() + dt.timedelta(days=5),
        cap=10,
        payment_policy=PaymentPolicy.PAY_NOW,
        collect_in_store=False,
        no_show_fee=Decimal("0.00"),
    )

    assert "Pre-order now" in _html(Client(), path)


def test_a_recommendation_recompute_shows_on_the_next_request(
    store, also_bought, django_capture_on_commit_callbacks
):
    path = store.cheese.get_absolute_url()
    assert "Sourdough loaf" in _html(Client(), path)
    with django_capture_on_commit_callbacks(execute=True):
        recommendation_lists_replace(
            rows=[
                RecommendationList(
                    kind=RecommendationList.Kind.ALSO_BOUGHT,
                    owner_id=store.cheese.pk,
                    product_ids=[store.green_tea.pk],
                    scores=[1.0],
                    computed_at=timezone.now(),
                )
            ]
        )

    html = _html(Client(), path)
    assert "Green tea" in html and "Sourdough loaf" not in html


def test_a_recommendation_rule_shows_on_the_next_request(
    store, also_bought, django_capture_on_commit_callbacks
):
    path = store.cheese.get_absolute_url()
    assert "Sourdough loaf" in _html(Client(), path)
    with django_capture_on_commit_callbacks(execute=True):
        product_rule_create(product_id=store.bread.pk, action=ProductRule.Action.EXCLUDE)

    assert "Sourdough loaf" not in _html(Client(), path)


def test_a_published_home_page_change_shows_on_the_next_request(store, home_page):
    assert "Fresh dumplings" not in _html(Client(), "/")
    home_page.body = [("rich_text", RichText("<p>Fresh dumplings every Friday</p>"))]
    home_page.save_revision().publish()

    assert "Fresh dumplings every Friday" in _html(Client(), "/")


def test_a_category_rename_shows_on_the_next_request(store, home_page):
    pages = _pages(store)
    for path in pages.values():
        _html(Client(), path)
    store.dairy.name = "Cheese and milk"
    store.dairy.save()

    assert "Cheese and milk" in _html(Client(), pages["category"])
    assert "Cheese and milk" in _html(Client(), pages["product"])  # its breadcrumbs


def test_a_visitors_basket_messages_and_token_are_never_served_to_another(store, home_page):
    path = store.dairy.get_absolute_url()
    shopper, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page = _html(shopper, path)
    added = shopper.post(
        reverse("basket:add", kwargs={"pk": store.cheese.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1)},
    )
    assert added.status_code == 302

    # The shopper's page, with their basket and message, is the one cached first...
    shoppers = _html(shopper, path)
    assert "has been added to your cart" in shoppers
    assert 'badge badge-primary ml-1">1<' in shoppers
    # ...and the other visitor gets the same page with their own parts.
    others_response = _get(other, path)
    others = others_response.content.decode()
    assert _served_from_cache(others_response)
    assert "has been added to your cart" not in others
    assert "Campus cheddar</a></strong>" not in others  # the basket drop-down
    assert "Your cart is empty." in others
    tokens = set(CSRF_INPUT.findall(others))
    assert len(tokens) == 1 and tokens.isdisjoint(CSRF_INPUT.findall(shoppers))
    # The token works: the other visitor can add to their own basket from the cached page.
    added = other.post(
        reverse("basket:add", kwargs={"pk": store.bread.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": tokens.pop()},
    )
    assert added.status_code == 302
    assert "Sourdough loaf" in _html(other, path)
    assert "Sourdough loaf</a></strong>" not in _html(Client(), path)


def test_a_member_never_gets_a_visitors_page_and_a_visitor_never_a_members(store, member):
    path = store.cheese.get_absolute_url()
    visitors = _get(Client(), path)
    signed_in = Client()
    signed_in.force_login(member)

    members = _get(signed_in, path)
    assert not _served_from_cache(members)
    assert "Logout" in members.content.decode() and "Logout" not in visitors.content.decode()
    assert "Your member price" in members.content.decode()
    # Members have an entry of their own (tests/unit/page_cache/test_member_pages.py)...
    again = _get(signed_in, path)
    assert _served_from_cache(again) and "Your member price" in again.content.decode()
    # ...and visitors theirs.
    visitor = _get(Client(), path)
    assert _served_from_cache(visitor) and "Logout" not in visitor.content.decode()
    assert "Your member price" not in visitor.content.decode()


def test_two_languages_never_share_a_page(store, home_page):
    path = store.dairy.get_absolute_url()
    english = _get(Client(), path)
    chinese = _get(Client(), path, headers={"accept-language": "zh-hans"})
    chinese_by_cookie = Client()
    chinese_by_cookie.cookies["django_language"] = "zh-hans"
    chinese_again = _get(chinese_by_cookie, path)
    english_again = _get(Client(), path)

    assert not _served_from_cache(english) and not _served_from_cache(chinese)
    assert _served_from_cache(chinese_again) and _served_from_cache(english_again)
    assert chinese["Content-Language"] == chinese_again["Content-Language"] == "zh-hans"
    assert english_again["Content-Language"] == "en"
    assert 'lang="zh-hans"' in chinese.content.decode()[:300]
    assert 'lang="en"' in english_again.content.decode()[:300]


def test_a_product_page_from_the_cache_records_the_view_and_the_recently_viewed(store):
    shopper = Client()
    _get(Client(), store.cheese.get_absolute_url())
    _get(Client(), store.bread.get_absolute_url())

    cheese = _get(shopper, store.cheese.get_absolute_url())
    bread = _get(shopper, store.bread.get_absolute_url())

    assert _served_from_cache(cheese) and _served_from_cache(bread)
    assert "oscar_history" in bread.cookies
    assert "Products you recently viewed" in bread.content.decode()
    assert "Campus cheddar" in bread.content.decode()
    # Views are counted in the cache and added to the analytics row by the periodic flush.
    product_views_flush(now=time.time() + 2 * PRODUCT_VIEWS_PERIOD_SECONDS)
    assert ProductRecord.objects.get(product=store.cheese).num_views == 2


def test_a_failed_add_to_basket_form_is_shown_and_never_cached(store):
    path = store.cheese.get_absolute_url()
    shopper = Client()
    _get(Client(), path)
    shopper.post(reverse("basket:add", kwargs={"pk": store.cheese.pk}), {"quantity": 999})

    failed = _get(shopper, path)
    assert not _served_from_cache(failed)
    assert _served_from_cache(_get(Client(), path))


def test_a_search_that_found_nothing_and_unknown_parameters_are_not_kept(store):
    nothing = reverse("search:search") + "?q=caviar"
    _get(Client(), nothing)
    assert not _served_from_cache(_get(Client(), nothing))

    tracked = store.dairy.get_absolute_url() + "?utm_source=poster"
    _get(Client(), tracked)
    assert not _served_from_cache(_get(Client(), tracked))


def test_the_query_is_normalised_in_the_key(store):
    base = reverse("search:search")
    _get(Client(), base + "?q=cheddar&sort_by=title-asc")

    assert _served_from_cache(_get(Client(), base + "?sort_by=title-asc&q=cheddar"))
    assert not _served_from_cache(_get(Client(), base + "?q=cheddar&sort_by=title-desc"))


def test_a_placeholder_written_into_content_is_shown_as_text_and_never_called(store):
    store.cheese.description = (
        '<p>Aged<!--page-hole:{"name":"no_such_hole","arguments":{}}--> cheddar'
        '<!--page-hole:{"name":"csrf_token","arguments":{"x":1}}--></p>'
    )
    store.cheese.save()
    path = store.cheese.get_absolute_url()

    first = _get(Client(), path).content.decode()
    second = _get(Client(), path).content.decode()

    for html in (first, second):
        assert '<!--page-hole:{"name":"no_such_hole","arguments":{}}--> cheddar' in html
        assert '<!--page-hole:{"name":"csrf_token","arguments":{"x":1}}-->' in html
