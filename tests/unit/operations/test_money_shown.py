"""Operators read every amount in the store's currency format: reorder, suppliers, purchase
orders, stock and the finance reports."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from operations.models import PurchaseOrder
from staff import roles
from tests.factories.operations import (
    selling_stockrecord,
)
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def operator():
    """The demo's store operator role, as the person who reads these screens."""
    return staff_user(roles.OPERATOR)


@pytest.fixture
def record(settings):
    settings.OPERATIONS_REORDER_HISTORY_DAYS = 7
    record = selling_stockrecord(unit_cost="1234.50")
    StockRecord.objects.filter(pk=record.pk).update(cost_price=Decimal("2.50"))
    return record


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_reorder_supplier_purchase_order_and_stock_screens_show_money_in_yuan(
    client, operator, record
):
    client.force_login(operator)
    client.post(reverse("operations-reorder-action"), {"action": "refresh"})

    reorder = _page(client, reverse("operations-reorder"))
    # 3 packs of 10 at ¥1,234.50.
    assert "estimated cost ¥37,035.00" in " ".join(reorder.split())

    supplier = record.supplier_products.get().supplier
    assert "<td>¥1,234.50</td>" in _page(
        client, reverse("operations-supplier-update", args=[supplier.pk])
    )
    statement = _page(client, reverse("operations-supplier-statement", args=[supplier.pk]))
    assert "<strong>¥" in statement

    client.post(
        reverse("operations-reorder-action"),
        {"action": "create_pos", "stockrecord": [record.pk]},
    )
    order = PurchaseOrder.objects.get()
    detail = _page(client, reverse("operations-po-detail", args=[order.pk]))
    assert "<td>¥1,234.50</td>" in detail and "¥37,035.00" in detail
    printed = _page(client, reverse("operations-po-print", args=[order.pk]))
    assert "¥1,234.50" in printed and "¥37,035.00" in printed

    stock = _page(client, reverse("operations-stock-list"))
    assert "<td>¥2.50</td>" in stock


def test_the_finance_reports_show_amounts_in_yuan_and_the_csv_plain_numbers(
    client, operator, record
):
    client.force_login(operator)

    page = _page(client, reverse("operations-finance") + "?report=takings")
    csv = client.get(reverse("operations-finance") + "?report=takings&format=csv")

    amounts = [row[3] for row in _rows(page)]
    assert amounts and all(amount.startswith("¥") for amount in amounts)
    assert "¥" not in csv.content.decode()


def _rows(page: str) -> list[list[str]]:
    import re

    body = page.split('id="report-table"', 1)[1].split("</tbody>", 1)[0]
    return [
        re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("<tr>")[2:] if "<td>" in row
    ]
