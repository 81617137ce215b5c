"""The basket's status as the checkout's lock: one tab freezes it, none reopens an ordered one.

The races themselves run over HTTP in tests/integration/checkout/; these pin the rules.
"""

from decimal import Decimal

import pytest
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_order, create_product

from shop.apps.checkout import baskets, mixins, services
from tests.factories.payments import shipping_country

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")


def _basket(status=Basket.OPEN):
    return Basket.objects.create(owner=UserFactory(), status=status)


def test_only_an_open_basket_is_frozen_and_a_second_tab_is_told_why():
    basket = _basket()
    baskets.checkout_basket_freeze(basket=basket)
    assert Basket.objects.get(pk=basket.pk).status == Basket.FROZEN

    with pytest.raises(baskets.CheckoutBasketNotOpen, match="another tab") as refused:
        baskets.checkout_basket_freeze(basket=Basket.objects.get(pk=basket.pk))
    assert refused.value.order is None


def test_an_ordered_basket_is_neither_frozen_nor_thawed_again():
    basket = _basket()
    basket.strategy = Default()
    basket.add_product(create_product(price=Decimal("10.00"), num_in_stock=5))
    order = create_order(basket=basket, user=basket.owner)

    with pytest.raises(baskets.CheckoutBasketNotOpen, match=str(order.number)) as refused:
        baskets.checkout_basket_freeze(basket=basket)
    assert refused.value.order == order
    assert baskets.checkout_basket_thaw(basket_id=basket.pk) is False
    assert Basket.objects.get(pk=basket.pk).status == Basket.SUBMITTED


def test_a_frozen_basket_whose_payment_failed_is_thawed():
    basket = _basket(status=Basket.FROZEN)

    assert baskets.checkout_basket_thaw(basket_id=basket.pk) is True
    assert Basket.objects.get(pk=basket.pk).status == Basket.OPEN


def test_the_same_address_twice_is_one_address_book_entry_counted_twice():
    user = UserFactory()
    address = ShippingAddress(
        first_name="Li", last_name="Wei", line1="Dormitory 3", line4="Campus", country_id="CN"
    )
    shipping_country()
    baskets.checkout_address_book_record(user=user, address=address)
    baskets.checkout_address_book_record(user=user, address=address)

    entry = UserAddress.objects.get(user=user)
    assert entry.num_orders_as_shipping_address == 2


def test_orders_placed_from_an_attempt_write_the_address_book_the_stores_way():
    # The 3-D Secure return and Stripe's event place orders through _AttemptOrderPlacer. With
    # Oscar's own mixin (read, then insert) two orders to one new address placed at the same
    # moment end in a duplicate key and "a problem on our side" for the second tab.
    assert issubclass(services._AttemptOrderPlacer, mixins.OrderPlacementMixin)
    assert (
        services._AttemptOrderPlacer.update_address_book
        is mixins.OrderPlacementMixin.update_address_book
    )
