import pytest
from django.core.cache import cache
from oscar.test.factories import UserFactory

from preorders import selectors
from tests.factories.payments import CheckoutDriver


@pytest.fixture(autouse=True)
def _fresh_preorder_cache():
    cache.delete(selectors.PREORDER_PRODUCT_IDS_CACHE_KEY)
    yield
    cache.delete(selectors.PREORDER_PRODUCT_IDS_CACHE_KEY)


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
def run_on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
