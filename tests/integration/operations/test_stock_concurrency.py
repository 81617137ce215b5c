"""Stock on PostgreSQL: concurrent sales never oversell, and the nightly task runs in a worker."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model

from operations import services
from operations.models import ReorderSuggestion, StockMovement
from tests.factories.operations import SupplierProductFactory, place_order, stocked_product
from tests.integration.concurrency import run_at_once
from tests.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

StockRecord = get_model("partner", "StockRecord")
WORKERS = 12
IN_STOCK = 5


def test_twelve_concurrent_removals_from_five_units_leave_exactly_zero():
    assert connection.vendor == "postgresql"
    __, record = stocked_product(stock=IN_STOCK)

    def remove_one() -> None:
        services.stock_move(
            stockrecord_id=record.pk,
            quantity=-1,
            reason=StockMovement.Reason.COUNT_CORRECTION,
            note="shrink",
        )

    outcomes = run_at_once([remove_one] * WORKERS, succeeded="moved")

    assert sorted(outcomes) == ["moved"] * IN_STOCK + ["refused"] * (WORKERS - IN_STOCK)
    record.refresh_from_db()
    assert record.num_in_stock == 0
    assert (
        StockMovement.objects.filter(stockrecord=record).aggregate(t=Sum("quantity"))["t"]
        == -IN_STOCK
    )


def test_postgresql_enforces_the_not_negative_constraints():
    __, record = stocked_product(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(pk=record.pk).update(num_in_stock=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(pk=record.pk).update(num_allocated=-2)


def test_the_nightly_task_runs_in_a_real_worker(celery_worker_process):
    from operations.tasks import reorder_nightly

    product, record = stocked_product(title="Oat milk", stock=2)
    SupplierProductFactory(stockrecord=record, unit_cost=Decimal("4.00"))
    today = timezone.localdate()
    for i in range(1, 15):
        place_order(items=[(product, 4)], status="Complete", placed_on=today - timedelta(days=i))
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=0)

    reorder_nightly.delay()

    wait_until(
        ReorderSuggestion.objects.filter(stockrecord=record, suggested_quantity__gt=0).exists,
        what="no reorder suggestion",
        details=celery_worker_process.log_tail,
    )


def test_paying_an_order_and_alerting_operators_work_on_postgresql(
    django_capture_on_commit_callbacks,
):
    """Row locks next to outer joins (nullable product, optional supplier) are PostgreSQL-only errors."""
    from django.contrib.auth.models import Permission
    from django.core import mail
    from oscar.test.factories import UserFactory

    from shop.apps.order.services import order_mark_paid

    operator = UserFactory(is_staff=True, email="ops@example.com")
    operator.user_permissions.add(Permission.objects.get(codename="view_reordersuggestion"))
    product, record = stocked_product(title="Tofu", stock=6)
    # Sold yesterday: today's sales are not in the history yet.
    order = place_order(items=[(product, 6)], placed_on=timezone.localdate() - timedelta(days=1))

    order_mark_paid(order_id=order.pk)
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (0, 0)

    with django_capture_on_commit_callbacks(execute=True):
        services.reorder_suggestions_refresh()
        assert services.reorder_alerts_send() == 1
    assert mail.outbox[0].to == ["ops@example.com"]
