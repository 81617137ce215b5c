"""What the CMS browser tests share: a marketing login and a store with its pages."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from oscar.test.factories import UserFactory, create_product

from shop.pages.services import site_pages_install
from staff.roles import MARKETING_GROUP


@pytest.fixture
def marketing_user(transactional_db):
    user = UserFactory(username="marketing", email="marketing@campus.example", is_staff=False)
    user.set_password("marketing-pass-1")
    user.save()
    user.groups.add(Group.objects.get(name=MARKETING_GROUP))
    assert user.has_perm("wagtailadmin.access_admin")
    return user


@pytest.fixture
def storefront(transactional_db):
    """The store's pages (site_pages_install), featuring one product; the home page."""
    product = create_product(
        title="Sourdough loaf",
        product_class="Groceries",
        price=Decimal("6.00"),
        num_in_stock=5,
        partner_name="Campus Store",
    )
    return site_pages_install(featured_product_ids=[product.pk], featured_category_id=None)


@pytest.fixture
def marketing_in_cms(browser_page, live_server, marketing_user):
    """The browser page, signed in to /cms/ as marketing_user."""
    browser_page.goto("/cms/login/")
    browser_page.fill("#id_username", "marketing")
    browser_page.fill("#id_password", "marketing-pass-1")
    browser_page.get_by_role("button", name="Sign in").click()
    browser_page.wait_for_url(f"{live_server.url}/cms/")
    return browser_page
