"""Marketing translates a content page into Chinese in Wagtail and Chinese shoppers see it."""

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from shop.pages.models import ContentPage
from shop.pages.services import site_pages_translation_install
from tests.browser.conftest import wait_until_editing_sessions_released

CHINESE_TITLE = "营业时间（考试周延长）"


@pytest.fixture
def opening_hours(storefront):
    """The store's pages in both languages, but "Opening hours" not yet in Chinese."""
    site_pages_translation_install(language_code="zh-hans")
    ContentPage.objects.get(locale__language_code="zh-hans", slug="opening-hours").delete()
    return ContentPage.objects.get(locale=Locale.get_default(), slug="opening-hours")


@pytest.mark.browser
def test_marketing_translates_a_page_and_the_chinese_storefront_shows_it(
    marketing_in_cms, opening_hours
):
    page = marketing_in_cms
    page.goto(f"/cms/pages/{opening_hours.pk}/edit/")
    page.locator("header button[aria-label='Actions'], header .w-dropdown__toggle").first.click()
    page.get_by_role("link", name="Translate").click()
    page.get_by_label("Simplified Chinese").check()
    page.get_by_role("button", name="Submit").click()

    # The copy opens in the editor, in the Chinese tree, with the English words to replace.
    expect(page.locator("#id_title")).to_have_value("Opening hours")
    page.locator("#id_title").fill(CHINESE_TITLE)
    page.locator(
        "footer .w-dropdown__toggle, footer [data-w-dropdown-target='toggle']"
    ).first.click()
    page.locator("button[name='action-publish']").click()
    expect(page.locator(".messages")).to_contain_text("published")
    # Closing the editor releases its editing session with a beacon: let the live server
    # answer it while this test's database is still there.
    page.goto("/")
    wait_until_editing_sessions_released()

    translated = ContentPage.objects.get(
        translation_key=opening_hours.translation_key, live=True, locale__language_code="zh-hans"
    )
    assert translated.title == CHINESE_TITLE

    page.goto("/opening-hours/")
    expect(page.locator("h1")).to_have_text("Opening hours")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("h1")).to_have_text(CHINESE_TITLE)
    expect(page.locator(".site-nav").get_by_role("link", name=CHINESE_TITLE)).to_be_visible()
    expect(page.locator(".site-nav").get_by_role("link", name="关于我们")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Opening hours")
