"""Points are shown grouped ("12,345 points") and money with the yuan sign wherever a member
or a cashier reads them."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from oscar.test.factories import UserFactory

from loyalty import selectors
from tests.factories.loyalty import member_with_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    user = UserFactory()
    member_with_points(user=user, points=12345)
    return user


def _text(html: str) -> str:
    return " ".join(html.split())


def test_points_page_groups_the_balance(client, member):
    client.force_login(member)

    page = _text(client.get(reverse("customer:points")).content.decode())

    assert "12,345 points" in page and "+12,345" in page


def test_the_card_panel_shows_points_grouped_and_the_spend_to_the_next_tier_in_yuan(member):
    card = selectors.card_get_for_user(user=member)
    context = {
        "card": card,
        "progress": selectors.tier_progress(account=card.account),
        "qr_svg": "",
        "barcode_svg": "",
    }
    with translation.override("en"):
        html = _text(render_to_string("loyalty/partials/member_card_panel.html", context))

    progress = context["progress"]
    assert progress.next_tier is not None
    assert "12,345 points, 0 pending" in html
    assert f"¥{progress.missing:,.2f} more to reach {progress.next_tier.name}" in html


def test_the_checkout_groups_points():
    with translation.override("en"):
        checkout = _text(
            render_to_string(
                "loyalty/partials/checkout_points.html",
                {
                    "options": {
                        "balance": 344868,
                        "points_per_cny": 100,
                        "maximum_points": 12000,
                        "minimum_balance": 1000,
                        "can_redeem": True,
                    }
                },
            )
        )
    assert "You have 344,868 points" in checkout


def test_crm_points_liability_groups_points(client):
    from tests.factories.crm import marketing_manager

    member_with_points(user=UserFactory(), points=344868)
    client.force_login(marketing_manager())

    page = _text(client.get(reverse("crm_reports:index")).content.decode())

    assert "344,868 spendable points" in page
