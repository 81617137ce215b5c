"""Where to collect reads in the shopper's language: the store's wording, translated, unless
marketing wrote a place of their own for English and Chinese."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from shop.apps.shipping.models import DeliverySettings
from shop.apps.shipping.selectors import delivery_settings_get, pickup_place_get
from tests.factories.payments import shop_product

pytestmark = pytest.mark.django_db

STORE_WORDING = "the service desk by the main entrance"


def pick_up_card(client, language: str) -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("checkout:shipping-method")).content.decode()
    return html.split('id="method_pick_up"', 1)[1].split("</form>", 1)[0]


def test_left_empty_the_place_is_the_stores_wording_in_each_language():
    settings = delivery_settings_get()

    assert DeliverySettings().pickup_place == ""
    assert pickup_place_get(settings=settings) == STORE_WORDING
    with translation.override("zh-hans"):
        assert pickup_place_get(settings=settings) == translation.gettext(STORE_WORDING)


def test_marketing_writes_the_place_in_english_and_in_chinese(checkout):
    settings = DeliverySettings.load()
    settings.pickup_place = "the parcel window, Building 2"
    settings.pickup_place_zh_hans = "二号楼取件窗口"
    settings.save()
    checkout.add_to_basket(shop_product(price="12.00"))

    assert "the parcel window, Building 2" in pick_up_card(checkout.client, "en")
    chinese = pick_up_card(checkout.client, "zh-hans")
    assert "二号楼取件窗口" in chinese and "parcel window" not in chinese


def test_an_english_place_alone_is_shown_on_the_chinese_site_too():
    settings = DeliverySettings(pickup_place="the parcel window, Building 2")

    with translation.override("zh-hans"):
        assert pickup_place_get(settings=settings) == "the parcel window, Building 2"
