import pytest
from oscar.test.factories import UserFactory

from tests.factories.payments import CheckoutDriver, shipping_country


@pytest.fixture
def shopper(db):
    return UserFactory(email="student@campus.example", first_name="Li", last_name="Wei")


@pytest.fixture
def checkout(client, shopper):
    shipping_country()
    client.force_login(shopper)
    return CheckoutDriver(client)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
