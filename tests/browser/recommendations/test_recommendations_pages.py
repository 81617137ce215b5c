"""A logged-in member sees their own rows (buy it again, new for you), a visitor what is popular."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from oscar.test.factories import UserFactory
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from recommendations.caching import recommendations_cache_bump
from recommendations.models import RecommendationList
from shop.pages.models import HomePage
from shop.pages.services import site_pages_install
from tests.factories.recommendations import (
    RecommendationListFactory,
    paid_order_create,
    product_in_stock,
)

CAMPING = ["Camping tent", "Tent pegs", "Camping lantern"]
SNACKS = ["Dark chocolate", "Salted crisps", "Cola"]
Kind = RecommendationList.Kind


def wagtail_root_ensure():
    """Put back the tree root a Wagtail migration created, if an earlier test flushed it.

    Live-server tests run on a transactional database that is flushed after each test, and
    the flush takes migration-made rows (Wagtail's root page and default locale) with it.
    """
    if Page.get_first_root_node() is not None:
        return
    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


@pytest.fixture
def member_and_home_page(transactional_db):
    """Three campers and three snackers; every product has exactly three buyers.

    The stored lists are the nightly job's: the camper's own camping gear to buy again, the
    snacks as new for them (because they buy the tent), snacks popular with everyone.
    """
    snacks = [product_in_stock(title) for title in SNACKS]
    camping = [product_in_stock(title) for title in CAMPING]
    day = timezone.localdate() - dt.timedelta(days=3)
    campers = [UserFactory() for _ in range(3)]
    for camper in campers:
        paid_order_create(user=camper, products=camping, day=day)
    for _ in range(3):
        paid_order_create(user=UserFactory(), products=snacks, day=day)
    member, tent = campers[0], camping[0]
    RecommendationListFactory(
        kind=Kind.BUY_AGAIN, owner_id=member.pk, product_ids=[p.pk for p in camping]
    )
    RecommendationListFactory(
        kind=Kind.NEW_FOR_YOU,
        owner_id=member.pk,
        product_ids=[snacks[0].pk],
        reason_ids=[tent.pk],
    )
    RecommendationListFactory(
        kind=Kind.TRENDING,
        owner_id=RecommendationList.STORE_WIDE_OWNER,
        product_ids=[p.pk for p in snacks],
    )
    RecommendationListFactory(
        kind=Kind.ALSO_BOUGHT, owner_id=tent.pk, product_ids=[p.pk for p in camping[1:]]
    )
    # As the nightly job does: lists cached for an earlier test's owners with the same ids
    # are stale from now on.
    recommendations_cache_bump()

    wagtail_root_ensure()
    home = site_pages_install(featured_product_ids=[snacks[0].pk], featured_category_id=None)
    home = HomePage.objects.get(pk=home.pk)
    # The installed home page carries one block of each row: make them show three.
    for kind in ("buy_it_again", "recommended_for_you"):
        positions = [i for i, block in enumerate(home.body) if block.block_type == kind]
        assert len(positions) == 1
        home.body[positions[0]] = (kind, {"title": "", "limit": 3})
    home.save_revision().publish()
    return member, tent


@pytest.mark.browser
def test_member_sees_buy_it_again_and_new_for_you(browser_page, log_in, member_and_home_page):
    member, _tent = member_and_home_page
    log_in(member)
    browser_page.goto("/")
    again = browser_page.locator('[data-recommendations="buy_again"]')
    again.get_by_text("Buy it again").wait_for()
    assert sorted(again.locator("article.product_pod h3").all_inner_texts()) == sorted(CAMPING)
    new = browser_page.locator('[data-recommendations="personal"]')
    new.get_by_text("New for you").wait_for()
    assert new.locator("article.product_pod h3").all_inner_texts() == [SNACKS[0]]
    assert new.locator(".recommendation-reason").all_inner_texts() == [
        "Because you buy Camping tent"
    ]


@pytest.mark.browser
def test_visitor_sees_popular_right_now_and_product_page_shows_bought_together(
    browser_page, live_server, member_and_home_page
):
    _member, tent = member_and_home_page
    browser_page.goto("/")
    visitor_block = browser_page.locator('[data-recommendations="personal"]')
    visitor_block.get_by_text("Popular right now").wait_for()
    assert visitor_block.locator("article.product_pod h3").all_inner_texts() == SNACKS
    assert browser_page.locator('[data-recommendations="buy_again"]').count() == 0

    browser_page.goto(tent.get_absolute_url())
    also = browser_page.locator('[data-recommendations="also_bought"]')
    also.get_by_text("Bought together").wait_for()
    titles = also.locator("article.product_pod h3").all_inner_texts()
    assert sorted(titles) == ["Camping lantern", "Tent pegs"]
