import pytest
from oscar.test.factories import UserFactory

from shop.apps.shipping.selectors import delivery_settings_forget
from tests.factories.payments import CheckoutDriver, shipping_country


@pytest.fixture(autouse=True)
def _delivery_settings_not_cached():
    # Tests change the settings row inside a transaction that is rolled back, which no
    # receiver sees: the cached copy must not outlive the test.
    delivery_settings_forget()
    yield
    delivery_settings_forget()


@pytest.fixture
def shopper(db):
    return UserFactory(email="student@campus.example", first_name="Li", last_name="Wei")


@pytest.fixture
def checkout(client, shopper):
    shipping_country()
    client.force_login(shopper)
    return CheckoutDriver(client)
