"""Every stock change goes through one service, leaves a movement, and never goes below zero."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from oscar.core.loading import get_model

from operations import services
from operations.models import StockMovement
from shop.apps.order.services import order_mark_paid
from tests.factories.operations import place_order, stocked_product

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


def ledger_total(record) -> int:
    return (
        StockMovement.objects.filter(stockrecord=record).aggregate(total=Sum("quantity"))["total"]
        or 0
    )


def test_the_database_refuses_negative_stock_whatever_the_code_path():
    __, record = stocked_product(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(pk=record.pk).update(num_in_stock=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(pk=record.pk).update(num_allocated=-1)


def test_removing_more_than_is_in_stock_is_refused_and_changes_nothing():
    __, record = stocked_product(stock=3)
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.stock_count_correct(stockrecord_id=record.pk, counted_quantity=-1, note="x")
    with pytest.raises(ValidationError, match="Only 3"):
        services.stock_move(
            stockrecord_id=record.pk,
            quantity=-4,
            reason=StockMovement.Reason.COUNT_CORRECTION,
            note="x",
        )
    record.refresh_from_db()
    assert record.num_in_stock == 3
    assert not StockMovement.objects.exists()


def test_paying_an_order_takes_its_units_off_the_shelf_once():
    product, record = stocked_product(stock=10)
    order = place_order(items=[(product, 3)])
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (10, 3)  # Oscar allocated at placement

    assert order_mark_paid(order_id=order.pk)
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (7, 0)
    sale = StockMovement.objects.get()
    assert (sale.reason, sale.quantity, sale.balance_after) == ("sale", -3, 7)
    assert sale.order_line == order.lines.get()

    # A replayed fan-out finds nothing left allocated.
    assert services.stock_consume_for_order(order_id=order.pk) == []
    assert StockMovement.objects.count() == 1


def test_a_paid_order_larger_than_the_shelf_does_not_fail_and_says_so():
    product, record = stocked_product(stock=5)
    order = place_order(items=[(product, 4)])
    services.stock_count_correct(stockrecord_id=record.pk, counted_quantity=2, note="broken jars")

    order_mark_paid(order_id=order.pk)

    record.refresh_from_db()
    assert record.num_in_stock == 0
    assert record.num_allocated == 2  # the two units not on the shelf stay visible
    sale = StockMovement.objects.get(reason="sale")
    assert sale.quantity == -2
    assert "Short by 2" in sale.note


def test_cancelling_an_unpaid_order_releases_its_allocation_without_a_movement():
    product, record = stocked_product(stock=10)
    order = place_order(items=[(product, 4)])
    order.set_status("Cancelled")
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (10, 0)
    assert not StockMovement.objects.exists()


def test_returns_never_exceed_what_the_line_sold():
    product, record = stocked_product(stock=10)
    order = place_order(items=[(product, 2)])
    order_mark_paid(order_id=order.pk)
    line = order.lines.get()

    services.stock_return(order_line_id=line.pk, quantity=1, note="wrong flavour")
    with pytest.raises(ValidationError, match="Only 1 unit"):
        services.stock_return(order_line_id=line.pk, quantity=2, note="again")

    record.refresh_from_db()
    assert record.num_in_stock == 9
    assert list(StockMovement.objects.order_by("pk").values_list("reason", "quantity")) == [
        ("sale", -2),
        ("return", 1),
    ]


def test_a_count_correction_needs_a_reason_and_records_the_difference():
    __, record = stocked_product(stock=10)
    with pytest.raises(ValidationError, match="Say why"):
        services.stock_count_correct(stockrecord_id=record.pk, counted_quantity=8, note="  ")
    assert (
        services.stock_count_correct(stockrecord_id=record.pk, counted_quantity=10, note="checked")
        is None
    )

    movement = services.stock_count_correct(
        stockrecord_id=record.pk, counted_quantity=8, note="2 expired"
    )

    assert (movement.quantity, movement.balance_after, movement.note) == (-2, 8, "2 expired")


def test_the_ledger_always_adds_up_to_the_stock_level():
    product, record = stocked_product(stock=0)
    services.stock_count_correct(
        stockrecord_id=record.pk, counted_quantity=20, note="opening count"
    )
    order = place_order(items=[(product, 5)])
    order_mark_paid(order_id=order.pk)
    services.stock_return(order_line_id=order.lines.get().pk, quantity=2, note="unopened")
    services.stock_count_correct(stockrecord_id=record.pk, counted_quantity=16, note="one missing")

    record.refresh_from_db()
    assert record.num_in_stock == 16 == ledger_total(record)
    assert StockMovement.objects.filter(stockrecord=record).latest("pk").balance_after == 16
