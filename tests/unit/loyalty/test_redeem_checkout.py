"""Spending points at checkout: the choice, the "Points" offer, the hold and its release."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.models import BasketPointsRedemption, MemberCard, MemberType, PointsTransaction
from loyalty.services.cards import card_report_lost
from loyalty.services.redemption import (
    PointsRedemptionRefused,
    points_redeem,
    points_redeem_for_order,
    points_redeem_release_for_order,
)
from tests.factories.loyalty import card_expire, earning_rules, member_with_points
from tests.factories.payments import (
    CARD_DECLINED,
    CARD_OK,
    CheckoutDriver,
    funded_wallet,
    shop_product,
)

Order = get_model("order", "Order")
OrderDiscount = get_model("order", "OrderDiscount")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db

STARTING_POINTS = 1000


@pytest.fixture
def rules():
    # 100 points = 1 CNY, at least 500 points to redeem, at most half an order in points.
    return earning_rules(
        points_per_cny=Decimal("1"),
        minimum_order_value=Decimal("0"),
        points_per_cny_redeemed=100,
        minimum_balance_to_redeem=500,
        maximum_order_share_percent=Decimal("50"),
    )


@pytest.fixture
def member(rules):
    user = UserFactory(email="member@campus.example")
    member_with_points(user=user, points=STARTING_POINTS)
    return user


@pytest.fixture
def checkout(client, member):
    client.force_login(member)
    driver = CheckoutDriver(client)
    driver.add_to_basket(shop_product(price="12.00"))
    driver.enter_shipping_address()
    return driver


def account_of(user):
    return MemberCard.objects.get(user=user).account


def choose(checkout, points):
    response = checkout.client.post(reverse("membercard:checkout-points"), {"points": points})
    assert response.status_code == 302 and response.url == reverse("checkout:payment-details")
    # The last message is the answer to this post (adding to the basket left its own).
    return [str(m) for m in response.wsgi_request._messages][-1:]


def assert_ledger_consistent(account):
    account.refresh_from_db()
    assert account.balance + account.pending_balance == selectors.points_ledger_sum(
        account_id=account.pk
    )


def test_payment_page_shows_balance_and_the_most_points_allowed(checkout):
    page = checkout.client.get(reverse("checkout:payment-details"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "You have 1,000 points" in html
    # Half of 12.00 is 6.00, i.e. 600 points.
    assert "You can use up to 600 points on this order." in html


def test_points_apply_after_the_member_price(checkout, member):
    # Saved, as the members admin does, so the member's cached standing is forgotten.
    card = MemberCard.objects.get(user=member)
    card.member_type = MemberType.objects.get(code="student")
    card.save()

    page = checkout.client.get(reverse("checkout:payment-details"))

    # 5 % member price first: 11.40, half of it in points at most.
    assert "You can use up to 570 points on this order." in page.content.decode()


def test_points_show_as_a_discount_and_lower_what_the_wallet_pays(checkout, member, run_on_commit):
    wallet = funded_wallet(user=member, amount="100.00")
    assert choose(checkout, "600") == ["600 points will be used on this order."]
    preview = checkout.preview(use_wallet=True)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Points" in html and "6.00" in html

    with run_on_commit():
        response = checkout.place_order(preview)

    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.status == "Paid"
    assert order.total_incl_tax == Decimal("6.00") + order.shipping_incl_tax
    discount = OrderDiscount.objects.get(order=order)
    assert discount.offer_name == "Points" and discount.amount == Decimal("6.00")
    redemption = PointsTransaction.objects.get(kind="redeem")
    assert redemption.order == order and redemption.points == -600
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00") - order.total_incl_tax
    # Points are earned on what was paid for the goods (6.00), not on the 12.00 list price.
    earned = PointsTransaction.objects.get(kind="earn", order=order)
    assert earned.points == 6
    account = account_of(member)
    assert account.balance == STARTING_POINTS - 600 + 6
    assert_ledger_consistent(account)


def test_card_pays_only_what_the_points_leave(checkout, localstripe, run_on_commit):
    choose(checkout, "500")
    preview = checkout.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    with run_on_commit():
        response = checkout.place_order(preview)

    assert response.status_code == 302
    order = Order.objects.get()
    card_source = order.sources.get()
    assert card_source.amount_debited == Decimal("7.00") + order.shipping_incl_tax
    payment_intent = localstripe.get(f"/v1/payment_intents/{card_source.reference}")
    assert payment_intent["amount"] == int(card_source.amount_debited * 100)
    assert PointsTransaction.objects.get(kind="redeem").points == -500


def test_declined_card_holds_no_points(checkout, member, localstripe):
    choose(checkout, "500")
    preview = checkout.preview(payment_method_id=localstripe.payment_method_create(CARD_DECLINED))
    response = checkout.place_order(preview)

    assert "Your card was declined" in response.content.decode()
    assert not Order.objects.exists()
    assert not PointsTransaction.objects.filter(kind="redeem").exists()
    assert account_of(member).balance == STARTING_POINTS
    # The choice stays on the basket, so trying another card keeps the discount.
    assert BasketPointsRedemption.objects.get().points == 500


def test_points_spent_elsewhere_after_the_choice_refuse_the_order(checkout, member, run_on_commit):
    funded_wallet(user=member, amount="100.00")
    choose(checkout, "600")
    preview = checkout.preview(use_wallet=True)
    # Meanwhile, at the till, most of the points are spent.
    account = account_of(member)
    points_redeem(account_id=account.pk, points=900, order_total=Decimal("1000"))

    with run_on_commit():
        response = checkout.place_order(preview)

    assert not Order.objects.exists()
    assert PointsTransaction.objects.filter(kind="redeem").count() == 1
    account.refresh_from_db()
    assert account.balance == STARTING_POINTS - 900
    # The discount the preview showed is gone, so the total changed: refused, nothing charged.
    assert response.status_code == 200
    assert "Nothing was charged" in response.content.decode()


def test_hold_refused_when_the_balance_no_longer_covers_it(member):
    from oscar.test.factories import create_order

    order = create_order(user=member)

    with pytest.raises(PointsRedemptionRefused, match="could not be used"):
        points_redeem_for_order(
            order_id=order.pk, discount=Decimal("15.00"), goods_value=Decimal("40.00")
        )
    assert not PointsTransaction.objects.filter(kind="redeem").exists()


@pytest.mark.parametrize(
    "points, message",
    [
        ("1500", "You have 1000 points, fewer than 1500."),
        ("700", "At most 600 points can be used on this order."),
        ("abc", "Enter a whole number of points."),
        ("12.5", "Enter a whole number of points."),
        ("-5", "Enter a number of points of 0 or more."),
        ("", "Enter how many points to use."),
    ],
)
def test_bad_choices_are_refused_with_a_message_and_hold_nothing(checkout, member, points, message):
    assert choose(checkout, points) == [message]

    assert not BasketPointsRedemption.objects.exists()
    assert not PointsTransaction.objects.filter(kind="redeem").exists()
    assert account_of(member).balance == STARTING_POINTS


def test_below_the_minimum_balance_is_refused(checkout, member):
    account = account_of(member)
    points_redeem(account_id=account.pk, points=600, order_total=Decimal("1000"))

    assert choose(checkout, "100") == ["You need at least 500 points to redeem them."]
    assert not BasketPointsRedemption.objects.exists()


def test_frozen_card_cannot_spend_points(checkout, member):
    card = MemberCard.objects.get(user=member)
    card_report_lost(card_id=card.pk)

    assert choose(checkout, "500") == [
        "This card is lost. There are no member prices or points on it until it is replaced "
        "at the store's service desk."
    ]
    assert not BasketPointsRedemption.objects.exists()
    page = checkout.client.get(reverse("checkout:payment-details"))
    assert "no member prices or points on it" in page.content.decode()


def test_expired_card_cannot_spend_points(checkout, member):
    card_expire(MemberCard.objects.get(user=member))

    (message,) = choose(checkout, "500")

    assert message.startswith("This card expired on ")
    assert "renewed at the store's service desk" in message
    assert not BasketPointsRedemption.objects.exists()
    assert account_of(member).balance == STARTING_POINTS


def test_frozen_after_the_choice_gives_no_discount(checkout, member):
    choose(checkout, "500")
    card_report_lost(card_id=MemberCard.objects.get(user=member).pk)

    basket = Basket.objects.get()
    assert (
        selectors.basket_points_redemption_quote(basket=basket, goods_value=Decimal("12")) is None
    )


def test_zero_removes_the_choice(checkout):
    choose(checkout, "500")
    assert choose(checkout, "0") == ["No points will be used on this order."]
    assert not BasketPointsRedemption.objects.exists()


def test_a_smaller_basket_caps_the_discount_at_the_maximum_share(checkout, member):
    choose(checkout, "600")
    basket = Basket.objects.get()
    # The member takes most of the basket out: 4.00 left, so at most 200 points (2.00).
    quote = selectors.basket_points_redemption_quote(basket=basket, goods_value=Decimal("4.00"))
    assert quote.points == 200 and quote.discount == Decimal("2.00")


def test_cancelled_order_gives_the_points_back_once(checkout, member, run_on_commit):
    funded_wallet(user=member, amount="100.00")
    choose(checkout, "600")
    with run_on_commit():
        checkout.place_order(checkout.preview(use_wallet=True))
    order = Order.objects.get()
    account = account_of(member)
    before = account.balance

    order.set_status("Cancelled")
    points_redeem_release_for_order(order_id=order.pk)  # a second try changes nothing

    account.refresh_from_db()
    assert account.balance == before + 600
    release = PointsTransaction.objects.get(reverses__kind="redeem")
    assert release.points == 600 and release.order == order
    assert_ledger_consistent(account)


def test_hold_is_once_per_order(member):
    from oscar.test.factories import create_order

    order = create_order(user=member)
    first = points_redeem_for_order(
        order_id=order.pk, discount=Decimal("5.00"), goods_value=Decimal("20.00")
    )
    again = points_redeem_for_order(
        order_id=order.pk, discount=Decimal("5.00"), goods_value=Decimal("20.00")
    )

    assert first == again and first.points == -500
    assert PointsTransaction.objects.filter(kind="redeem").count() == 1
