"""Dates read one way across the site and in the shopper's language: the checkout's pick-up
time, the Points page's dates, each through the project's format modules (shop/formats)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from tests.factories.payments import shop_product

pytestmark = pytest.mark.django_db

WEEKDAY_EN = (
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
)
WEEKDAY_ZH = r"\d{1,2}月\d{1,2}日 星期[一二三四五六日]"


def ready_from(client, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("checkout:shipping-method")).content.decode()
    pick_up = html.split('id="method_pick_up"', 1)[1].split("</form>", 1)[0]
    return re.search(r"<strong>(.*?)</strong>", pick_up).group(1)


def test_pick_up_time_reads_in_the_shoppers_language(checkout):
    checkout.add_to_basket(shop_product(price="12.00"))

    english = ready_from(checkout.client, "en")
    chinese = ready_from(checkout.client, "zh-hans")

    assert re.fullmatch(rf"{WEEKDAY_EN} \d{{2}}:\d{{2}}", english), english
    assert re.fullmatch(rf"{WEEKDAY_ZH} \d{{2}}:\d{{2}}", chinese), chinese


def test_short_and_long_dates_read_alike_in_each_language():
    day = dt.date(2026, 12, 4)
    expected = {
        "en": ("4 Dec 2026", "Fri 4 Dec"),
        "zh-hans": ("2026年12月4日", "12月4日 星期五"),
    }

    for language, (date, weekday_date) in expected.items():
        with translation.override(language):
            assert formats.date_format(day, "DATE_FORMAT") == date
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == date
            assert formats.date_format(day, "WEEKDAY_DATE_FORMAT") == weekday_date
