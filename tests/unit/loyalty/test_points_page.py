"""The member's Points page in the account: balance, pending, expiring soon and history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.models import PointsTransaction
from loyalty.services.ledger import points_adjust
from tests.factories.loyalty import earning_rules, member_card, paid_order

pytestmark = pytest.mark.django_db

PAGE = reverse("customer:points")


@pytest.fixture
def rules():
    return earning_rules(
        points_per_cny=Decimal("1"),
        pending_days=14,
        expiry_months=12,
        points_per_cny_redeemed=100,
        minimum_balance_to_redeem=30,
    )


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


@pytest.fixture
def member(rules, staff):
    user = UserFactory()
    card = member_card(user=user, member_type_code="public")
    now = timezone.now()
    # Spendable, and expiring in about 25 days (placed 11 months and 5 days ago).
    paid_order(user=user, price="40.00", placed_at=now - dt.timedelta(days=340))
    # Still pending: placed today, spendable in 14 days.
    paid_order(user=user, price="25.00")
    points_adjust(account_id=card.account_id, points=100, reason="Welcome gift", created_by=staff)
    return user


def _date(moment):
    return formats.date_format(timezone.localdate(moment), "DATE_FORMAT")


def test_points_page_shows_balance_pending_expiring_and_history(client, member):
    client.force_login(member)
    earn_old, earn_new = PointsTransaction.objects.filter(kind="earn").order_by("created_at")

    response = client.get(PAGE)

    html = response.content.decode()
    summary = response.context["summary"]
    assert (summary.balance, summary.pending, summary.expiring) == (140, 25, 40)
    assert "140 points" in html and "worth ¥1.40 off an order" in html
    assert f"25 points spendable from {_date(earn_new.available_at)}" in html
    assert f"40 points expire on {_date(earn_old.expires_at)}" in html
    history = response.context["history_page"]
    assert {row.kind for row in history} == {"earn", "adjust"}
    order_url = reverse("customer:order", kwargs={"order_number": earn_new.order.number})
    assert f'href="{order_url}"' in html
    assert "Adjusted by the store: Welcome gift" in html
    assert 'id="account_points_link"' in html


def test_other_members_rows_are_never_shown(client, member, staff):
    other = UserFactory()
    card = member_card(user=other, member_type_code="public")
    other_order = paid_order(user=other, price="77.00")
    points_adjust(
        account_id=card.account_id, points=5, reason="Someone else's gift", created_by=staff
    )
    client.force_login(member)

    response = client.get(PAGE)

    html = response.content.decode()
    assert other_order.number not in html and "Someone else" not in html
    rows = list(response.context["history_page"])
    assert rows and {row.account_id for row in rows} == {
        selectors.card_get_for_user(user=member).account_id
    }


def test_pending_points_past_their_date_count_as_spendable(client, member):
    PointsTransaction.objects.filter(is_pending=True).update(
        available_at=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(member)

    summary = client.get(PAGE).context["summary"]

    assert (summary.balance, summary.pending, summary.pending_dates) == (165, 0, [])


def test_history_is_paginated_newest_first(client, member, staff):
    account_id = selectors.card_get_for_user(user=member).account_id
    for number in range(25):
        points_adjust(account_id=account_id, points=1, reason=f"gift {number}", created_by=staff)
    client.force_login(member)

    first = client.get(PAGE).context["history_page"]
    second = client.get(PAGE, {"page": 2}).context["history_page"]

    assert first.paginator.count == 28 and len(first) == 20 and len(second) == 8
    assert first[0].reason == "gift 24"


def test_a_customer_without_a_card_is_offered_to_link_one(client):
    client.force_login(UserFactory())

    html = client.get(PAGE).content.decode()

    assert 'id="points_no_card"' in html


def test_the_points_page_needs_a_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and "login" in response.url
