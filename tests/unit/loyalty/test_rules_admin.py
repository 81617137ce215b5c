"""Marketing edits the points rules and multipliers in the Wagtail admin."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from loyalty.models import EarningRules, MemberType

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_points_rules_are_a_wagtail_setting(editor_client):
    url = reverse("wagtailsettings:edit", args=["loyalty", "earningrules", EarningRules.load().pk])
    assert editor_client.get(url).status_code == 200

    response = editor_client.post(
        url,
        {
            "points_per_cny": "2.00",
            "minimum_order_value": "10.00",
            "pending_days": "7",
            "expiry_months": "6",
            "points_per_cny_redeemed": "50",
            "minimum_balance_to_redeem": "100",
            "maximum_order_share_percent": "30",
            "birthday_bonus_points": "100",
            "referral_bonus_referrer_points": "300",
            "referral_bonus_newcomer_points": "200",
            "expiry_reminder_days": "30",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rules = EarningRules.load()
    assert (rules.points_per_cny, rules.pending_days, rules.expiry_months) == (
        Decimal("2.00"),
        7,
        6,
    )


@pytest.mark.parametrize(
    "model_name",
    [
        "membertype",
        "tier",
        "categoryearningmultiplier",
        "productearningmultiplier",
        "earningcampaign",
    ],
)
def test_loyalty_snippets_are_listed(editor_client, model_name):
    response = editor_client.get(reverse(f"wagtailsnippets_loyalty_{model_name}:list"))
    assert response.status_code == 200


def test_member_type_discount_is_editable(editor_client):
    staff = MemberType.objects.get(code="staff")
    url = reverse("wagtailsnippets_loyalty_membertype:edit", args=[staff.pk])
    validity = staff.card_validity_years
    response = editor_client.post(
        url,
        {
            "code": "staff",
            "name": "Staff",
            "discount_percent": "8.00",
            "earn_multiplier": "1.00",
            # Required by the form: how long this type's new and renewed cards are valid.
            "card_validity_years": str(validity),
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.discount_percent == Decimal("8.00")
    assert staff.card_validity_years == validity
