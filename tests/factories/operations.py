"""Factories for the store-operations tests (unit, integration, browser)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_order, create_product

from operations.models import AcademicCalendarPeriod, Supplier, SupplierProduct

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    code = factory.Sequence(lambda n: f"supplier-{n}")
    email = factory.Sequence(lambda n: f"supplier{n}@example.com")
    lead_time_days = 4
    review_period_days = 7


class SupplierProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierProduct

    supplier = factory.SubFactory(SupplierFactory)
    unit_cost = Decimal("5.00")
    pack_size = 1


class CalendarPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicCalendarPeriod

    name = factory.Sequence(lambda n: f"Period {n}")
    kind = AcademicCalendarPeriod.Kind.OTHER
    demand_factor = Decimal("1.00")


def stocked_product(
    *,
    title: str = "Instant noodles",
    price: str = "10.00",
    cost: str | None = "6.00",
    stock: int = 100,
    sku=None,
):
    """A stock-tracked product with one stock record (Oscar's factory), with a cost price."""
    product = create_product(title=title, price=Decimal(price), num_in_stock=stock, partner_sku=sku)
    record = product.stockrecords.get()
    if cost is not None:
        record.cost_price = Decimal(cost)
        record.save(update_fields=["cost_price"])
    return product, record


def local_moment(day, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def place_order(*, items: list[tuple], user=None, status: str | None = None, placed_on=None):
    """Place an Oscar order the way checkout does (stock gets allocated).

    ``items`` is a list of (product, quantity). ``status`` sets the order status directly
    (imported history); leave it None and call ``order_mark_paid`` to go the real way.
    """
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    kwargs = {"status": status} if status else {}
    order = create_order(basket=basket, user=user, **kwargs)
    if placed_on is not None:
        Order.objects.filter(pk=order.pk).update(date_placed=local_moment(placed_on))
        order.refresh_from_db()
    return order


def selling_stockrecord(*, unit_cost: str = "3.00"):
    """Green tea from Campus Wholesale (lead time 2 days, reviewed weekly, packs of 10): 4 in
    stock, sold 3 a day in completed orders over the past 7 days, nothing still allocated.
    Reorder tests read 7 days of history (``OPERATIONS_REORDER_HISTORY_DAYS``)."""
    supplier = SupplierFactory(name="Campus Wholesale", lead_time_days=2, review_period_days=7)
    product, record = stocked_product(title="Green tea", stock=4)
    SupplierProductFactory(
        supplier=supplier, stockrecord=record, unit_cost=Decimal(unit_cost), pack_size=10
    )
    today = timezone.localdate()
    for i in range(1, 8):
        place_order(items=[(product, 3)], status="Complete", placed_on=today - timedelta(days=i))
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=0)
    record.refresh_from_db()
    return record
