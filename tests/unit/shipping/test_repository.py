"""The two shipping methods and the numbers they take from DeliverySettings."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_class
from oscar.test.factories import create_basket

from shop.apps.shipping import selectors
from shop.apps.shipping.codes import PICK_UP_CODE
from shop.apps.shipping.methods import CampusDelivery, PickUpInStore
from tests.factories.payments import shop_product

Repository = get_class("shipping.repository", "Repository")

pytestmark = pytest.mark.django_db


def at(day: str, time: str) -> datetime.datetime:
    """A moment in the store's time zone (2026-12-03 is a Thursday)."""
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T{time}"))


def basket_worth(amount: str):
    basket = create_basket(empty=True)
    basket.add_product(shop_product(price=amount, title=f"Goods {amount}"))
    return basket


def methods_for(basket):
    return Repository().get_shipping_methods(basket=basket)


def delivery(methods) -> CampusDelivery:
    return next(method for method in methods if isinstance(method, CampusDelivery))


def test_pick_up_comes_first_and_is_free():
    basket = basket_worth("12.00")
    methods = methods_for(basket)

    assert isinstance(methods[0], PickUpInStore) and methods[0].code == PICK_UP_CODE
    assert methods[0].calculate(basket).incl_tax == Decimal("0.00")
    assert Repository().get_default_shipping_method(basket=basket).code == PICK_UP_CODE


def test_campus_delivery_costs_the_fee_below_the_threshold():
    basket = basket_worth("49.99")

    assert delivery(methods_for(basket)).calculate(basket).incl_tax == Decimal("3.00")


@pytest.mark.parametrize("amount", ["50.00", "80.00"])
def test_campus_delivery_is_free_at_and_above_the_threshold(amount):
    basket = basket_worth(amount)

    assert delivery(methods_for(basket)).calculate(basket).incl_tax == Decimal("0.00")


def test_rounds_still_open_before_their_cut_off_and_none_on_sunday():
    settings = selectors.delivery_settings_get()

    # Thursday 14:59: the evening round (orders close 15:00) is still open today.
    rounds = selectors.delivery_rounds_open(settings=settings, now=at("2026-12-03", "14:59"))
    assert rounds[0].starts == at("2026-12-03", "18:00")
    assert rounds[0].ends == at("2026-12-03", "20:00")

    # Saturday 15:00: the rest go out on Monday, the default rounds skip Sunday.
    rounds = selectors.delivery_rounds_open(settings=settings, now=at("2026-12-05", "15:00"))
    assert [r.starts for r in rounds[:2]] == [at("2026-12-07", "12:00"), at("2026-12-07", "18:00")]
    assert len(rounds) == selectors.ROUNDS_OFFERED


def test_each_round_is_its_own_method_with_the_round_in_code_and_name():
    settings = selectors.delivery_settings_get()
    now = at("2026-12-03", "09:00")
    first = selectors.delivery_rounds_open(settings=settings, now=now)[0]
    method = CampusDelivery(fee=Decimal("3.00"), free_from=Decimal("50.00"), delivery_round=first)

    assert method.code == "campus-delivery-20261203-1200"
    assert "12:00–13:30" in method.name and "3 Dec" in method.name


@pytest.mark.parametrize(
    ("now", "ready"),
    [
        (("2026-12-03", "10:07"), ("2026-12-03", "11:15")),  # one hour, on the quarter hour
        (("2026-12-03", "07:00"), ("2026-12-03", "09:00")),  # before the desk opens
        (("2026-12-03", "17:30"), ("2026-12-04", "09:00")),  # after it closes: next morning
    ],
)
def test_pick_up_ready_time(now, ready):
    settings = selectors.delivery_settings_get()

    assert selectors.pickup_ready_at(settings=settings, now=at(*now)) == at(*ready)


def test_no_rounds_means_no_campus_delivery():
    settings = selectors.delivery_settings_get()
    settings.rounds = []
    settings.save()

    assert [method.code for method in methods_for(basket_worth("12.00"))] == [PICK_UP_CODE]
