"""A member looks up their card with the PIN, and a logged-in member pays with points."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory
from playwright.sync_api import expect

from loyalty.models import MemberCard, PointsTransaction
from loyalty.services.ledger import points_adjust
from tests.browser.payments.test_card_checkout_browser import choose_pick_up
from tests.factories.loyalty import CARD_PIN, earning_rules, member_card, paid_order
from tests.factories.payments import CARD_OK, shipping_country, shop_product

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser

PASSWORD = "campus-Passw0rd!"


@pytest.fixture
def rules(transactional_db):
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
    user.set_password(PASSWORD)
    user.save()
    member_card(user=user, member_type_code="public")
    return user


def test_member_looks_up_card_and_pin_and_filters_the_history(browser_page, live_server, member):
    card = MemberCard.objects.get(user=member)
    old = paid_order(
        user=member,
        price="40.00",
        product=shop_product(price="40.00", title="Winter duvet"),
        placed_at=timezone.now() - dt.timedelta(days=90),
    )
    recent = paid_order(
        user=member, price="25.00", product=shop_product(price="25.00", title="Green tea")
    )
    page = browser_page

    page.goto("/member-card/")
    page.locator("#id_number").fill(card.number)
    page.locator("#id_pin").fill(CARD_PIN)
    page.get_by_role("button", name="Show my card").click()

    card.account.refresh_from_db()
    expect(page.locator("#card_balance")).to_have_text(str(card.account.balance))
    assert card.account.balance == 65  # 40 + 25 points, spendable at once (no pending period)
    expect(page.locator("#points_history")).to_contain_text("Earned")
    expect(page.locator("#order_history")).to_contain_text("Winter duvet")
    expect(page.locator("#order_history")).to_contain_text("Green tea")

    since = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    page.locator("#id_date_from").fill(since)
    page.locator("#card_history_filter").get_by_role("button", name="Filter").click()

    expect(page.locator("#order_history")).to_contain_text(recent.number)
    expect(page.locator("#order_history")).not_to_contain_text(old.number)
    expect(page.locator("#order_history")).not_to_contain_text("Winter duvet")


def enter_card(page, number):
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10000")


def test_member_redeems_points_at_checkout_and_pays_the_rest_by_card(
    browser_page, live_server, member, localstripe
):
    shipping_country()
    rice = shop_product(price="12.00", title="Jasmine rice 1kg")
    account = MemberCard.objects.get(user=member).account
    points_adjust(
        account_id=account.pk,
        points=800,
        reason="welcome points",
        created_by=UserFactory(is_staff=True),
    )
    page = browser_page

    page.goto("/accounts/login/")
    page.locator("#id_login-username").fill(member.email)
    page.locator("#id_login-password").fill(PASSWORD)
    page.locator("button[name=login_submit]").click()
    page.goto(rice.get_absolute_url())
    page.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
    page.goto("/checkout/")
    choose_pick_up(page)

    expect(page.locator("#checkout_points_balance")).to_contain_text("You have 800 points")
    expect(page.locator("#checkout_points_balance")).to_contain_text("up to 600 points")
    page.locator("#id_points").fill("550")
    page.locator("#checkout_points_apply").click()
    expect(page.locator("body")).to_contain_text("550 points will be used on this order.")

    enter_card(page, CARD_OK)
    page.locator("#view_preview").click()
    discount_line = page.locator(".basket-discount", has_text="Points")
    expect(discount_line).to_be_visible()
    expect(page.locator("#basket_totals")).to_contain_text("5.50")

    page.locator("#place-order").click()

    expect(page).to_have_url(f"{live_server.url}/checkout/thank-you/")
    order = Order.objects.get()
    paid = order.sources.get().amount_debited
    assert paid == Decimal("6.50") + order.shipping_incl_tax
    assert PointsTransaction.objects.get(kind="redeem", order=order).points == -550

    page.goto("/accounts/profile/")
    account.refresh_from_db()
    # 800 - 550 + the points earned on the 6.50 paid for the goods.
    assert account.balance == 800 - 550 + 6
    expect(page.locator("#member_card_points")).to_contain_text(f"{account.balance} points")
