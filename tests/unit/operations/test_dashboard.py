"""The operators' dashboard: permissions, reorder → purchase order → receipt, counts."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from operations.models import PurchaseOrder, StockMovement
from tests.factories.operations import SupplierFactory, selling_stockrecord

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def operator():
    group, __ = Group.objects.get_or_create(name="Operators")
    group.permissions.set(Permission.objects.filter(content_type__app_label="operations"))
    user = UserFactory(is_staff=True, email="operator@example.com")
    user.groups.add(group)
    return user


@pytest.fixture
def selling_product(settings):
    settings.OPERATIONS_REORDER_HISTORY_DAYS = 7
    return selling_stockrecord()


def test_staff_without_the_operations_permission_is_kept_out(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("operations-reorder")).status_code in (302, 403)
    client.force_login(UserFactory(is_staff=False))
    assert client.get(reverse("operations-reorder")).status_code in (302, 403)


def test_every_page_opens_for_an_operator(client, operator, selling_product):
    client.force_login(operator)
    supplier = SupplierFactory()
    pages = [
        reverse("operations-reorder"),
        reverse("operations-po-list"),
        reverse("operations-supplier-list"),
        reverse("operations-supplier-create"),
        reverse("operations-supplier-update", args=[supplier.pk]),
        reverse("operations-supplier-statement", args=[supplier.pk]),
        reverse("operations-stock-list"),
        reverse("operations-stock-detail", args=[selling_product.pk]),
        reverse("operations-calendar-list"),
        reverse("operations-calendar-create"),
        reverse("operations-finance"),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    # The menu entry shows in Oscar's dashboard navigation.
    assert "Reorder now" in client.get(reverse("dashboard:index")).content.decode()


def test_operator_turns_suggestions_into_a_purchase_order_and_receives_it(
    client, operator, selling_product
):
    client.force_login(operator)
    client.post(reverse("operations-reorder-action"), {"action": "refresh"})
    page = client.get(reverse("operations-reorder")).content.decode()
    assert "Campus Wholesale" in page and "Green tea" in page

    response = client.post(
        reverse("operations-reorder-action"),
        {"action": "create_pos", "stockrecord": [selling_product.pk]},
    )
    order = PurchaseOrder.objects.get()
    assert response.url == reverse("operations-po-detail", args=[order.pk])
    line = order.lines.get()
    # 3/day, L=2, R=7: S = 27, stock 4 → 23 → 3 packs of 10.
    assert line.quantity_ordered == 30

    client.post(reverse("operations-po-action", args=[order.pk, "send"]))
    client.post(
        reverse("operations-po-action", args=[order.pk, "receive"]), {f"line_{line.pk}": 12}
    )
    selling_product.refresh_from_db()
    order.refresh_from_db()
    assert selling_product.num_in_stock == 16
    assert order.status == PurchaseOrder.Status.PARTLY_RECEIVED

    client.post(
        reverse("operations-po-action", args=[order.pk, "receive"]), {f"line_{line.pk}": 99}
    )
    selling_product.refresh_from_db()
    assert selling_product.num_in_stock == 16  # refused: only 18 outstanding

    assert client.get(reverse("operations-po-print", args=[order.pk])).status_code == 200


def test_a_count_correction_without_a_reason_changes_nothing(client, operator, selling_product):
    client.force_login(operator)
    url = reverse("operations-stock-count", args=[selling_product.pk])

    client.post(url, {"counted_quantity": 2, "note": ""})
    selling_product.refresh_from_db()
    assert selling_product.num_in_stock == 4

    client.post(url, {"counted_quantity": 2, "note": "two crushed"})
    selling_product.refresh_from_db()
    assert selling_product.num_in_stock == 2
    assert StockMovement.objects.get().note == "two crushed"


def test_operator_freezes_a_product_from_its_stock_page(client, operator, selling_product):
    client.force_login(operator)
    client.post(
        reverse("operations-stock-freeze", args=[selling_product.pk]),
        {"frozen": "on", "reason": "Recall"},
    )
    selling_product.refresh_from_db()
    assert selling_product.is_frozen and selling_product.frozen_by == operator
