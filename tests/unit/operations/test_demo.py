"""operations_demo_install gives load_demo suppliers, cost prices, a calendar and figures."""

from datetime import date
from decimal import Decimal

import pytest

from operations.demo import operations_demo_install
from operations.models import (
    AcademicCalendarPeriod,
    PurchaseOrder,
    ReorderSuggestion,
    Supplier,
    SupplierProduct,
)
from tests.factories.operations import place_order, stocked_product

pytestmark = pytest.mark.django_db


def test_the_demo_is_complete_and_idempotent():
    milk, milk_record = stocked_product(title="Milk", price="8.00", cost=None, sku="DAI-whole-milk")
    bread, bread_record = stocked_product(
        title="Bread", price="6.00", cost=None, sku="BAK-brown-bread"
    )
    rice, rice_record = stocked_product(title="Rice", price="20.00", cost=None, sku="PAN-rice")
    stocked_product(title="Cola", price="3.00", cost=None, sku="DRI-cola")
    place_order(items=[(milk, 2)], status="Complete", placed_on=date(2015, 12, 30))

    first = operations_demo_install(today=date(2015, 12, 31))

    assert first["suggestions_as_of"] == "2015-12-31"
    milk_record.refresh_from_db()
    assert Decimal("4.40") <= milk_record.cost_price <= Decimal("6.40")  # 55–80 % of 8.00
    assert SupplierProduct.objects.get(stockrecord=milk_record).supplier.code == "campus-fresh"
    assert (
        SupplierProduct.objects.get(stockrecord=bread_record).supplier.settlement_terms
        == "consignment"
    )
    assert SupplierProduct.objects.get(stockrecord=rice_record).supplier.code == "north-grocery"
    assert AcademicCalendarPeriod.objects.filter(starts_on__year=2016).exists()
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {
        "received",
        "partly_received",
        "sent",
    }
    assert ReorderSuggestion.objects.count() == 4

    counts = [
        Supplier.objects.count(),
        SupplierProduct.objects.count(),
        PurchaseOrder.objects.count(),
        AcademicCalendarPeriod.objects.count(),
    ]
    operations_demo_install(today=date(2015, 12, 31))
    assert counts == [
        Supplier.objects.count(),
        SupplierProduct.objects.count(),
        PurchaseOrder.objects.count(),
        AcademicCalendarPeriod.objects.count(),
    ]
