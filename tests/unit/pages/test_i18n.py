import pytest
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
