"""Product cards, the product page and search show the member price beside the regular price."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from loyalty.models import MemberType
from tests.factories.loyalty import member_card

ConditionalOffer = get_model("offer", "ConditionalOffer")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    # Range membership and member-type discounts are cached under the catalogue version.
    cache.clear()


@pytest.fixture
def cheddar():
    return create_product(title="Campus cheddar", price=Decimal("12.50"), num_in_stock=10)


@pytest.fixture
def member(client):
    user = UserFactory()
    member_card(user=user, member_type_code="student")  # 5 % in the starting member types
    client.force_login(user)
    return user


def _pages(product):
    return {
        "catalogue": reverse("catalogue:index"),
        "product": product.get_absolute_url(),
        "search": reverse("search:search") + "?q=cheddar",
    }


@pytest.mark.parametrize("page", ["catalogue", "product", "search"])
def test_a_member_sees_their_member_price_beside_the_regular_price(client, member, cheddar, page):
    html = client.get(_pages(cheddar)[page]).content.decode()

    assert "¥12.50" in html
    # 12.50 less 5 % is 11.875: the basket rounds its total half up to the cent.
    assert "Your member price ¥11.88" in html


@pytest.mark.parametrize("page", ["catalogue", "product", "search"])
def test_a_visitor_sees_what_members_pay(client, cheddar, page):
    MemberType.objects.exclude(code__in=["student", "public"]).update(discount_percent=0)

    html = client.get(_pages(cheddar)[page]).content.decode()

    assert "¥12.50" in html
    assert "Member price ¥11.88" in html
    assert "Your member price" not in html


def test_with_several_member_discounts_a_visitor_sees_the_lowest_member_price(client, cheddar):
    MemberType.objects.filter(code="staff").update(discount_percent=Decimal("10.00"))

    html = client.get(cheddar.get_absolute_url()).content.decode()

    assert "Member price from ¥11.25" in html


def test_the_card_shows_the_price_the_basket_charges(client, member, cheddar):
    MemberType.objects.filter(code="student").update(discount_percent=Decimal("7.50"))
    client.get(cheddar.get_absolute_url())
    client.post(reverse("basket:add", kwargs={"pk": cheddar.pk}), {"quantity": 1})

    html = client.get(cheddar.get_absolute_url()).content.decode()
    basket = client.get(reverse("basket:summary")).context["basket"]

    # A member type saved after the first page view: the card follows at once. 12.50 less
    # 7.5 % is 11.5625, and the basket charges 11.56.
    assert "Your member price ¥11.56" in html
    assert basket.total_incl_tax == Decimal("11.56")


def test_no_member_price_where_no_member_discount_applies(client, cheddar):
    ConditionalOffer.objects.get(name="Member price").benefit.range.excluded_products.add(cheddar)
    outside = client.get(cheddar.get_absolute_url()).content.decode()

    MemberType.objects.update(discount_percent=0)
    other = create_product(title="Oat milk", price=Decimal("9.00"), num_in_stock=5)
    no_discount = client.get(other.get_absolute_url()).content.decode()

    assert "¥12.50" in outside and "member price" not in outside.lower()
    assert "¥9.00" in no_discount and "member price" not in no_discount.lower()


def test_a_suspended_member_price_offer_shows_no_member_price(client, member, cheddar):
    ConditionalOffer.objects.filter(name="Member price").update(status=ConditionalOffer.SUSPENDED)

    html = client.get(cheddar.get_absolute_url()).content.decode()

    assert "¥12.50" in html and "member price" not in html.lower()


def test_a_card_past_its_date_sees_what_members_pay_not_a_price_of_its_own(client, cheddar):
    user = UserFactory()
    card = member_card(user=user, member_type_code="student")
    type(card).objects.filter(pk=card.pk).update(issued_on="2015-01-01", expires_on="2019-12-31")
    client.force_login(user)

    html = client.get(cheddar.get_absolute_url()).content.decode()

    assert "Your member price" not in html
    assert "Member price" in html
