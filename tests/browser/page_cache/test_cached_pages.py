"""Two visitors in Chromium on the same cached product page: each sees and fills their own cart.

The second visitor's page comes from the page cache; its add-to-cart form must carry that
visitor's own CSRF token (a hole), and the header cart shows their own basket only.
"""

from decimal import Decimal

import pytest
from oscar.test.factories import create_product
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def noodles(transactional_db):
    return create_product(
        title="Cup noodles", price=Decimal("4.50"), num_in_stock=30, product_class="Grocery"
    )


def test_two_visitors_fill_their_own_carts_from_one_cached_page(
    browser_page, chromium_browser, live_server, noodles
):
    first = browser_page
    first.goto(noodles.get_absolute_url())
    first.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
    first.wait_for_load_state()
    first.goto(noodles.get_absolute_url())
    expect(first.locator(".basket-mini__total")).to_contain_text("¥4.50")

    context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        second = context.new_page()
        second.goto(noodles.get_absolute_url())
        expect(second.locator(".basket-mini__total")).to_contain_text("¥0.00")
        expect(second.get_by_text("has been added to your cart")).to_have_count(0)
        for _ in range(2):
            second.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
            second.wait_for_load_state()
            second.goto(noodles.get_absolute_url())
        expect(second.locator(".basket-mini__total")).to_contain_text("¥9.00")
    finally:
        context.close()

    first.goto(noodles.get_absolute_url())
    expect(first.locator(".basket-mini__total")).to_contain_text("¥4.50")
