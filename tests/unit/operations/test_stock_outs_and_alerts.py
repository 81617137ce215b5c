"""A product at or below its reorder point (0 included) is suggested, and Oscar's low-stock
alerts open and close with the same rule, so the two lists always agree."""

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from operations import services
from operations.models import ReorderSuggestion
from operations.tasks import reorder_nightly
from tests.factories.operations import SupplierProductFactory, stocked_product

pytestmark = pytest.mark.django_db

StockAlert = get_model("partner", "StockAlert")
StockRecord = get_model("partner", "StockRecord")


def _with_threshold(title: str, *, stock: int, threshold: int | None = 10):
    _product, record = stocked_product(title=title, stock=stock)
    StockRecord.objects.filter(pk=record.pk).update(low_stock_threshold=threshold)
    return record


def _suggested_ids() -> set[int]:
    return set(
        ReorderSuggestion.objects.filter(suggested_quantity__gt=0).values_list(
            "stockrecord_id", flat=True
        )
    )


def _open_alert_ids() -> set[int]:
    return set(
        StockAlert.objects.filter(status=StockAlert.OPEN).values_list("stockrecord_id", flat=True)
    )


def test_stock_outs_and_records_at_their_reorder_point_are_suggested_without_any_sales():
    milk = _with_threshold("Whole milk", stock=0)
    yogurt = _with_threshold("Yogurt", stock=0, threshold=None)
    at_point = _with_threshold("Soda", stock=10)
    plenty = _with_threshold("Rice", stock=11)
    SupplierProductFactory(stockrecord=milk, pack_size=6)

    need = services.reorder_suggestions_refresh()

    assert need == 3
    assert _suggested_ids() == {milk.pk, yogurt.pk, at_point.pk}
    assert ReorderSuggestion.objects.get(stockrecord=milk).suggested_quantity == 12  # up to 11
    assert ReorderSuggestion.objects.get(stockrecord=yogurt).suggested_quantity == 1
    assert ReorderSuggestion.objects.get(stockrecord=plenty).suggested_quantity == 0


def test_the_open_low_stock_alerts_are_exactly_the_suggested_records():
    empty = _with_threshold("Whole milk", stock=0)
    at_point = _with_threshold("Soda", stock=10)
    plenty = _with_threshold("Rice", stock=40)
    # An alert left open from before, on a record that is no longer low: closed by the run.
    stale = StockAlert.objects.create(stockrecord=plenty, threshold=10)

    reorder_nightly.delay().get()

    assert _open_alert_ids() == _suggested_ids() == {empty.pk, at_point.pk}
    stale.refresh_from_db()
    assert stale.status == StockAlert.CLOSED
    # Twice changes nothing: one open alert per record.
    reorder_nightly.delay().get()
    assert StockAlert.objects.filter(status=StockAlert.OPEN).count() == 2


def test_a_sale_down_to_the_reorder_point_opens_the_alert_and_a_delivery_closes_it():
    record = _with_threshold("Soda", stock=11)
    services.reorder_suggestions_refresh()
    assert _open_alert_ids() == set()

    # Oscar's own rule (strictly below the threshold) would leave this one closed.
    services.stock_count_correct(
        stockrecord_id=record.pk, counted_quantity=10, note="broken bottle"
    )
    assert _open_alert_ids() == {record.pk}

    services.stock_count_correct(stockrecord_id=record.pk, counted_quantity=15, note="found a case")
    assert _open_alert_ids() == set()
    closed = StockAlert.objects.get(stockrecord=record)
    assert closed.status == StockAlert.CLOSED and closed.date_closed <= timezone.now()


def test_goods_on_order_close_the_alert_with_the_suggestion():
    record = _with_threshold("Whole milk", stock=0)
    SupplierProductFactory(stockrecord=record, pack_size=6)
    services.reorder_suggestions_refresh()
    assert _open_alert_ids() == {record.pk}

    services.purchase_orders_create_from_suggestions(stockrecord_ids=[record.pk])

    assert _suggested_ids() == set()
    assert _open_alert_ids() == set()


def test_a_pre_order_product_not_yet_released_is_no_stock_out():
    from tests.factories.preorders import preorder_product, release_today

    gown = preorder_product(title="Graduation gown and cap").product.stockrecords.get()
    StockRecord.objects.filter(pk=gown.pk).update(low_stock_threshold=5)
    milk = _with_threshold("Whole milk", stock=0)

    services.reorder_suggestions_refresh()
    services.stock_alerts_sync()

    assert _suggested_ids() == {milk.pk} == _open_alert_ids()
    assert services.stock_alerts_sync(stockrecord_ids=[gown.pk]) == (0, 0)

    # Once released, an empty shelf is a stock-out like any other.
    release_today(gown.product.preorder_settings)
    services.reorder_suggestions_refresh()
    assert _suggested_ids() == {milk.pk, gown.pk} == _open_alert_ids()
