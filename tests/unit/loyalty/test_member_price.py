"""Member pricing: the "Member price" site offer gives the card's member-type discount."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import UserFactory, create_product

from loyalty.models import MemberType
from loyalty.offers import ActiveMemberCardCondition, MemberTypeDiscountBenefit
from loyalty.services.cards import card_report_lost
from tests.factories.loyalty import member_card

Applicator = get_class("offer.applicator", "Applicator")
Selector = get_class("partner.strategy", "Selector")
Basket = get_model("basket", "Basket")
ConditionalOffer = get_model("offer", "ConditionalOffer")

pytestmark = pytest.mark.django_db


def basket_for(user, price="100.00"):
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(create_product(price=Decimal(price), num_in_stock=10), 2)
    Applicator().apply(basket, user)
    return basket


def test_member_price_offer_exists_as_a_site_offer():
    offer = ConditionalOffer.objects.get(name="Member price")
    assert offer.offer_type == ConditionalOffer.SITE and offer.is_available()


def test_member_price_offer_stores_loyaltys_condition_and_benefit_classes():
    offer = ConditionalOffer.objects.get(name="Member price")

    assert isinstance(offer.condition.proxy(), ActiveMemberCardCondition)
    assert isinstance(offer.benefit.proxy(), MemberTypeDiscountBenefit)


def test_the_migration_rewrites_the_stored_class_paths_both_ways():
    migration = import_module("loyalty.migrations.0010_member_price_offer_classes")
    offer = ConditionalOffer.objects.get(name="Member price")
    stored = (offer.condition.proxy_class, offer.benefit.proxy_class)

    migration.backward(django_apps, None)
    offer.condition.refresh_from_db()
    offer.benefit.refresh_from_db()
    assert (offer.condition.proxy_class, offer.benefit.proxy_class) == (
        "shop.apps.offer.conditions.ActiveMemberCardCondition",
        "shop.apps.offer.benefits.MemberTypeDiscountBenefit",
    )

    migration.forward(django_apps, None)
    offer.condition.refresh_from_db()
    offer.benefit.refresh_from_db()
    assert (offer.condition.proxy_class, offer.benefit.proxy_class) == stored


def test_active_card_gets_its_member_type_discount():
    MemberType.objects.filter(code="staff").update(discount_percent=Decimal("7.50"))
    user = UserFactory()
    member_card(user=user, member_type_code="staff")

    basket = basket_for(user)

    assert [d["name"] for d in basket.offer_discounts] == ["Member price"]
    assert basket.total_discount == Decimal("15.00")
    assert basket.total_incl_tax == Decimal("185.00")


def test_no_card_a_frozen_card_or_a_zero_discount_type_gets_no_member_price():
    assert basket_for(UserFactory()).total_discount == Decimal("0")

    lost = UserFactory()
    card = member_card(user=lost)
    card_report_lost(card_id=card.pk)
    assert basket_for(lost).total_discount == Decimal("0")

    public = UserFactory()
    member_card(user=public, member_type_code="public")
    assert basket_for(public).total_discount == Decimal("0")


def test_the_basket_page_shows_the_member_price(client):
    user = UserFactory()
    member_card(user=user, member_type_code="student")
    client.force_login(user)
    product = create_product(price=Decimal("20.00"), num_in_stock=10)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    response = client.get(reverse("basket:summary"))

    assert "Member price" in response.content.decode()
    assert response.context["basket"].total_discount == Decimal("1.00")
