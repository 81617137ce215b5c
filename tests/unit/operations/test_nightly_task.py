"""The nightly task recomputes suggestions and emails operators once a day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from operations.tasks import reorder_nightly
from tests.factories.operations import (
    SupplierFactory,
    SupplierProductFactory,
    place_order,
    stocked_product,
)

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


def test_operators_get_one_alert_a_day_listing_what_to_reorder(
    settings, django_capture_on_commit_callbacks
):
    settings.OPERATIONS_REORDER_HISTORY_DAYS = 7
    operator = UserFactory(is_staff=True, email="ops@example.com")
    operator.user_permissions.add(Permission.objects.get(codename="view_reordersuggestion"))
    UserFactory(is_staff=True, email="not-ops@example.com")
    UserFactory(is_staff=False, email="shopper@example.com")
    product, record = stocked_product(title="Milk", stock=1)
    SupplierProductFactory(
        supplier=SupplierFactory(name="Dairy Farm"), stockrecord=record, unit_cost=Decimal("1")
    )
    today = timezone.localdate()
    for i in range(1, 8):
        place_order(items=[(product, 2)], status="Complete", placed_on=today - timedelta(days=i))
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=0)

    with django_capture_on_commit_callbacks(execute=True):
        result = reorder_nightly.delay().get()

    assert result == {"need_reorder": 1, "alerted": 1}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.com"]
    assert "Milk" in mail.outbox[0].body and "Dairy Farm" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        assert reorder_nightly.delay().get() == {"need_reorder": 1, "alerted": 0}
    assert len(mail.outbox) == 1
