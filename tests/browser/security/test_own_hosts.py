"""Every request of a page visit goes to our own host: storefront, Oscar dashboard and CMS.

The store runs in mainland China, where Google's CDN (Oscar's default jQuery) and Gravatar
are blocked: a request to either only costs the page seconds before it fails. Only Stripe is
third party, and only on the payment page, which tests/browser/payments covers. The dashboard's
order pages must also run their JavaScript without an error (Oscar's order page calls
``oscar.dashboard.orders.initTable``), and its brand names the store, not Oscar.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from oscar.test.factories import UserFactory
from playwright.sync_api import expect

from shop.pages.services import site_pages_install
from staff import roles
from tests.factories.marketing import category_product
from tests.factories.operations import place_order
from tests.factories.staff import staff_user

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "own-hosts-pass-1"  # noqa: S105


class RequestWatch:
    """What a page asked of other hosts, and the script errors it met, since the last reset."""

    def __init__(self, page, own_origin: str):
        self.own_origin = own_origin
        self.foreign: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.own_origin:
            self.foreign.append(request.url)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def reset(self) -> None:
        self.foreign.clear()
        self.errors.clear()


@pytest.fixture
def watch(browser_page, live_server):
    return RequestWatch(browser_page, own_origin=live_server.url)


@pytest.fixture
def shop(transactional_db):
    product = category_product(name="Fruit")
    site_pages_install(featured_product_ids=[product.pk], featured_category_id=None)
    order = place_order(items=[(product, 2)], user=UserFactory())
    return product, order


def _visit(page, watch, path: str) -> tuple[list[str], list[str]]:
    watch.reset()
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return list(watch.foreign), list(watch.errors)


def test_storefront_pages_load_everything_from_our_host(browser_page, watch, shop):
    product, _order = shop
    page = browser_page
    category = product.categories.get()

    for path in ("/", category.get_absolute_url(), product.get_absolute_url()):
        foreign, _errors = _visit(page, watch, path)
        assert foreign == [], path

    page.locator("#add_to_basket_form [type=submit]").click()
    foreign, _errors = _visit(page, watch, "/basket/")
    assert foreign == []
    expect(page.locator("#basket_formset")).to_be_visible()


def test_dashboard_runs_its_scripts_from_our_host_and_names_the_store(browser_page, watch, shop):
    _product, order = shop
    staff_user(roles.OPERATOR, username="operator", password=STAFF_PASSWORD)
    page = browser_page
    page.goto("/dashboard/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", STAFF_PASSWORD)
    page.locator("#dashboard_login_form [type=submit]").click()
    expect(page).to_have_url(f"{watch.own_origin}/dashboard/")

    for path in ("/dashboard/", "/dashboard/orders/", f"/dashboard/orders/{order.number}/"):
        assert _visit(page, watch, path) == ([], []), path

    # The order page's start-up script ran to its end: the line table's select-all works.
    page.locator("#order_lines_form thead input[type=checkbox]").check()
    for line in page.locator("#order_lines_form input[name=selected_line]").all():
        expect(line).to_be_checked()

    brand = page.locator(".navbar-accounts .navbar-brand")
    expect(brand).to_have_text(settings.OSCAR_SHOP_NAME)
    assert brand.evaluate("el => getComputedStyle(el).backgroundImage") == "none"
    assert brand.evaluate("el => getComputedStyle(el).textIndent") == "0px"


def test_cms_dashboard_loads_everything_from_our_host(browser_page, watch, shop):
    staff_user(roles.MARKETING, username="marketing", password=STAFF_PASSWORD)
    page = browser_page
    page.goto("/cms/login/")
    page.fill("#id_username", "marketing")
    page.fill("#id_password", STAFF_PASSWORD)
    watch.reset()
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{watch.own_origin}/cms/")
    page.wait_for_load_state("networkidle")

    assert watch.foreign == []
