"""An operator sees reorder suggestions, creates and receives a purchase order, and stock rises."""

import pytest
from django.contrib.auth.models import Permission
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory
from playwright.sync_api import expect

from operations import services
from tests.factories.operations import selling_stockrecord

StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def operator_and_product(transactional_db, settings):
    settings.OPERATIONS_REORDER_HISTORY_DAYS = 7
    operator = UserFactory(is_staff=True, email="operator@example.com")
    operator.user_permissions.add(*Permission.objects.filter(content_type__app_label="operations"))
    record = selling_stockrecord()
    services.reorder_suggestions_refresh()
    return operator, record


@pytest.mark.browser
def test_operator_reorders_and_receives_goods(browser_page, log_in, operator_and_product):
    operator, record = operator_and_product
    page = browser_page
    log_in(operator)

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
