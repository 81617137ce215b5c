"""Fixtures the unit tests of several areas share: a logged-in shopper driving the checkout
(an area whose shopper is someone else overrides ``shopper``), and running what the code under
test queued for after commit."""

import pytest
from oscar.test.factories import UserFactory

from tests.factories.payments import CheckoutDriver, shop_product


@pytest.fixture
def shopper(db):
    return UserFactory(email="student@campus.example")


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper)
    return client


@pytest.fixture
def checkout(shopper_client):
    return CheckoutDriver(shopper_client)


@pytest.fixture
def product(db):
    return shop_product(price="12.00")


@pytest.fixture
def at_payment(checkout, product):
    """A shopper with one 12.00 item in the basket, at the payment step."""
    checkout.add_to_basket(product)
    checkout.enter_shipping_address()
    return checkout


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Tests run inside a transaction: run what the code queued for after commit."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
