"""The pages' Chinese versions: served at the same URLs by the active language, in the menu,
made the way the CMS's "Translate" makes them, publishable by marketing."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.test.factories import UserFactory
from wagtail.models import Locale, Page

from shop.pages.models import ContentPage, HomePage
from shop.pages.services import locales_install, site_pages_translation_install
from staff.roles import MARKETING_GROUP, MARKETING_MANAGERS_GROUP, OPERATORS_GROUP

pytestmark = pytest.mark.django_db


def _chinese(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    return client


def _menu_titles(html: str) -> list[str]:
    # The footer lists the same pages as the header; the header's links carry nav-link.
    import re

    return re.findall(r'<a class="nav-link[^"]*" href="[^"]+"[^>]*>([^<]+)</a>', html)


def test_a_migrated_database_has_a_locale_per_content_language():
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {"en", "zh-hans"}
    assert Locale.get_default().language_code == "en"


def test_translation_install_copies_the_tree_like_translate_does(home_page):
    chinese_home = site_pages_translation_install(language_code="zh-hans")

    zh = Locale.objects.get(language_code="zh-hans")
    assert chinese_home.locale == zh and chinese_home.live
    assert chinese_home.translation_key == home_page.translation_key
    assert chinese_home.title == "校园超市"
    # Wagtail's copy for translation: a sibling of the site's home page, not a child of it.
    assert chinese_home.get_parent().is_root()
    about = ContentPage.objects.get(locale=zh, slug="about-us")
    assert about.get_parent().pk == chinese_home.pk
    assert about.title == "关于我们" and about.live and about.show_in_menus
    assert "学生" in about.introduction
    # English stays as it was.
    english_about = ContentPage.objects.get(locale=Locale.get_default(), slug="about-us")
    assert english_about.title == "About us"
    assert english_about.translation_key == about.translation_key


def test_translation_install_leaves_edited_versions_alone(home_page):
    site_pages_translation_install(language_code="zh-hans")
    zh = Locale.objects.get(language_code="zh-hans")
    about = ContentPage.objects.get(locale=zh, slug="about-us")
    about.title = "关于校园超市"
    about.save_revision().publish()
    ContentPage.objects.get(locale=zh, slug="opening-hours").delete()

    site_pages_translation_install(language_code="zh-hans")

    assert ContentPage.objects.get(locale=zh, slug="about-us").title == "关于校园超市"
    assert ContentPage.objects.get(locale=zh, slug="opening-hours").title == "营业时间"
    assert HomePage.objects.filter(locale=zh).count() == 1


def test_translation_install_leaves_the_copy_of_an_unpublished_page_a_draft(home_page):
    ContentPage.objects.get(locale=Locale.get_default(), slug="campus-delivery").unpublish()

    site_pages_translation_install(language_code="zh-hans")

    delivery = ContentPage.objects.get(locale__language_code="zh-hans", slug="campus-delivery")
    assert not delivery.live
    assert delivery.get_latest_revision_as_object().title == "校园配送"


def test_translation_install_refuses_a_language_it_has_no_texts_for(home_page):
    pages_before = Page.objects.count()
    with pytest.raises(ValidationError):
        site_pages_translation_install(language_code="fr")
    assert Page.objects.count() == pages_before


def test_a_chinese_visitor_gets_the_chinese_home_page_and_menu(client, home_page):
    site_pages_translation_install(language_code="zh-hans")

    english = client.get("/").content.decode()
    assert "Fresh food, fair prices, run by students" in english
    assert _menu_titles(english)[-3:] == ["About us", "Opening hours", "Campus delivery"]

    chinese = _chinese(client).get("/").content.decode()
    assert "新鲜食品，实惠价格，学生自己经营" in chinese
    assert "Fresh food, fair prices" not in chinese
    assert _menu_titles(chinese)[-3:] == ["关于我们", "营业时间", "校园配送"]
    # The same URL in both languages: the language switch keeps the visitor on the page.
    assert 'href="/about-us/"' in chinese
    about = client.get("/about-us/").content.decode()
    assert "<h1>关于我们</h1>" in about


def test_a_page_without_a_chinese_version_is_served_in_english(client, home_page):
    site_pages_translation_install(language_code="zh-hans")
    zh = Locale.objects.get(language_code="zh-hans")
    ContentPage.objects.get(locale=zh, slug="opening-hours").unpublish()
    ContentPage.objects.get(locale=zh, slug="campus-delivery").delete()

    _chinese(client)
    html = client.get("/").content.decode()
    assert _menu_titles(html)[-3:] == ["关于我们", "Opening hours", "Campus delivery"]
    for path, title in [
        ("/opening-hours/", "Opening hours"),
        ("/campus-delivery/", "Campus delivery"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert f"<h1>{title}</h1>" in response.content.decode()
    assert client.get("/no-such-page/").status_code == 404


def test_a_translation_with_its_own_slug_is_served_in_each_language_at_both_urls(client, home_page):
    site_pages_translation_install(language_code="zh-hans")
    zh = Locale.objects.get(language_code="zh-hans")
    hours = ContentPage.objects.get(locale=zh, slug="opening-hours")
    hours.slug = "营业时间"
    hours.save_revision().publish()

    for path in ("/opening-hours/", "/营业时间/"):
        client.cookies.pop("django_language", None)
        assert "<h1>Opening hours</h1>" in client.get(path).content.decode(), path
        _chinese(client)
        assert "<h1>营业时间</h1>" in client.get(path).content.decode(), path


def test_an_unpublished_chinese_home_page_leaves_the_whole_site_english(client, home_page):
    chinese_home = site_pages_translation_install(language_code="zh-hans")
    chinese_home.unpublish()

    html = _chinese(client).get("/").content.decode()
    assert "Fresh food, fair prices, run by students" in html
    # Its pages cannot be reached, so the menu does not offer them either.
    assert _menu_titles(html)[-3:] == ["About us", "Opening hours", "Campus delivery"]


def test_marketing_may_publish_a_home_page_made_by_translate(home_page):
    marketing = UserFactory(is_staff=False)
    marketing.groups.add(Group.objects.get(name=MARKETING_GROUP))

    chinese_home = site_pages_translation_install(language_code="zh-hans")

    assert chinese_home.permissions_for_user(marketing).can_publish()
    about = ContentPage.objects.get(locale=chinese_home.locale, slug="about-us")
    assert about.permissions_for_user(marketing).can_publish()


def test_locales_install_is_idempotent():
    first = locales_install()
    second = locales_install()
    assert [locale.pk for locale in first] == [locale.pk for locale in second]
    assert Locale.objects.filter(language_code="zh-hans").count() == 1


def _staff(group_name: str):
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_marketing_translates_a_page_in_the_cms(client, home_page):
    chinese_home = site_pages_translation_install(language_code="zh-hans")
    zh = chinese_home.locale
    ContentPage.objects.get(locale=zh, slug="about-us").delete()
    about = ContentPage.objects.get(locale=Locale.get_default(), slug="about-us")
    client.force_login(_staff(MARKETING_GROUP))
    url = reverse("simple_translation:submit_page_translation", args=[about.pk])

    edit_page = client.get(reverse("wagtailadmin_pages:edit", args=[about.pk])).content.decode()
    assert f'href="{url}"' in edit_page
    response = client.post(url, {"locales": [zh.pk]})

    translated = ContentPage.objects.get(locale=zh, slug="about-us")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[translated.pk])
    assert translated.get_parent().pk == chinese_home.pk
    assert translated.translation_key == about.translation_key
    assert not translated.live
    assert translated.permissions_for_user(response.wsgi_request.user).can_publish()


@pytest.mark.parametrize("group_name", [MARKETING_MANAGERS_GROUP, OPERATORS_GROUP])
def test_only_marketing_translates_pages(client, home_page, group_name):
    zh = Locale.objects.get(language_code="zh-hans")
    client.force_login(_staff(group_name))

    response = client.post(
        reverse("simple_translation:submit_page_translation", args=[home_page.pk]),
        {"locales": [zh.pk]},
    )

    assert response.status_code in (302, 403)
    assert not HomePage.objects.filter(locale=zh).exists()
