"""The thank-you page and the order confirmation say what points the order earned and spent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone
from oscar.test.factories import UserFactory

from loyalty import selectors
from tests.factories.loyalty import earning_rules, member_with_points, paid_order
from tests.factories.payments import CheckoutDriver, funded_wallet, shop_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    earning_rules(
        points_per_cny=Decimal("1"),
        points_per_cny_redeemed=100,
        minimum_balance_to_redeem=30,
        maximum_order_share_percent=Decimal("50"),
        pending_days=14,
    )
    user = UserFactory(email="member@campus.example")
    member_with_points(user=user, points=1000)
    return user


def test_thank_you_page_and_email_show_points_earned_and_spent(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    funded_wallet(user=member, amount="100.00")
    checkout = CheckoutDriver(client)
    checkout.add_to_basket(shop_product(price="12.00"))
    checkout.enter_shipping_address()
    client.post(reverse("membercard:checkout-points"), {"points": "250"})
    with django_capture_on_commit_callbacks(execute=True):
        placed = checkout.place_order(checkout.preview(use_wallet=True))
    assert placed.url == reverse("checkout:thank-you")

    html = client.get(reverse("checkout:thank-you")).content.decode()

    available = formats.date_format(timezone.localdate() + dt.timedelta(days=14), "DATE_FORMAT")
    # 12.00 less 2.50 in points: 9.50 paid for the goods earns 9 points, pending 14 days.
    earned = f"You earned 9 points with this order. They can be spent from {available}."
    spent = "You spent 250 points, worth ¥2.50 off this order."
    assert earned in html and spent in html
    [email] = mail.outbox
    assert earned in email.body and spent in email.body
    [(html_body, _mimetype)] = email.alternatives
    assert earned in html_body and spent in html_body


def test_an_order_of_a_shopper_without_a_card_says_nothing_about_points(client):
    shopper = UserFactory()
    order = paid_order(user=shopper, price="20.00")

    assert selectors.order_points(order_id=order.pk) is None


def test_points_spendable_at_once_say_so_without_a_date(member):
    earning_rules(pending_days=0)
    order = paid_order(user=member, price="20.00")

    points = selectors.order_points(order_id=order.pk)

    assert (points.earned, points.earned_available_on, points.spent) == (20, None, 0)
