"""A cashier's day at the till in a real browser: void a line, take cash, refund, hand over."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in, till_scan, till_shift_open
from tests.factories import till as f
from tests.factories.loyalty import earning_rules
from till.models import Shift, TillRefund

CASHIER_EMAIL = "casey@campus.example"
NEXT_EMAIL = "nina@campus.example"
PASSWORD = "till-test-password"  # noqa: S105


@pytest.fixture
def till_day(transactional_db):
    earning_rules(pending_days=0, points_per_cny=Decimal("1.00"))
    people = {}
    for username, email, first, last in (
        ("casey", CASHIER_EMAIL, "Casey", "Lin"),
        ("nina", NEXT_EMAIL, "Nina", "Wu"),
    ):
        user = f.cashier(username=username, email=email, first_name=first, last_name=last)
        user.set_password(PASSWORD)
        user.save()
        people[username] = user
    f.register("Till 1")
    _user, card = f.member(member_type_code="staff", wallet=None)
    butter = f.product(title="Butter 250 g", price="10.00", stock=10)
    buttermilk = f.product(title="Buttermilk 1 l", price="6.00", stock=10)
    return {**people, "card": card, "butter": butter, "buttermilk": buttermilk}


@pytest.mark.browser
def test_sell_void_refund_and_hand_over(browser_page, till_day):
    page = browser_page
    card = till_day["card"]

    sign_in(page, CASHIER_EMAIL, PASSWORD)
    till_shift_open(page, opening_float="100.00")

    # Two items to a member card; "butter" matches two products: picked by keyboard.
    page.fill("#id_card_number", card.number)
    till_scan(page, "butter")
    expect(page.locator("[data-till-choices]")).to_be_visible()
    page.keyboard.press("ArrowDown")  # from Butter 250 g to Buttermilk 1 l
    page.keyboard.press("Enter")
    expect(page.locator("[data-till-lines]")).to_contain_text("Buttermilk 1 l")
    till_scan(page, "butter")
    expect(page.locator("[data-till-choices]")).to_be_visible()
    page.keyboard.press("1")
    lines = page.locator("[data-till-lines]")
    expect(lines).to_contain_text("Butter 250 g")
    expect(page.locator("[data-till-member]")).to_contain_text(card.number)
    expect(page.locator("[data-unit-price]").first).to_be_visible()

    # Void the buttermilk line before payment.
    lines.locator("tr", has_text="Buttermilk").locator("text=Void line").click()
    expect(lines).not_to_contain_text("Buttermilk")
    expect(page.locator("[data-till-total]")).to_have_text("¥9.50")

    page.fill("#id_cash_tendered", "20")
    page.click("button[value=pay_cash]")
    expect(page.locator("[data-receipt-change]")).to_have_text("¥10.50")

    # Refund the sale: cash from the drawer, points taken back.
    page.click("a.btn-outline-danger:has-text('Refund')")
    expect(page.locator("h1")).to_contain_text("Refund sale")
    page.fill("#id_reason", "changed their mind")
    page.click("button[value=all]")
    expect(page.locator(".alert-success")).to_contain_text("9.50 in cash back")
    expect(page.locator("[data-receipt-refund]")).to_contain_text("points taken back")
    assert TillRefund.objects.get().cash_amount == Decimal("9.50")

    # Hand the shift over: the drawer holds the float again, the next cashier confirms.
    page.goto("/dashboard/till/")
    page.click("text=Close shift")
    page.fill("#id_counted_cash", "100.00")
    page.select_option("#id_next_cashier", label="Nina Wu")
    page.fill("#id_next_cashier_password", PASSWORD)
    page.click("button:has-text('Close shift')")
    expect(page.locator("h1")).to_contain_text("Handover report")
    expect(page.locator("[data-cash-refunds]")).to_have_text("−¥9.50")
    expect(page.locator("[data-expected]")).to_have_text("¥100.00")
    expect(page.locator("[data-difference]")).to_have_text("¥0.00")
    expect(page.locator("[data-handover]")).to_contain_text("Nina Wu")
    assert Shift.objects.get(closed_at__isnull=True).cashier == till_day["nina"]
    page.goto("/dashboard/till/")
    expect(page.locator("h1")).to_contain_text("Ring up a sale")
    expect(page.locator("text=cashier nina")).to_be_visible()
