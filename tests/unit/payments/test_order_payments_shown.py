"""How an order was paid, in the shopper's words, on the thank-you page, the account's order
page and the confirmation email: points, campus card wallet and the card's last four digits."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model

from shop.apps.order import selectors
from tests.factories.loyalty import earning_rules, member_with_points
from tests.factories.payments import CARD_OK, funded_wallet

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(shopper):
    # 100 points = 1 CNY; "public" has no member price, so the numbers stay round.
    earning_rules(
        points_per_cny=Decimal("1"),
        minimum_order_value=Decimal("0"),
        points_per_cny_redeemed=100,
        minimum_balance_to_redeem=100,
        maximum_order_share_percent=Decimal("50"),
    )
    member_with_points(user=shopper, points=1000)
    return shopper


@pytest.fixture
def paid_three_ways(at_payment, member, localstripe, run_on_commit, mailoutbox):
    """12.00 of goods: 190 points (1.90), 5.00 from the wallet, the 5.10 left by card."""
    funded_wallet(user=member, amount="5.00")
    response = at_payment.client.post(reverse("membercard:checkout-points"), {"points": "190"})
    assert response.status_code == 302
    preview = at_payment.preview(
        use_wallet=True, payment_method_id=localstripe.payment_method_create(CARD_OK)
    )
    with run_on_commit():
        response = at_payment.place_order(preview)
    assert response.url == reverse("checkout:thank-you"), response
    return response


def test_thank_you_page_lists_points_wallet_and_card_in_words(paid_three_ways, at_payment):
    html = at_payment.client.get(reverse("checkout:thank-you")).content.decode()

    assert "Allocation of" not in html and "wallet:" not in html
    payments = html.split('id="order_payments"', 1)[1].split("</dl>", 1)[0]
    assert "Points (190 points)" in payments and "¥1.90" in payments
    assert "Campus card wallet" in payments and "¥5.00" in payments
    assert "Card ending 4242" in payments and "¥5.10" in payments


def test_account_order_page_and_email_say_how_the_order_was_paid(
    paid_three_ways, at_payment, mailoutbox
):
    order = Order.objects.get()
    page = at_payment.client.get(reverse("customer:order", kwargs={"order_number": order.number}))

    html = page.content.decode()
    assert "Paid with" in html and "Card ending 4242" in html and "Points (190 points)" in html
    (email,) = mailoutbox
    assert "Campus card wallet: ¥5.00" in email.body
    assert "Card ending 4242: ¥5.10" in email.body
    assert "Card ending 4242: ¥5.10" in email.alternatives[0][0]


def test_payment_labels_follow_the_shoppers_language(paid_three_ways):
    order = Order.objects.get()

    with translation.override("zh-hans"):
        labels = {
            payment.amount: payment.label for payment in selectors.order_payments(order=order)
        }

    assert labels[Decimal("5.00")] == "校园卡钱包"
