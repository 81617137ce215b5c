"""The dashboard's top menu fits a 1280 px screen: the superuser, who sees every section, can
see and open each one, and each section's menu opens inside the window."""

import pytest
from playwright.sync_api import expect

from staff import roles
from tests.factories.staff import staff_user

PASSWORD = "menu-pass-1"
WIDTH = 1280


@pytest.fixture
def superuser(transactional_db):
    return staff_user(
        roles.OPERATOR,
        username="boss",
        email="boss@campus.example",
        password=PASSWORD,
        is_superuser=True,
    )


@pytest.mark.browser
def test_every_top_menu_item_is_visible_and_opens_at_1280(browser_page, superuser):
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.goto("/accounts/login/")
    page.locator("#id_login-username").fill("boss@campus.example")
    page.locator("#id_login-password").fill(PASSWORD)
    page.locator("button[name=login_submit]").click()
    page.goto("/dashboard/")

    items = page.locator("#bottom_nav_bar > .navbar-nav > .nav-item")
    # The superuser sees Oscar's sections and the store's own (pre-orders, credit, till...).
    assert items.count() >= 10
    for index in range(items.count()):
        item = items.nth(index)
        link = item.locator(":scope > .nav-link")
        expect(link).to_be_visible()
        box = link.bounding_box()
        label = link.inner_text().strip()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, label
        if item.locator(".dropdown-menu").count():
            link.click()
            menu = item.locator(".dropdown-menu")
            expect(menu).to_be_visible()
            menu_box = menu.bounding_box()
            assert menu_box["x"] >= 0 and menu_box["x"] + menu_box["width"] <= WIDTH, label
            page.keyboard.press("Escape")
            expect(menu).to_be_hidden()
        else:
            link.click(trial=True)  # visible, enabled and not covered by anything
