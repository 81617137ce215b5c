"""An operator sees reorder suggestions, creates and receives a purchase order, and stock rises."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory
from playwright.sync_api import expect

from operations import services
from tests.factories.operations import (
    SupplierFactory,
    SupplierProductFactory,
    place_order,
    stocked_product,
)

StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def operator_and_product(transactional_db, settings):
    settings.OPERATIONS_REORDER_HISTORY_DAYS = 7
    operator = UserFactory(is_staff=True, email="operator@example.com")
    operator.user_permissions.add(*Permission.objects.filter(content_type__app_label="operations"))
    supplier = SupplierFactory(name="Campus Wholesale", lead_time_days=2, review_period_days=7)
    product, record = stocked_product(title="Green tea", stock=4)
    SupplierProductFactory(
        supplier=supplier, stockrecord=record, unit_cost=Decimal("3.00"), pack_size=10
    )
    today = timezone.localdate()
    for i in range(1, 8):
        place_order(items=[(product, 3)], status="Complete", placed_on=today - timedelta(days=i))
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=0)
    services.reorder_suggestions_refresh()
    return operator, record


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.browser
def test_operator_reorders_and_receives_goods(browser_page, live_server, operator_and_product):
    operator, record = operator_and_product
    page = browser_page
    log_in(page, live_server, operator)

    page.goto("/dashboard/operations/reorder/")
    group = page.locator("table.reorder-group", has_text="Campus Wholesale")
    expect(group).to_contain_text("Green tea")
    # 3 a day, lead time 2 + review 7: order up to 27, 4 in stock → 23 → 3 packs of 10.
    expect(group.locator("td.suggested-quantity")).to_have_text("30")

    page.click("#create-purchase-orders")
    expect(page.locator("#po-status")).to_have_text("Draft")
    page.click("#po-send")
    expect(page.locator("#po-status")).to_have_text("Sent")

    receive_field = page.get_by_label("Green tea")
    expect(receive_field).to_have_value("30")
    receive_field.fill("20")
    page.click("#po-receive")
    expect(page.locator("#po-status")).to_have_text("Partly received")
    page.click("#po-receive")  # the rest: the field now offers the 10 outstanding
    expect(page.locator("#po-status")).to_have_text("Received")

    page.goto(f"/dashboard/operations/stock/{record.pk}/")
    expect(page.locator("#num-in-stock")).to_have_text("34")
    expect(page.locator("#movements")).to_contain_text("Supplier receipt")
    record.refresh_from_db()
    assert record.num_in_stock == 34
