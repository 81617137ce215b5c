"""An order's pages say where to collect a pick-up and where a delivery goes, instead of an
empty postal address table."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import ShippingAddressFactory, create_order

from shop.apps.shipping.methods import CampusDelivery, PickUpInStore
from shop.apps.shipping.selectors import DeliveryRound
from staff import roles
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db

READY = timezone.make_aware(datetime.datetime(2026, 12, 8, 9, 0))


def pick_up_order(user):
    return create_order(
        user=user, shipping_method=PickUpInStore(ready_at=READY, place="the service desk")
    )


def delivery_order(user):
    delivery_round = DeliveryRound(
        starts=READY.replace(hour=18),
        ends=READY.replace(hour=20),
        order_by=READY.replace(hour=15),
    )
    return create_order(
        user=user,
        shipping_method=CampusDelivery(
            fee=Decimal("3.00"), free_from=Decimal("50.00"), delivery_round=delivery_round
        ),
        shipping_address=ShippingAddressFactory(
            line1="Dormitory 3", line2="Room 201", phone_number="", notes="Ring twice"
        ),
    )


def customer_page(client, user, order):
    client.force_login(user)
    page = client.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert page.status_code == 200
    return page.content.decode()


def dashboard_page(client, order):
    client.force_login(staff_user(roles.OPERATOR))
    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number}))
    assert page.status_code == 200
    return page.content.decode()


def test_a_pick_up_order_says_where_and_from_when_to_collect_it(client, shopper):
    order = pick_up_order(shopper)
    for html in (customer_page(client, shopper, order), dashboard_page(client, order)):
        assert "Shipping Address" not in html
        assert "Where to collect" in html and "The service desk by the main entrance" in html
        assert order.shipping_method in html  # "Pick up in store, ready from …"


def test_a_delivery_order_says_building_room_and_round(client, shopper):
    order = delivery_order(shopper)
    for html in (customer_page(client, shopper, order), dashboard_page(client, order)):
        assert "Shipping Address" not in html
        assert "Dormitory 3, Room 201" in html and "Ring twice" in html
        assert order.shipping_method in html  # "Campus delivery, Tue 8 Dec 18:00–20:00"


def thank_you_page(client, user, order):
    # Oscar's thank-you page shows the order the checkout just placed, kept in the session.
    client.force_login(user)
    session = client.session
    session["checkout_order_id"] = order.pk
    session.save()
    page = client.get(reverse("checkout:thank-you"))
    assert page.status_code == 200
    return page.content.decode()


def test_the_thank_you_page_says_where_to_collect_a_pick_up(client, shopper):
    html = thank_you_page(client, shopper, pick_up_order(shopper))
    assert "No shipping address required" not in html
    assert "Where to collect" in html and "The service desk by the main entrance" in html


def test_the_thank_you_page_says_where_a_delivery_goes(client, shopper):
    html = thank_you_page(client, shopper, delivery_order(shopper))
    assert "Dormitory 3, Room 201" in html and "Ring twice" in html
