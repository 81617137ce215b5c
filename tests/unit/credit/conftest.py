from decimal import Decimal

import pytest
from oscar.test.factories import UserFactory

from tests.factories.credit import credit_account, credit_staff
from tests.factories.payments import CheckoutDriver


@pytest.fixture
def buyer(db):
    return UserFactory(email="secretary@chem.campus.example")


@pytest.fixture
def limit_setter(db):
    return credit_staff("set_credit_limit", email="finance@campus.example")


@pytest.fixture
def approver(db):
    return credit_staff("approve_credit_order", email="approver@campus.example")


@pytest.fixture
def manager(db):
    return credit_staff("approve_write_off", email="manager@campus.example")


@pytest.fixture
def account(buyer, limit_setter):
    return credit_account(limit="100.00", buyers=[buyer], limit_setter=limit_setter)


@pytest.fixture
def buyer_checkout(client, buyer):
    client.force_login(buyer)
    return CheckoutDriver(client)


@pytest.fixture
def on_account_at_payment(buyer_checkout, product):
    buyer_checkout.add_to_basket(product)
    buyer_checkout.enter_shipping_address()
    return buyer_checkout


def ledger_sum(account) -> Decimal:
    return sum((e.amount for e in account.ledger.all()), Decimal("0.00"))
