"""A shopper browses from the home page to a product and puts it in the basket."""

from decimal import Decimal

import pytest
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from playwright.sync_api import expect

from shop.pages.services import site_pages_install

ProductCategory = get_model("catalogue", "ProductCategory")

pytestmark = pytest.mark.browser


@pytest.fixture
def snack_shelf(transactional_db):
    """Three snacks in stock in one category, featured on the installed home page."""
    snacks = create_from_breadcrumbs("Snacks")
    products = [
        create_product(title=title, price=Decimal(price), num_in_stock=20, product_class="Grocery")
        for title, price in (
            ("Sea salt crisps", "6.50"),
            ("Dark chocolate bar", "12.00"),
            ("Roasted peanuts", "8.80"),
        )
    ]
    for product in products:
        ProductCategory.objects.create(product=product, category=snacks)
    site_pages_install(
        featured_product_ids=[product.id for product in products], featured_category_id=snacks.id
    )
    return snacks, products


def test_shopper_browses_home_and_category_then_fills_the_basket(
    browser_page, live_server, snack_shelf
):
    snacks, (crisps, chocolate, peanuts) = snack_shelf
    page = browser_page

    page.goto("/")
    expect(page.get_by_role("link", name=crisps.title).first).to_be_visible()

    page.goto(snacks.get_absolute_url())
    expect(page.get_by_role("heading", name="Snacks", level=1)).to_be_visible()
    for product in (crisps, chocolate, peanuts):
        expect(page.get_by_role("link", name=product.title).first).to_be_visible()

    page.get_by_role("link", name=chocolate.title).first.click()
    expect(page).to_have_url(live_server.url + chocolate.get_absolute_url())
    expect(page.get_by_role("heading", name=chocolate.title, level=1)).to_be_visible()

    page.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
    page.wait_for_load_state()
    page.goto(crisps.get_absolute_url())
    page.locator("#add_to_basket_form").get_by_role("button", name="Add to cart").click()
    page.wait_for_load_state()

    page.goto("/basket/")
    for product in (chocolate, crisps):
        expect(page.get_by_role("link", name=product.title).first).to_be_visible()
    expect(page.get_by_role("link", name=peanuts.title)).to_have_count(0)
    # 12.00 + 6.50, free shipping.
    expect(page.locator("tr", has_text="Order total")).to_contain_text("¥18.50")
