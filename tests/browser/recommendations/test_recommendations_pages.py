"""A logged-in member sees their own neighbourhood of the catalogue, not just best sellers."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from oscar.test.factories import UserFactory
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from recommendations import services
from shop.pages.models import HomePage
from shop.pages.services import site_pages_install
from tests.factories.recommendations import paid_order_create, product_in_stock

CAMPING = ["Camping tent", "Tent pegs", "Camping lantern"]
SNACKS = ["Dark chocolate", "Salted crisps", "Cola"]


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

    Popularity ties everywhere, so only the member's own history can decide what they see.
    Snacks are created first: a tie broken by database id would favour them.
    """
    snacks = [product_in_stock(title) for title in SNACKS]
    camping = [product_in_stock(title) for title in CAMPING]
    day = timezone.localdate() - dt.timedelta(days=3)
    campers = [UserFactory() for _ in range(3)]
    for camper in campers:
        paid_order_create(user=camper, products=camping, day=day)
    for _ in range(3):
        paid_order_create(user=UserFactory(), products=snacks, day=day)
    services.recommendations_recompute()

    wagtail_root_ensure()
    home = site_pages_install(featured_product_ids=[snacks[0].pk], featured_category_id=None)
    home = HomePage.objects.get(pk=home.pk)
    # The installed home page carries one "Recommended for you" block: make it show three.
    positions = [
        i for i, block in enumerate(home.body) if block.block_type == "recommended_for_you"
    ]
    assert len(positions) == 1
    home.body[positions[0]] = ("recommended_for_you", {"title": "", "limit": 3})
    home.save_revision().publish()
    return campers[0], camping[0]


@pytest.mark.browser
def test_member_sees_recommended_for_you_from_their_neighbourhood(
    browser_page, log_in, member_and_home_page
):
    member, _tent = member_and_home_page
    log_in(member)
    browser_page.goto("/")
    block = browser_page.locator('[data-recommendations="personal"]')
    block.get_by_text("Recommended for you").wait_for()
    cards = block.locator("article.product_pod h3")
    assert sorted(cards.all_inner_texts()) == sorted(CAMPING)


@pytest.mark.browser
def test_visitor_sees_best_sellers_and_product_page_shows_also_bought(
    browser_page, live_server, member_and_home_page
):
    _member, tent = member_and_home_page
    browser_page.goto("/")
    visitor_block = browser_page.locator('[data-recommendations="personal"]')
    assert visitor_block.locator("article.product_pod").count() == 3

    browser_page.goto(tent.get_absolute_url())
    also = browser_page.locator('[data-recommendations="also_bought"]')
    also.get_by_text("Customers who bought this also bought").wait_for()
    titles = also.locator("article.product_pod h3").all_inner_texts()
    assert sorted(titles) == ["Camping lantern", "Tent pegs"]
