"""Marketing edits the home page in Wagtail and shoppers see the change."""

import pytest
from playwright.sync_api import expect

NEW_HEADLINE = "Exam week: free coffee with every sandwich"


@pytest.mark.browser
def test_marketing_edits_the_promo_headline_and_the_storefront_shows_it(
    marketing_in_cms, storefront
):
    page = marketing_in_cms
    page.goto("/")
    expect(page.locator(".promo-block__headline").first).to_have_text(
        "Fresh food, fair prices, run by students"
    )

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
