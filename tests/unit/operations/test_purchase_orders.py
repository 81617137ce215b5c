"""Suggestions become draft purchase orders per supplier; receiving raises stock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from oscar.core.loading import get_model

from operations import selectors, services
from operations.models import PurchaseOrder, ReorderSuggestion, StockMovement
from tests.factories.operations import (
    SupplierFactory,
    SupplierProductFactory,
    place_order,
    stocked_product,
)

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


def sold_every_day(product, *, units: int, days: int):
    """Imported history: Complete orders whose units already left the shelf."""
    today = timezone.localdate()
    for i in range(1, days + 1):
        place_order(
            items=[(product, units)], status="Complete", placed_on=today - timedelta(days=i)
        )
    StockRecord.objects.filter(product=product).update(num_allocated=0)


@pytest.fixture
def two_suppliers(settings):
    """Two products selling 5 a day from one supplier, one product from another."""
    noodles_supplier = SupplierFactory(name="Noodle Co", lead_time_days=3, review_period_days=7)
    water_supplier = SupplierFactory(name="Water Co", lead_time_days=2, review_period_days=7)
    noodles, noodles_record = stocked_product(title="Noodles", stock=10)
    rice, rice_record = stocked_product(title="Rice", stock=10)
    water, water_record = stocked_product(title="Water", stock=10)
    SupplierProductFactory(
        supplier=noodles_supplier,
        stockrecord=noodles_record,
        unit_cost=Decimal("2.50"),
        pack_size=6,
    )
    SupplierProductFactory(
        supplier=noodles_supplier, stockrecord=rice_record, unit_cost=Decimal("4.00")
    )
    SupplierProductFactory(
        supplier=water_supplier, stockrecord=water_record, unit_cost=Decimal("1.00"), pack_size=24
    )
    for product in (noodles, rice, water):
        sold_every_day(product, units=5, days=14)
    settings.OPERATIONS_REORDER_HISTORY_DAYS = 14
    return noodles_supplier, water_supplier, noodles_record, rice_record, water_record


def test_suggestions_are_grouped_by_supplier_and_rounded_to_packs(two_suppliers):
    noodles_supplier, water_supplier, noodles_record, rice_record, water_record = two_suppliers

    need = services.reorder_suggestions_refresh()

    assert need == 3
    groups = selectors.reorder_suggestions_by_supplier()
    assert [g.supplier for g in groups] == [noodles_supplier, water_supplier]
    noodles = ReorderSuggestion.objects.get(stockrecord=noodles_record)
    # Steady 5/day (σ = 0): s = 5 · 3 = 15 ≥ 10 in stock, so reorder up to
    # S = 5 · (3 + 7) = 50: 50 − 10 = 40 → 7 packs of 6 = 42.
    assert noodles.average_daily_demand == Decimal("5.000")
    assert noodles.order_up_to == Decimal("50.00")
    assert noodles.suggested_quantity == 42
    water = ReorderSuggestion.objects.get(stockrecord=water_record)
    assert water.suggested_quantity == 48  # 5 · 9 − 10 = 35 → 2 packs of 24


def test_draft_purchase_orders_take_the_suggestions_and_the_suggestions_drop(two_suppliers):
    noodles_supplier, water_supplier, noodles_record, rice_record, water_record = two_suppliers
    services.reorder_suggestions_refresh()

    orders = services.purchase_orders_create_from_suggestions(
        stockrecord_ids=[noodles_record.pk, rice_record.pk, water_record.pk]
    )

    assert sorted(o.supplier.name for o in orders) == ["Noodle Co", "Water Co"]
    noodle_order = next(o for o in orders if o.supplier == noodles_supplier)
    assert noodle_order.status == PurchaseOrder.Status.DRAFT
    assert {
        (line.stockrecord_id, line.quantity_ordered, line.unit_cost)
        for line in noodle_order.lines.all()
    } == {
        (noodles_record.pk, 42, Decimal("2.50")),
        (rice_record.pk, 40, Decimal("4.00")),
    }
    # What is on order now counts in the inventory position: nothing left to suggest.
    assert not ReorderSuggestion.objects.filter(suggested_quantity__gt=0).exists()
    with pytest.raises(ValidationError, match="Nothing needs reordering"):
        services.purchase_orders_create_from_suggestions()


@pytest.fixture
def sent_order():
    supplier = SupplierFactory()
    __, record_a = stocked_product(title="Apples", stock=2, cost=None)
    __, record_b = stocked_product(title="Bread", stock=0)
    order = PurchaseOrder.objects.create(supplier=supplier)
    line_a = order.lines.create(
        stockrecord=record_a, quantity_ordered=10, unit_cost=Decimal("1.20")
    )
    line_b = order.lines.create(stockrecord=record_b, quantity_ordered=5, unit_cost=Decimal("3.00"))
    services.purchase_order_send(purchase_order_id=order.pk)
    return order, line_a, line_b, record_a, record_b


def test_partial_then_full_receipt_raises_stock_and_moves_the_status(sent_order):
    order, line_a, line_b, record_a, record_b = sent_order

    services.purchase_order_receive(
        purchase_order_id=order.pk, quantities={line_a.pk: 4, line_b.pk: 0}
    )

    order.refresh_from_db()
    record_a.refresh_from_db()
    assert order.status == PurchaseOrder.Status.PARTLY_RECEIVED
    assert record_a.num_in_stock == 6
    assert record_a.cost_price == Decimal("1.20")  # valued at the latest purchase cost
    receipt = StockMovement.objects.get()
    assert (
        receipt.reason,
        receipt.quantity,
        receipt.balance_after,
        receipt.purchase_order_line_id,
    ) == (
        "receipt",
        4,
        6,
        line_a.pk,
    )

    services.purchase_order_receive(
        purchase_order_id=order.pk, quantities={line_a.pk: 6, line_b.pk: 5}
    )

    order.refresh_from_db()
    record_a.refresh_from_db()
    record_b.refresh_from_db()
    assert order.status == PurchaseOrder.Status.RECEIVED
    assert order.received_at is not None
    assert (record_a.num_in_stock, record_b.num_in_stock) == (12, 5)
    assert StockMovement.objects.filter(reason="receipt").count() == 3


def test_receiving_more_than_outstanding_changes_nothing_at_all(sent_order):
    order, line_a, line_b, record_a, record_b = sent_order

    with pytest.raises(ValidationError) as error:
        services.purchase_order_receive(
            purchase_order_id=order.pk, quantities={line_a.pk: 3, line_b.pk: 6}
        )

    assert "only 5 outstanding" in str(error.value)
    record_a.refresh_from_db()
    assert record_a.num_in_stock == 2  # the valid line was not booked either
    assert not StockMovement.objects.exists()
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.SENT


def test_a_draft_cannot_be_received_and_a_received_order_cannot_be_cancelled(sent_order):
    order, line_a, line_b, *__ = sent_order
    draft = PurchaseOrder.objects.create(supplier=order.supplier)
    draft.lines.create(stockrecord=line_a.stockrecord, quantity_ordered=1, unit_cost=Decimal("1"))
    with pytest.raises(ValidationError, match="only a sent order"):
        services.purchase_order_receive(purchase_order_id=draft.pk, quantities={})

    services.purchase_order_receive(
        purchase_order_id=order.pk, quantities={line_a.pk: 10, line_b.pk: 5}
    )
    with pytest.raises(ValidationError):
        services.purchase_order_cancel(purchase_order_id=order.pk)


def test_a_draft_can_be_edited_and_an_empty_draft_cannot_be_sent():
    supplier = SupplierFactory()
    __, record = stocked_product(stock=0)
    order = PurchaseOrder.objects.create(supplier=supplier)
    line = order.lines.create(stockrecord=record, quantity_ordered=10, unit_cost=Decimal("1"))

    services.purchase_order_update_draft(purchase_order_id=order.pk, quantities={line.pk: 12})
    line.refresh_from_db()
    assert line.quantity_ordered == 12

    services.purchase_order_update_draft(purchase_order_id=order.pk, quantities={line.pk: 0})
    with pytest.raises(ValidationError, match="at least one line"):
        services.purchase_order_send(purchase_order_id=order.pk)
