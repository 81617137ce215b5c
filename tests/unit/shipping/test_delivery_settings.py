"""One place for the delivery numbers: the setting marketing edits reaches the checkout and
the "Campus delivery" page alike."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.blocks import StructBlockValidationError

from shop.apps.shipping.blocks import DeliveryRoundBlock
from shop.apps.shipping.models import DeliverySettings
from shop.apps.shipping.selectors import delivery_settings_get
from shop.pages.models import ContentPage
from shop.pages.services import site_pages_install
from tests.factories.payments import shop_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery_page(db):
    site_pages_install(featured_product_ids=[], featured_category_id=None)
    return ContentPage.objects.get(slug="campus-delivery")


def test_the_delivery_page_shows_the_settings_numbers(client, delivery_page):
    html = client.get(delivery_page.url).content.decode()

    assert "¥3.00 per order, free for orders of ¥50.00 or more." in html
    assert "12:00–13:30, Monday to Saturday (order by 10:30)" in html
    assert "18:00–20:00, Monday to Saturday (order by 15:00)" in html


def test_changing_the_setting_changes_the_page_and_the_checkout(checkout, client, delivery_page):
    settings = delivery_settings_get()
    settings.delivery_fee = Decimal("4.50")
    settings.free_delivery_threshold = Decimal("30.00")
    settings.save()

    html = client.get(delivery_page.url).content.decode()
    assert "¥4.50 per order, free for orders of ¥30.00 or more." in html

    checkout.add_to_basket(shop_product(price="12.00"))
    checkout.enter_shipping_address(delivery=True)
    payment = checkout.client.get(reverse("checkout:payment-details"))
    assert payment.context["shipping_charge"].incl_tax == Decimal("4.50")
    assert payment.context["order_total"].incl_tax == Decimal("16.50")

    checkout.add_to_basket(shop_product(price="18.00", title="Tea"))
    payment = checkout.client.get(reverse("checkout:payment-details"))
    assert payment.context["shipping_charge"].incl_tax == Decimal("0.00")


def test_a_round_must_end_after_it_starts_and_close_orders_before_it_starts():
    block = DeliveryRoundBlock()
    value = block.to_python(
        {"starts_at": "18:00", "ends_at": "17:00", "order_by": "18:30", "days": ["1"]}
    )

    with pytest.raises(StructBlockValidationError) as raised:
        block.clean(value)

    assert set(raised.value.block_errors) == {"ends_at", "order_by"}


def test_the_service_desk_must_close_after_it_opens():
    settings = delivery_settings_get()
    settings.pickup_closes_at = datetime.time(8, 0)

    with pytest.raises(ValidationError) as raised:
        settings.full_clean()

    assert "pickup_closes_at" in raised.value.message_dict


def test_marketing_edits_the_delivery_settings_in_the_cms(client):
    from django.contrib.auth import get_user_model

    from staff import roles
    from staff.services import staff_role_grant

    marketer = get_user_model().objects.create_user(
        username="marketer", email="marketer@campus.example", password="x"
    )
    staff_role_grant(user=marketer, key=roles.MARKETING)
    client.force_login(marketer)
    url = reverse("wagtailsettings:edit", args=["shipping", "deliverysettings"])

    page = client.get(url, follow=True)
    assert page.status_code == 200
    url = page.redirect_chain[-1][0] if page.redirect_chain else url
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if name != "rounds"}
    data.update(delivery_fee="4.00", free_delivery_threshold="40.00")
    data.update({"rounds-count": "0"})
    response = client.post(url, data)

    assert response.status_code == 302
    settings = delivery_settings_get()
    assert (settings.delivery_fee, settings.free_delivery_threshold) == (
        Decimal("4.00"),
        Decimal("40.00"),
    )


def test_the_settings_are_read_once_until_marketing_saves_them(django_assert_num_queries):
    delivery_settings_get()
    with django_assert_num_queries(0):
        assert delivery_settings_get().delivery_fee == Decimal("3.00")

    settings = DeliverySettings.load()
    settings.delivery_fee = Decimal("5.00")
    settings.save()

    assert delivery_settings_get().delivery_fee == Decimal("5.00")
