"""The marketing user of the CMS, signed in."""

import pytest
from playwright.sync_api import expect

from staff import roles
from tests.factories.staff import staff_user

PASSWORD = "marketing-pass-1"


@pytest.fixture
def marketer(transactional_db):
    return staff_user(
        roles.MARKETING, username="marketing", email="marketing@campus.example", password=PASSWORD
    )


@pytest.fixture
def marketer_page(browser_page, live_server, marketer):
    """A browser page signed in to the CMS as the marketing user."""
    browser_page.goto("/cms/login/")
    browser_page.fill("#id_username", "marketing")
    browser_page.fill("#id_password", PASSWORD)
    browser_page.get_by_role("button", name="Sign in").click()
    expect(browser_page).to_have_url(f"{live_server.url}/cms/")
    return browser_page
