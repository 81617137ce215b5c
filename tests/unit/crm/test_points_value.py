"""CRM values points as loyalty does: the one rule of loyalty.economy, the cent below."""

from decimal import Decimal

import pytest

from crm import selectors
from loyalty import selectors as loyalty_selectors
from loyalty.models import PointsAccount
from tests.factories.crm import CustomerFactory
from tests.factories.loyalty import earning_rules, member_card

pytestmark = pytest.mark.django_db


def test_profile_and_liability_value_points_as_checkout_does():
    # At 3 points a yuan, 200 points are 66.666…: worth 66.66, never rounded up to 66.67.
    rules = earning_rules(points_per_cny_redeemed=3)
    customer = CustomerFactory()
    card = member_card(user=customer)
    PointsAccount.objects.filter(pk=card.account_id).update(balance=200, pending_balance=0)

    checkout_value = loyalty_selectors.points_discount_value(points=200, rules=rules)
    assert checkout_value == Decimal("66.66")
    assert selectors.customer_profile(user_id=customer.pk).points_value == checkout_value
    assert selectors.points_liability().value == checkout_value
