"""A cashier's shift at the till, in a real browser: log in, open, sell, receipt, points, close."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in, till_scan, till_shift_open
from tests.factories import till as f
from tests.factories.loyalty import CARD_PIN, earning_rules
from till.models import TillSale

CASHIER_EMAIL = "casey@campus.example"
CASHIER_PASSWORD = "till-test-password"  # noqa: S105


@pytest.fixture
def till_world(transactional_db):
    earning_rules(pending_days=0, points_per_cny=Decimal("1.00"))
    cashier = f.cashier(username="casey", email=CASHIER_EMAIL)
    cashier.set_password(CASHIER_PASSWORD)
    cashier.save()
    f.register("Till 1")
    _user, card = f.member(member_type_code="staff", wallet="200.00")
    milk = f.product(title="Oat milk 1 l", price="10.00", stock=12)
    bread = f.product(title="Sourdough loaf", price="18.00", stock=3)
    return {"cashier": cashier, "card": card, "milk": milk, "bread": bread}


@pytest.mark.browser
def test_cashier_rings_up_a_wallet_sale_and_hands_over(browser_page, till_world):
    page = browser_page
    card, milk = till_world["card"], till_world["milk"]

    # Log in through the store's login form, like a cashier at the start of the day.
    sign_in(page, CASHIER_EMAIL, CASHIER_PASSWORD)
    # The till sends a cashier without a shift to open one.
    till_shift_open(page, opening_float="150.00")

    # Card, then two scans of the milk barcode and a name search for the bread.
    page.fill("#id_card_number", card.number)
    till_scan(page, milk.upc)
    expect(page.locator("[data-till-member]")).to_contain_text("Staff")
    till_scan(page, milk.upc)
    # Each scan reloads the page: wait for it, or the next keystrokes land on the old one.
    expect(page.locator("[data-till-total]")).to_have_text("¥19.00")
    till_scan(page, "sourdough")
    lines = page.locator("[data-till-lines]")
    expect(lines).to_contain_text("Oat milk 1 l")
    expect(lines).to_contain_text("Sourdough loaf")
    expect(lines).to_contain_text("Member price")
    # 2 × 10.00 + 18.00 = 38.00, less the 5 % staff member price.
    expect(page.locator("[data-till-total]")).to_have_text("¥36.10")

    page.click("button[value=pay_wallet]")

    receipt = page.locator("[data-till-receipt]")
    expect(receipt).to_contain_text("Campus-card wallet")
    expect(page.locator("[data-receipt-total]")).to_have_text("¥36.10")
    expect(page.locator("[data-receipt-points]")).to_contain_text("36 points earned")
    expect(page.locator("[data-receipt-wallet]")).to_contain_text("¥163.90")
    sale = TillSale.objects.get()
    expect(page.locator("[data-receipt-number]")).to_have_text(sale.order.number)

    # A cash sale without a card: the change is on the receipt.
    page.click("text=Next sale")
    till_scan(page, milk.upc)
    expect(page.locator("[data-till-total]")).to_have_text("¥10.00")
    page.fill("#id_cash_tendered", "20")
    expect(page.locator("#till-change")).to_contain_text("10.00")
    page.click("button[value=pay_cash]")
    expect(page.locator("[data-receipt-change]")).to_have_text("¥10.00")

    # The member looks up the card: the till sale and its points are there.
    member_page = page.context.new_page()
    member_page.goto("/member-card/")
    member_page.fill("#id_number", card.number)
    member_page.fill("#id_pin", CARD_PIN)
    member_page.click("text=Show my card")
    expect(member_page.locator("#card_balance")).to_have_text("36")
    expect(member_page.locator("#points_history")).to_contain_text(sale.order.number)
    expect(member_page.locator("#order_history")).to_contain_text(sale.order.number)
    member_page.close()

    # Close the shift with a cash count 50 fen short: the handover report shows it.
    page.goto("/dashboard/till/")
    page.click("text=Close shift")
    page.fill("#id_counted_cash", "159.50")
    page.fill("#id_note", "coin roll missing")
    page.click("button:has-text('Close shift')")
    expect(page.locator("h1")).to_contain_text("Handover report")
    takings = page.locator("[data-report-takings]")
    expect(takings.locator("tr[data-method=wallet]")).to_contain_text("¥36.10")
    expect(takings.locator("tr[data-method=cash]")).to_contain_text("¥10.00")
    expect(page.locator("[data-expected]")).to_have_text("¥160.00")
    expect(page.locator("[data-counted]")).to_have_text("¥159.50")
    expect(page.locator("[data-difference]")).to_have_text("−¥0.50")
