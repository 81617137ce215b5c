import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_language_switcher_switches_the_storefront_to_chinese(client, home_page):
    english = client.get("/").content.decode()
    assert "Store information" in english
    assert 'value="zh-hans"' in english

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    chinese = client.get("/").content.decode()
    assert '<html lang="zh-hans"' in chinese
    assert "商店信息" in chinese
    assert "Store information" not in chinese


def test_our_strings_have_chinese_translations():
    with translation.override("zh-hans"):
        assert translation.gettext("Search products") == "搜索商品"
        assert translation.gettext("Product list") == "商品列表"


def test_a_card_pin_never_reads_like_the_account_password():
    # Members sign in with either one on the same form, so the two words must differ.
    with translation.override("zh-hans"):
        assert translation.gettext("Change PIN") != translation.gettext("Change password")
        assert translation.gettext("Password or card PIN") == "密码或卡密码"


def test_pending_points_and_a_pending_refund_are_worded_apart():
    with translation.override("zh-hans"):
        assert translation.pgettext("points not spendable yet", "Pending") == "待生效"
        assert translation.gettext("Pending") == "待处理"


def test_our_catalogue_writes_log_in_as_登录():
    catalogue = (settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    assert "登陆" not in catalogue
