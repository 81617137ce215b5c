"""A demo member signs in with the card + PIN that ``make run`` prints, sees their member price
on a product card, tops up their campus card, pays with points and the campus card, and finds
both on their Points and Campus card pages."""

import re
from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from loyalty.models import MemberCard, PointsTransaction
from tests.browser.steps import enter_card, place_order, sign_in, snapshot
from tests.factories.payments import CARD_OK
from wallet.models import WalletTransaction

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser


def test_member_pays_with_points_and_wallet(browser_page, live_server, localstripe, demo):
    page = browser_page
    card = MemberCard.objects.select_related("user", "account").get(number=demo.card_number)
    balance_before = card.account.balance

    # Card + PIN on the store's login form, as printed on the card (groups of four).
    sign_in(page, " ".join(re.findall(".{1,4}", demo.card_number)), demo.card_pin)
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.locator("#member_card_number")).to_have_text(demo.card_number)

    # The catalogue's cards show the member their own price beside the regular one.
    page.goto("/catalogue/")
    tile = page.locator("article.product_pod").filter(has=page.locator(".member-price--yours"))
    tile = tile.filter(has=page.locator("button", has_text=re.compile("Add to (basket|cart)")))
    expect(tile.first).to_be_visible()
    member_price = Decimal(
        tile.first.locator(".member-price--yours").get_attribute("data-member-price")
    )
    snapshot(page, "member-1-catalogue")
    regular = tile.first.locator(".price_color").inner_text()
    assert member_price < Decimal(re.sub(r"[^\d.]", "", regular))

    # Money on the campus card first: a top-up by card.
    page.goto("/wallet/")
    page.locator("#wallet_top_up_form input[name=preset][value='50.00']").check()
    enter_card(page, CARD_OK)
    page.locator("#wallet_top_up_form button[type=submit]").click()
    expect(page.locator("#wallet_balance")).to_contain_text("50.00")

    # That product in the basket, picked up in store.
    page.goto("/catalogue/")
    tile.first.locator("form button[type=submit]").click()
    page.goto("/checkout/")
    page.locator("#method_pick_up button[type=submit]").click()
    expect(page.locator("#payment_details_form")).to_be_visible()

    # Points: as many as the order allows.
    points_text = page.locator("#checkout_points_balance").inner_text()
    # Points are shown grouped ("up to 1,200 points").
    maximum = int(re.search(r"up to ([\d,]+) points", points_text).group(1).replace(",", ""))
    assert maximum > 0, points_text
    page.locator("#id_points").fill(str(maximum))
    page.locator("#checkout_points_apply").click()
    expect(page.locator("#checkout_points_remove")).to_be_visible()
    # The rest from the campus card.
    page.locator("#id_use_wallet").check()
    snapshot(page, "member-2-payment")
    place_order(page)
    snapshot(page, "member-3-thank-you")

    order = Order.objects.filter(user=card.user).latest("date_placed")
    body = page.locator("body")
    expect(body).to_contain_text(order.number)
    expect(page.locator("#order_points_spent")).to_contain_text(f"You spent {maximum} points")
    earned = PointsTransaction.objects.get(order=order, kind=PointsTransaction.Kind.EARN)
    expect(page.locator("#order_points_earned")).to_contain_text(f"You earned {earned.points}")

    # The ledgers, written with the order: points spent and earned, the campus card paid.
    redeemed = PointsTransaction.objects.get(order=order, kind=PointsTransaction.Kind.REDEEM)
    assert redeemed.points == -maximum
    paid = WalletTransaction.objects.get(order=order, kind=WalletTransaction.Kind.ORDER_PAYMENT)
    assert paid.amount < 0
    assert order.sources.get().amount_debited == -paid.amount == order.total_incl_tax
    card.account.refresh_from_db()
    assert card.account.balance == balance_before - maximum

    # The Points page shows both; the campus card's statement the payment.
    page.goto("/accounts/points/")
    history = page.locator("#points_history")
    expect(history).to_contain_text(order.number)
    expect(history).to_contain_text(f"-{maximum}")
    expect(history).to_contain_text(f"+{earned.points}")
    snapshot(page, "member-4-points")
    page.goto("/wallet/")
    expect(page.locator("#wallet_statement")).to_contain_text(order.number)
