"""What the query budgets cache or share must never show stale or someone else's data.

The storefront keeps the header menus (categories, content pages) in the cache and reads
the site offers, the member discount and the product classes once per request
(docs/benchmarks.md, "Query budget per page"). Each test fills those first with a
real page view, changes the data the way staff or shoppers do, and checks the next page.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_class, get_model

from loyalty.models import MemberType
from operations import services as operations_services
from shop.pages.models import ContentPage
from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Category = get_model("catalogue", "Category")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Range = get_model("offer", "Range")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
Selector = get_class("partner.strategy", "Selector")

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def empty_cache():
    """The unit tests' local-memory cache outlives each test's database rollback: start empty
    so menus and recommendation lists cached by an earlier test are not served here."""
    cache.clear()


def header(client) -> str:
    response = client.get(reverse("catalogue:index"))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('class="site-nav') : html.index('<main id="main"')]


def test_a_content_page_joins_and_leaves_the_menu_when_published_and_unpublished(client, home_page):
    assert "Exam week snacks" not in header(client)

    page = home_page.add_child(
        instance=ContentPage(title="Exam week snacks", slug="exam-week", show_in_menus=True)
    )
    page.save_revision().publish()
    assert 'href="/exam-week/">Exam week snacks<' in header(client)

    page.title = "Exam week treats"
    page.save_revision().publish()
    menu = header(client)
    assert "Exam week treats" in menu and "Exam week snacks" not in menu

    page.unpublish()
    assert "Exam week treats" not in header(client)


def test_the_category_menu_follows_new_renamed_moved_and_deleted_categories(client, store):
    assert "Snacks" not in header(client)

    snacks = create_from_breadcrumbs("Snacks")
    assert f'href="{snacks.get_absolute_url()}">Snacks<' in header(client)

    snacks.name = "Crisps and snacks"
    snacks.save()
    assert "Crisps and snacks" in header(client)

    # Treebeard moves a subtree with a queryset update, not a save.
    snacks.move(store.food, pos="last-child")
    assert "Crisps and snacks" not in header(client)

    drinks_url = store.drinks.get_absolute_url()
    assert f'href="{drinks_url}"' in header(client)
    Category.objects.get(pk=store.drinks.pk).delete()
    assert f'href="{drinks_url}"' not in header(client)


def _member(email: str, member_type_code: str):
    user = get_user_model().objects.create_user(username=email, email=email, password="unused")
    member_card(user=user, member_type_code=member_type_code)
    return user


def _basket_discount(client, product) -> Decimal:
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return response.context["basket"].total_discount


def test_each_shopper_gets_their_own_member_price_never_another_ones(client, store):
    MemberType.objects.filter(code="staff").update(discount_percent=Decimal("10.00"))
    MemberType.objects.filter(code="alumni").update(discount_percent=Decimal("20.00"))
    staff = _member("staff@example.com", "staff")
    alumnus = _member("alumnus@example.com", "alumni")

    # Same process, same caches, one shopper after the other: 12.50 cheddar each time.
    client.force_login(staff, backend=LOGIN_BACKEND)
    assert _basket_discount(client, store.cheese) == Decimal("1.25")
    client.logout()
    client.force_login(alumnus, backend=LOGIN_BACKEND)
    assert _basket_discount(client, store.cheese) == Decimal("2.50")
    client.logout()
    assert _basket_discount(client, store.cheese) == Decimal("0.00")


def test_a_site_offer_applies_from_the_next_request_on(client, store):
    assert _basket_discount(client, store.green_tea) == Decimal("0.00")

    everything = Range.objects.create(name="Everything", includes_all_products=True)
    ConditionalOffer.objects.create(
        name="Opening week",
        offer_type=ConditionalOffer.SITE,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )

    response = client.get(reverse("basket:summary"))
    assert response.context["basket"].total_discount == Decimal("0.35")
    assert "Opening week" in response.content.decode()


def test_a_product_frozen_while_in_the_basket_is_unavailable_on_the_next_request(client, store):
    client.post(reverse("basket:add", kwargs={"pk": store.cheese.pk}), {"quantity": 1})
    record = store.cheese.stockrecords.get()

    operations_services.stockrecord_freeze(stockrecord_id=record.pk, reason="Recall")

    basket = Basket.objects.get(lines__product=store.cheese)
    basket.strategy = Selector().strategy()
    (line,) = basket.all_lines()
    assert not line.purchase_info.availability.is_available_to_buy
    response = client.get(reverse("basket:summary"))
    (line,) = response.context["basket"].all_lines()
    assert line.get_warning() == "'Campus cheddar' is no longer available"
