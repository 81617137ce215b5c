"""Sales controls: frozen products cannot be bought; member-limited promotions in a window."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test.factories import UserFactory, create_order

from operations import services
from tests.factories.operations import stocked_product

pytestmark = pytest.mark.django_db

Selector = get_class("partner.strategy", "Selector")
Applicator = get_class("offer.applicator", "Applicator")
Basket = get_model("basket", "Basket")
Range = get_model("offer", "Range")


def test_a_frozen_product_is_unavailable_online_and_thawing_restores_it():
    product, record = stocked_product(stock=10)
    strategy = Selector().strategy()
    assert strategy.fetch_for_product(product).availability.is_available_to_buy

    with pytest.raises(ValidationError, match="Say why"):
        services.stockrecord_freeze(stockrecord_id=record.pk, reason="")
    services.stockrecord_freeze(stockrecord_id=record.pk, reason="Supplier recall")

    product.refresh_from_db()
    info = Selector().strategy().fetch_for_product(product)
    assert not info.availability.is_available_to_buy
    assert info.availability.is_purchase_permitted(1) == (
        False,
        "This product is not for sale at the moment.",
    )

    services.stockrecord_unfreeze(stockrecord_id=record.pk)
    product.refresh_from_db()
    assert Selector().strategy().fetch_for_product(product).availability.is_available_to_buy


def test_the_storefront_refuses_to_add_a_frozen_product_to_the_basket(client):
    product, record = stocked_product(stock=10)
    services.stockrecord_freeze(stockrecord_id=record.pk, reason="Recall")

    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    assert not Basket.objects.filter(lines__product=product).exists()


@pytest.fixture
def promotion():
    product, __ = stocked_product(title="Yoghurt", price="10.00", stock=100)
    dairy = Range.objects.create(name="Dairy")
    dairy.add_product(product)
    now = timezone.now()
    offer = services.member_promotion_create(
        name="Half-price yoghurt",
        range_id=dairy.pk,
        percent=Decimal("50"),
        per_member_quantity=3,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    return product, offer


def discount_of(basket) -> Decimal:
    return sum((d["discount"] for d in basket.offer_discounts), Decimal("0"))


def priced_basket(product, quantity: int, user=None):
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(product, quantity)
    Applicator().apply(basket, user=user)
    return basket


def test_a_member_gets_at_most_the_limit_across_all_orders(promotion):
    product, offer = promotion
    member = UserFactory()

    first = priced_basket(product, 2, member)
    assert discount_of(first) == Decimal("10.00")  # 2 units × 50 % of 10.00
    create_order(basket=first, user=member)

    # 3 per member, 2 used: of 5 units only 1 more is discounted.
    second = priced_basket(product, 5, member)
    assert discount_of(second) == Decimal("5.00")
    create_order(basket=second, user=member)

    assert discount_of(priced_basket(product, 1, member)) == Decimal("0")
    # Another member still has the full allowance.
    assert discount_of(priced_basket(product, 5, UserFactory())) == Decimal("15.00")


def test_guests_and_dates_outside_the_window_get_nothing(promotion):
    product, offer = promotion
    assert discount_of(priced_basket(product, 2)) == Decimal("0")
    offer.start_datetime = timezone.now() + timedelta(days=2)
    offer.end_datetime = timezone.now() + timedelta(days=3)
    offer.save()
    assert discount_of(priced_basket(product, 2, UserFactory())) == Decimal("0")


def test_bad_promotion_input_is_refused_with_a_reason():
    dairy = Range.objects.create(name="Dairy")
    now = timezone.now()
    with pytest.raises(ValidationError, match="at most 100 percent"):
        services.member_promotion_create(
            name="x",
            range_id=dairy.pk,
            percent=Decimal("0"),
            per_member_quantity=1,
            starts_at=now,
            ends_at=now + timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="end after it starts"):
        services.member_promotion_create(
            name="x",
            range_id=dairy.pk,
            percent=Decimal("10"),
            per_member_quantity=1,
            starts_at=now,
            ends_at=now,
        )
