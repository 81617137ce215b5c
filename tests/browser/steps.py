"""Steps the browser tests share: what a person does in the browser (the journeys do them on
the loaded demo)."""

from __future__ import annotations

import os
import re

from playwright.sync_api import Page, expect

from tests.browser.payments.test_card_checkout_browser import enter_card
from tests.conftest import TEST_RESULTS_DIR

__all__ = [
    "enter_card",
    "open_product_in_stock",
    "place_order",
    "sign_in",
    "snapshot",
    "till_scan",
    "till_shift_open",
]


def snapshot(page: Page, name: str) -> None:
    """With JOURNEY_SCREENSHOTS=1, keep what the person sees at this step (var/test-results/
    journeys/), to look at the journey as they walked it; otherwise nothing."""
    if os.environ.get("JOURNEY_SCREENSHOTS") == "1":
        folder = TEST_RESULTS_DIR / "journeys"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def sign_in(page: Page, username: str, password: str) -> None:
    """The store's one login form (members with card + PIN, staff with their password)."""
    page.goto("/accounts/login/")
    page.locator("#id_login-username").fill(username)
    page.locator("#id_login-password").fill(password)
    page.locator("button[name=login_submit]").click()
    # Members land on their account, staff on their screen (the till, the dashboard).
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def open_product_in_stock(page: Page, *, skip: int = 0) -> str:
    """From the catalogue, open a product that can be added to the basket; returns its URL.

    ``skip`` passes over that many such products first, so journeys buy different things.
    """
    page.goto("/catalogue/")
    tiles = page.locator("article.product_pod").filter(
        has=page.locator("button", has_text=re.compile("Add to (basket|cart)"))
    )
    expect(tiles.first).to_be_visible()
    tiles.nth(skip).locator("h3 a").click()
    expect(page.locator("#add_to_basket_form")).to_be_visible()
    return page.url


def place_order(page: Page) -> None:
    """From the payment page: continue to the preview, place the order, see the thank-you page."""
    page.locator("#view_preview").click()
    page.locator("#place-order").click()
    expect(page).to_have_url(re.compile(r"/checkout/thank-you/$"))


def till_shift_open(page: Page, *, opening_float: str) -> None:
    """The signed-in cashier opens a shift with ``opening_float`` in the drawer."""
    page.goto("/dashboard/till/")
    expect(page.locator("h1")).to_contain_text("Open a shift")
    page.fill("#id_opening_float", opening_float)
    page.click("text=Open shift")
    expect(page.locator("h1")).to_contain_text("Ring up a sale")


def till_scan(page: Page, code: str) -> None:
    """Scan a barcode at the till, or type a name and press Enter."""
    page.fill("#id_scan", code)
    page.press("#id_scan", "Enter")
