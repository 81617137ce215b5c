"""The operators' screens: the per-product report, settings, permissions; the product page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from preorders import services
from preorders.models import PaymentPolicy, Preorder, PreorderSettings
from staff import roles
from tests.factories.payments import CARD_DECLINED
from tests.factories.preorders import preorder_product, release_today
from tests.factories.staff import staff_user
from tests.unit.preorders.test_policies import place_preorder

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return staff_user(roles.OPERATOR)


def test_report_counts_reserved_charged_failed_cancelled_and_revenue(
    checkout, localstripe, operator, client
):
    settings = preorder_product(
        policy=PaymentPolicy.SAVE_CARD, price="25.00", cap=10, days_to_release=20
    )
    place_preorder(checkout, localstripe, settings, quantity=2)  # charged at release
    place_preorder(checkout, localstripe, settings, card=CARD_DECLINED)  # fails at release
    place_preorder(checkout, localstripe, settings, quantity=3)  # cancelled before release
    charged, failed, cancelled = Preorder.objects.order_by("pk")
    services.preorder_cancel(preorder_id=cancelled.pk, reason="changed mind", by_customer=True)
    release_today(settings)
    services.preorders_release_due()
    place_preorder_settings = preorder_product(title="Seasonal food box", cap=4)
    place_preorder(checkout, localstripe, place_preorder_settings)  # reserved, paid in advance

    rows = {row.settings.pk: row for row in services.selectors.preorder_report()}
    row = rows[settings.pk]
    assert (row.reserved, row.charged, row.failed, row.cancelled) == (0, 2, 1, 3)
    assert row.revenue == Decimal("50.00") and row.remaining == 10 - 3
    other = rows[place_preorder_settings.pk]
    assert (other.reserved, other.charged, other.revenue, other.remaining) == (
        1,
        0,
        Decimal("0.00"),
        3,
    )

    client.force_login(operator)
    page = client.get(reverse("preorders-report"))
    assert page.status_code == 200
    assert "Seasonal food box" in page.content.decode()
    detail = client.get(reverse("preorders-product", kwargs={"pk": settings.pk}))
    assert detail.status_code == 200 and failed.order_number in detail.content.decode()


def test_staff_without_permission_cannot_see_the_report(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("preorders-report")).status_code in (302, 403)


def test_operator_makes_a_product_preorderable_and_moves_its_date(operator, client):
    from oscar.test.factories import create_product

    product = create_product(price=Decimal("99.00"), title="Class ring", num_in_stock=0)
    client.force_login(operator)
    release = timezone.localdate() + dt.timedelta(days=14)
    response = client.post(
        reverse("preorders-settings-create"),
        {
            "product": product.pk,
            "release_date": release.isoformat(),
            "cap": 20,
            "payment_policy": PaymentPolicy.SAVE_CARD,
            "pickup_days": 7,
            "no_show_fee": "0",
            "payment_grace_days": 3,
            "few_left_threshold": 5,
            "is_active": "on",
        },
    )
    settings = PreorderSettings.objects.get(product=product)
    assert response.status_code == 302 and settings.cap == 20
    new_date = release + dt.timedelta(days=7)
    client.post(
        reverse("preorders-date-move", kwargs={"pk": settings.pk}),
        {"release_date": new_date.isoformat()},
    )
    settings.refresh_from_db()
    assert settings.release_date == new_date


def test_product_page_shows_badge_remaining_units_and_schema_org_preorder(client):
    settings = preorder_product(title="Graduation gown", cap=3, price="60.00")
    page = client.get(settings.product.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200
    assert "Pre-order: ships by" in body and 'id="preorder_button"' in body
    assert "Only 3 left to pre-order" in body
    assert "https://schema.org/PreOrder" in body
    assert settings.release_date.isoformat() in body


def test_preorder_product_is_purchasable_out_of_stock_until_release_only(client):
    settings = preorder_product(cap=2)
    response = client.post(
        reverse("basket:add", kwargs={"pk": settings.product.pk}), {"quantity": 1}
    )
    assert response.status_code == 302
    basket_page = client.get(reverse("basket:summary"))
    assert settings.product.title in basket_page.content.decode()
    release_today(settings)
    page = client.get(settings.product.get_absolute_url())
    assert "Pre-order: ships by" not in page.content.decode()
