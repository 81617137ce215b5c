"""The demo cashier opens a shift and sells, for cash, to the member card that ``make run``
prints: the till takes the card, gives member price and the receipt shows the points."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from loyalty.models import PointsTransaction
from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from tests.browser.steps import sign_in, snapshot, till_scan, till_shift_open
from till.models import TillSale

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.browser


def _product_on_the_shelf() -> Product:
    """A demo product with stock and a barcode, as the cashier has it in hand."""
    return (
        Product.objects.filter(stockrecords__num_in_stock__gte=2, preorder_settings__isnull=True)
        .exclude(upc="")
        .order_by("title")
        .first()
    )


def test_cashier_sells_to_the_card_make_run_prints(browser_page, live_server, demo):
    page = browser_page
    cashier = next(a for a in DEMO_STAFF_ACCOUNTS if a.username == "cashier")
    product = _product_on_the_shelf()

    sign_in(page, cashier.username, cashier.password)
    till_shift_open(page, opening_float="200.00")

    page.fill("#id_card_number", demo.card_number)
    till_scan(page, product.upc)
    expect(page.locator("[data-till-lines]")).to_contain_text(product.title)
    expect(page.locator("[data-till-member]")).to_be_visible()
    expect(page.locator("[data-till-lines]")).to_contain_text("Member price")
    total = page.locator("[data-till-total]").inner_text()
    page.fill("#id_cash_tendered", "500")
    page.click("button[value=pay_cash]")

    expect(page.locator("[data-till-receipt]")).to_be_visible()
    expect(page.locator("[data-receipt-total]")).to_have_text(total)
    snapshot(page, "cashier-1-receipt")
    sale = TillSale.objects.select_related("order").latest("pk")
    expect(page.locator("[data-receipt-number]")).to_have_text(sale.order.number)
    assert sale.order.user.member_cards.filter(number=demo.card_number).exists()
    regular = product.stockrecords.get().price
    assert sale.order.total_incl_tax < regular
    assert sale.change_given == Decimal("500") - sale.order.total_incl_tax
    earned = PointsTransaction.objects.get(order=sale.order, kind=PointsTransaction.Kind.EARN)
    expect(page.locator("[data-receipt-points]")).to_contain_text(f"{earned.points} point")
