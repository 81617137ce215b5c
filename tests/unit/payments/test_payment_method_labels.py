"""Staff read a card payment as "Bank card" on the dashboard's order page, as shoppers do."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_order

from shop.apps.order.constants import SOURCE_TYPE_STRIPE, SOURCE_TYPE_WALLET

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

pytestmark = pytest.mark.django_db


def test_dashboard_order_page_names_payment_sources_in_staff_words(client):
    order = create_order()
    for name, amount in ((SOURCE_TYPE_STRIPE, "3.00"), (SOURCE_TYPE_WALLET, "2.00")):
        Source.objects.create(
            order=order,
            source_type=SourceType.objects.create(name=name),
            amount_allocated=Decimal(amount),
            amount_debited=Decimal(amount),
        )
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="order", codename="view_order")
    )
    client.force_login(staff)

    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number}))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<td>Bank card</td>" in html and "<td>Campus card wallet</td>" in html
    assert "<td>Stripe</td>" not in html and "<td>Campus wallet</td>" not in html
