"""A demo member can get through the checkout's shipping step of the demo store.

Found by bench/checkout.py: load_demo created no shipping country, Oscar's shipping-address
form then offers an empty country list, and no online order could be placed on the demo.
"""

import pytest
from django.core.management import call_command
from oscar.core.loading import get_class, get_model

pytestmark = pytest.mark.django_db

Country = get_model("address", "Country")
ShippingAddressForm = get_class("checkout.forms", "ShippingAddressForm")

HISTORY = """member_number,date,item
1001,2015-01-05,whole milk
1002,2015-01-06,yogurt
"""


@pytest.fixture
def demo_store(tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_text(HISTORY, encoding="utf-8")
    call_command("load_demo", "--csv", str(path), "--quiet")


def test_load_demo_makes_china_the_shipping_country(demo_store):
    assert list(Country.objects.filter(is_shipping_country=True).values_list("pk", flat=True)) == [
        "CN"
    ]


def test_checkout_shipping_form_accepts_a_campus_address(demo_store):
    form = ShippingAddressForm(
        data={
            "first_name": "Li",
            "last_name": "Wei",
            "line1": "Dormitory 3",
            "line4": "Campus",
            "postcode": "100000",
            "country": "CN",
        }
    )

    assert form.is_valid(), form.errors
