"""Serving the personal rows: "Buy it again", "New for you", "Popular right now" and
"Bought together", each from its stored list, with marketing's rules, and only to its owner."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from oscar.test.factories import UserFactory

from recommendations import selectors, services
from recommendations.models import ProductRule, RecommendationList
from tests.factories.recommendations import RecommendationListFactory, product_in_stock

pytestmark = pytest.mark.django_db

Kind = RecommendationList.Kind
Placement = ProductRule.Placement
STORE_WIDE = RecommendationList.STORE_WIDE_OWNER


@pytest.fixture
def shelf():
    names = ["milk", "yogurt", "granola", "tea", "coffee", "rice", "jam", "hidden"]
    products = {
        name: product_in_stock(name, **({"is_public": False} if name == "hidden" else {}))
        for name in names
    }
    products["sold out"] = product_in_stock("sold out", num_in_stock=0)
    return products


def ids(products, *names):
    return [products[name].pk for name in names]


def titles(products):
    return [product.title for product in products]


@pytest.fixture
def members(shelf):
    """Ann buys milk and yogurt; Bob buys tea and coffee. Each has both rows of their own."""
    ann, bob = UserFactory(), UserFactory()
    RecommendationListFactory(
        kind=Kind.BUY_AGAIN, owner_id=ann.pk, product_ids=ids(shelf, "yogurt", "milk")
    )
    RecommendationListFactory(
        kind=Kind.NEW_FOR_YOU,
        owner_id=ann.pk,
        product_ids=ids(shelf, "granola", "jam"),
        reason_ids=ids(shelf, "yogurt", "milk"),
    )
    RecommendationListFactory(
        kind=Kind.BUY_AGAIN, owner_id=bob.pk, product_ids=ids(shelf, "coffee", "tea")
    )
    RecommendationListFactory(
        kind=Kind.NEW_FOR_YOU,
        owner_id=bob.pk,
        product_ids=ids(shelf, "rice"),
        reason_ids=ids(shelf, "tea"),
    )
    RecommendationListFactory(
        kind=Kind.TRENDING, owner_id=STORE_WIDE, product_ids=ids(shelf, "rice", "tea", "milk")
    )
    RecommendationListFactory(
        kind=Kind.BEST_SELLERS, owner_id=STORE_WIDE, product_ids=ids(shelf, "milk", "yogurt")
    )
    return ann, bob


def test_each_member_sees_only_their_own_rows(shelf, members):
    ann, bob = members
    assert titles(selectors.buy_again_products(user=ann, request=None)) == ["yogurt", "milk"]
    assert titles(selectors.buy_again_products(user=bob, request=None)) == ["coffee", "tea"]
    assert titles(selectors.new_for_you_products(user=ann, request=None)) == ["granola", "jam"]
    assert titles(selectors.new_for_you_products(user=bob, request=None)) == ["rice"]
    assert selectors.personal_row(user_id=ann.pk).reason_by_product_id == {
        shelf["granola"].pk: "yogurt",
        shelf["jam"].pk: "milk",
    }
    assert selectors.personal_row(user_id=bob.pk).reason_by_product_id == {shelf["rice"].pk: "tea"}


def test_visitors_see_trending_not_the_best_sellers_and_no_buy_again(shelf, members):
    assert titles(selectors.recommended_products(user=None, request=None)) == [
        "rice",
        "tea",
        "milk",
    ]
    assert selectors.personal_row(user_id=None).kind == Kind.TRENDING
    assert selectors.buy_again_products(user=None, request=None) == []
    assert selectors.new_for_you_products(user=None, request=None) == []


def test_a_member_without_history_gets_the_visitors_row_and_no_empty_rows(shelf, members):
    newcomer = UserFactory()
    row = selectors.personal_row(user_id=newcomer.pk)
    assert row.kind == Kind.TRENDING
    assert row.reasons == ()
    assert titles(selectors.recommended_products(user=newcomer, request=None)) == [
        "rice",
        "tea",
        "milk",
    ]
    assert selectors.buy_again_products(user=newcomer, request=None) == []
    assert selectors.new_for_you_products(user=newcomer, request=None) == []


def test_best_sellers_stand_in_until_a_trending_list_is_stored(shelf, members):
    RecommendationList.objects.filter(kind=Kind.TRENDING).delete()
    assert titles(selectors.recommended_products(user=None, request=None)) == ["milk", "yogurt"]


def test_rules_apply_to_each_row_by_its_placement(shelf, members):
    ann, _bob = members
    services.product_rule_create(
        product_id=shelf["yogurt"].pk, action=ProductRule.Action.EXCLUDE, placement="buy_again"
    )
    services.product_rule_create(
        product_id=shelf["jam"].pk, action=ProductRule.Action.EXCLUDE, placement="personal"
    )
    services.product_rule_create(
        product_id=shelf["coffee"].pk, action=ProductRule.Action.PIN, placement="buy_again"
    )
    services.product_rule_create(
        product_id=shelf["rice"].pk, action=ProductRule.Action.EXCLUDE, placement="everywhere"
    )
    cache.clear()
    assert titles(selectors.buy_again_products(user=ann, request=None)) == ["coffee", "milk"]
    assert titles(selectors.new_for_you_products(user=ann, request=None)) == ["granola"]
    # The "new for you" exclusion is not a "buy it again" one, and the other way round.
    assert titles(selectors.recommended_products(user=None, request=None)) == ["tea", "milk"]


def test_unavailable_products_never_show_in_a_row(shelf):
    member = UserFactory()
    RecommendationListFactory(
        kind=Kind.BUY_AGAIN, owner_id=member.pk, product_ids=ids(shelf, "hidden", "sold out", "tea")
    )
    RecommendationListFactory(
        kind=Kind.NEW_FOR_YOU,
        owner_id=member.pk,
        product_ids=ids(shelf, "sold out", "rice"),
        reason_ids=ids(shelf, "tea", "tea"),
    )
    assert titles(selectors.buy_again_products(user=member, request=None)) == ["tea"]
    assert titles(selectors.new_for_you_products(user=member, request=None)) == ["rice"]


def test_buy_again_never_shows_what_is_in_the_basket(shelf, members):
    ann, _bob = members
    assert selectors.buy_again_ids(user_id=ann.pk, hide_ids=[shelf["yogurt"].pk]) == ids(
        shelf, "milk"
    )
    # The cached list is the whole one: the basket's items come back once they leave it.
    assert selectors.buy_again_ids(user_id=ann.pk) == ids(shelf, "yogurt", "milk")


def test_bought_together_in_the_basket_adds_up_lift_and_skips_the_basket(shelf):
    RecommendationListFactory(
        kind=Kind.ALSO_BOUGHT,
        owner_id=shelf["tea"].pk,
        product_ids=ids(shelf, "milk", "jam", "coffee"),
        scores=[1.0, 2.0, 3.0],
    )
    RecommendationListFactory(
        kind=Kind.ALSO_BOUGHT,
        owner_id=shelf["coffee"].pk,
        product_ids=ids(shelf, "milk", "tea"),
        scores=[2.5, 3.0],
    )
    shown = selectors.basket_suggestion_ids(basket_product_ids=ids(shelf, "tea", "coffee"))
    assert shown == ids(shelf, "milk", "jam")  # milk 3.5, jam 2.0


@pytest.mark.parametrize(
    ("row", "cold_queries"),
    [
        # The stored list + the rules: as the "also bought" and best-seller rows.
        ("buy_again", 2),
        # The member's list and the visitors' fallbacks in one query + the rules + the titles
        # of the purchases named as reasons.
        ("new_for_you", 3),
        # The trending list and its best-seller stand-in in one query + the rules.
        ("trending", 2),
    ],
)
def test_a_warm_row_is_one_cache_hit_and_a_cold_one_a_few_indexed_queries(
    row, cold_queries, shelf, members, django_assert_num_queries
):
    ann, _bob = members
    read = {
        "buy_again": lambda: selectors.buy_again_ids(user_id=ann.pk),
        "new_for_you": lambda: selectors.personal_row(user_id=ann.pk),
        "trending": lambda: selectors.personal_row(user_id=None),
    }[row]
    with django_assert_num_queries(cold_queries):
        cold = read()
    with django_assert_num_queries(0):
        warm = read()
    assert cold == warm


ROW = r'<div class="recommendations recommendations--{placement}".*?</section>\s*</div>'


def _row_titles(html: str, placement: str) -> list[str]:
    found = re.search(ROW.format(placement=placement), html, re.S)
    if found is None:
        return []
    return re.findall(r'<h3[^>]*>\s*<a href="[^"]*" title="([^"]*)"', found.group(0))


def _log_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def test_account_page_shows_both_rows_with_reasons(client, shelf, members):
    ann, _bob = members
    _log_in(client, ann)
    html = client.get(reverse("customer:profile-view")).content.decode()
    assert _row_titles(html, "buy_again") == ["yogurt", "milk"]
    assert _row_titles(html, "personal") == ["granola", "jam"]
    assert 'data-row="new_for_you"' in html
    assert "Because you buy yogurt" in html
    assert "Because you buy milk" in html


def test_basket_page_shows_buy_again_on_top_without_the_basket_items(client, shelf, members):
    ann, bob = members
    RecommendationListFactory(
        kind=Kind.ALSO_BOUGHT,
        owner_id=shelf["milk"].pk,
        product_ids=ids(shelf, "yogurt", "tea", "granola"),
        scores=[3.0, 2.0, 1.0],
    )
    _log_in(client, ann)
    client.post(reverse("basket:add", kwargs={"pk": shelf["milk"].pk}), {"quantity": 1})
    html = client.get(reverse("basket:summary")).content.decode()
    assert _row_titles(html, "buy_again") == ["yogurt"]
    assert _row_titles(html, "basket") == ["yogurt", "tea", "granola"]
    assert html.index('data-recommendations="buy_again"') < html.index('id="basket_formset"')
    assert "Bought together" in html

    # Another member's cached row is never served to Ann's neighbour, nor hers to him.
    client.logout()
    _log_in(client, bob)
    html = client.get(reverse("basket:summary")).content.decode()
    assert _row_titles(html, "buy_again") == ["coffee", "tea"]


def test_visitors_pages_show_no_member_rows(client, shelf, members):
    html = client.get(reverse("basket:summary")).content.decode()
    assert 'data-recommendations="buy_again"' not in html


def test_product_page_row_is_called_bought_together(client, shelf):
    RecommendationListFactory(
        kind=Kind.ALSO_BOUGHT, owner_id=shelf["tea"].pk, product_ids=ids(shelf, "jam")
    )
    html = client.get(shelf["tea"].get_absolute_url()).content.decode()
    assert _row_titles(html, "also_bought") == ["jam"]
    assert "Bought together" in html
