"""The redemption minimum: a default a normal member reaches, and marketing's to change."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.models import MINIMUM_BALANCE_TO_REDEEM, EarningRules
from loyalty.services.ledger import points_adjust
from tests.factories.loyalty import member_card

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_with_40_points():
    user = UserFactory()
    card = member_card(user=user, member_type_code="public")
    points_adjust(account_id=card.account_id, points=40, reason="a month", created_by=UserFactory())
    return user


def test_a_typical_month_of_points_reaches_the_default_minimum(member_with_40_points):
    rules = EarningRules.load()
    options = selectors.points_redemption_options(
        user=member_with_40_points,
        basket=Basket(owner=member_with_40_points),
        goods_value=Decimal("20.00"),
    )

    assert rules.minimum_balance_to_redeem == MINIMUM_BALANCE_TO_REDEEM == 30
    assert options.usable and options.reason == ""


def test_the_minimum_marketing_sets_in_the_cms_is_the_one_applied(client, member_with_40_points):
    rules = EarningRules.load()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("wagtailsettings:edit", args=["loyalty", "earningrules", rules.pk])
    form = client.get(url).content.decode()
    assert "typical month of shopping" in form  # the help text says why the default is 30
    fields = {
        name: getattr(rules, name)
        for name in (
            "points_per_cny",
            "minimum_order_value",
            "pending_days",
            "expiry_months",
            "points_per_cny_redeemed",
            "maximum_order_share_percent",
            "birthday_bonus_points",
            "referral_bonus_referrer_points",
            "referral_bonus_newcomer_points",
            "expiry_reminder_days",
        )
    }
    response = client.post(url, {**fields, "minimum_balance_to_redeem": "50"})
    assert response.status_code == 302

    options = selectors.points_redemption_options(
        user=member_with_40_points,
        basket=Basket(owner=member_with_40_points),
        goods_value=Decimal("20.00"),
    )
    client.force_login(member_with_40_points)
    page = client.get(reverse("customer:points")).content.decode()

    assert not options.usable
    assert options.reason == "You need at least 50 points to redeem them."
    assert "once you have 50 points" in page
