"""Marketing edits the home page in Wagtail and shoppers see the change."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from oscar.test.factories import UserFactory, create_product
from playwright.sync_api import expect

from shop.pages.services import site_pages_install

NEW_HEADLINE = "Exam week: free coffee with every sandwich"


@pytest.fixture
def marketing_user(transactional_db):
    user = UserFactory(username="marketing", email="marketing@campus.example", is_staff=False)
    user.set_password("marketing-pass-1")
    user.save()
    user.groups.add(Group.objects.get(name="Editors"))
    assert user.has_perm("wagtailadmin.access_admin")
    return user


@pytest.fixture
def storefront(transactional_db):
    product = create_product(
        title="Sourdough loaf",
        product_class="Groceries",
        price=Decimal("6.00"),
        num_in_stock=5,
        partner_name="Campus Store",
    )
    return site_pages_install(featured_product_ids=[product.pk], featured_category_id=None)


@pytest.mark.browser
def test_marketing_edits_the_promo_headline_and_the_storefront_shows_it(
    browser_page, live_server, marketing_user, storefront
):
    page = browser_page
    page.goto("/")
    expect(page.locator(".promo-block__headline").first).to_have_text(
        "Fresh food, fair prices, run by students"
    )

    page.goto("/cms/login/")
    page.fill("#id_username", "marketing")
    page.fill("#id_password", "marketing-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/cms/")

    page.goto(f"/cms/pages/{storefront.pk}/edit/")
    headline = page.locator("#body-0-value-headline")
    expect(headline).to_have_value("Fresh food, fair prices, run by students")
    headline.fill(NEW_HEADLINE)
    # "Publish" sits in the save button's dropdown in Wagtail's editor footer.
    page.locator(
        "footer .w-dropdown__toggle, footer [data-w-dropdown-target='toggle']"
    ).first.click()
    page.locator("button[name='action-publish']").click()
    expect(page.locator(".messages")).to_contain_text("published")

    page.goto("/")
    expect(page.locator(".promo-block__headline").first).to_have_text(NEW_HEADLINE)
