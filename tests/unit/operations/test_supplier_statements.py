"""What the store owes its suppliers under each kind of settlement terms, on fixed dates."""

from datetime import date
from decimal import Decimal

import pytest

from operations import selectors, services
from operations.models import PurchaseOrder, StockMovement, Supplier
from shop.apps.order.services import order_mark_paid
from tests.factories.operations import (
    SupplierFactory,
    SupplierProductFactory,
    local_moment,
    place_order,
    stocked_product,
)

pytestmark = pytest.mark.django_db


def dated(movements, day: date):
    StockMovement.objects.filter(pk__in=[m.pk for m in movements]).update(
        created_at=local_moment(day)
    )


def statement(supplier, as_of: date):
    return selectors.supplier_statement(supplier_id=supplier.pk, as_of=as_of)


def test_fixed_terms_fall_due_n_days_after_each_receipt():
    supplier = SupplierFactory(settlement_terms=Supplier.SettlementTerms.NET_DAYS, payment_days=30)
    __, record = stocked_product(stock=0)
    order = PurchaseOrder.objects.create(supplier=supplier)
    line = order.lines.create(stockrecord=record, quantity_ordered=15, unit_cost=Decimal("2.00"))
    services.purchase_order_send(purchase_order_id=order.pk)
    dated(
        services.purchase_order_receive(purchase_order_id=order.pk, quantities={line.pk: 10}),
        date(2026, 3, 5),
    )
    dated(
        services.purchase_order_receive(purchase_order_id=order.pk, quantities={line.pk: 5}),
        date(2026, 3, 20),
    )
    services.supplier_payment_record(
        supplier_id=supplier.pk, amount=Decimal("15.00"), paid_on=date(2026, 4, 10)
    )

    early = statement(supplier, date(2026, 3, 10))
    assert (early.incurred, early.due, early.owed_now) == (Decimal("20.00"), 0, 0)

    month_end = statement(supplier, date(2026, 3, 31))
    assert (month_end.incurred, month_end.due, month_end.not_yet_due) == (
        Decimal("30.00"),
        0,
        Decimal("30.00"),
    )

    # 5 March + 30 days = 4 April: the first receipt is due, the second (19 April) is not.
    april = statement(supplier, date(2026, 4, 10))
    assert [item.due_on for item in april.items] == [date(2026, 4, 4), date(2026, 4, 19)]
    assert (april.due, april.paid, april.owed_now, april.not_yet_due) == (
        Decimal("20.00"),
        Decimal("15.00"),
        Decimal("5.00"),
        Decimal("10.00"),
    )


def sell(product, quantity: int, day: date):
    order = place_order(items=[(product, quantity)])
    order_mark_paid(order_id=order.pk)
    dated(StockMovement.objects.filter(order_line__order=order), day)
    return order


def test_consignment_pays_for_units_sold_less_returns_monthly():
    supplier = SupplierFactory(
        settlement_terms=Supplier.SettlementTerms.CONSIGNMENT, payment_days=15
    )
    product, record = stocked_product(price="10.00", stock=50)
    SupplierProductFactory(supplier=supplier, stockrecord=record, unit_cost=Decimal("3.00"))
    march = sell(product, 4, date(2026, 3, 10))
    returned = services.stock_return(
        order_line_id=march.lines.get().pk, quantity=1, note="damaged box"
    )
    dated([returned], date(2026, 3, 12))
    sell(product, 2, date(2026, 4, 2))

    # March sales (4 − 1 units) are due 31 March + 15 days = 15 April; April's on 15 May.
    before = statement(supplier, date(2026, 4, 10))
    assert (before.incurred, before.due) == (Decimal("15.00"), 0)
    due_date = statement(supplier, date(2026, 4, 15))
    assert due_date.due == Decimal("9.00")
    assert [(i.quantity, i.amount) for i in due_date.items] == [
        (4, Decimal("12.00")),
        (-1, Decimal("-3.00")),
        (2, Decimal("6.00")),
    ]
    assert statement(supplier, date(2026, 5, 20)).owed_now == Decimal("15.00")


def test_proportional_terms_pay_the_revenue_less_the_store_commission():
    supplier = SupplierFactory(
        settlement_terms=Supplier.SettlementTerms.PROPORTIONAL,
        payment_days=15,
        commission_percent=Decimal("20"),
    )
    product, record = stocked_product(price="10.00", stock=50)
    SupplierProductFactory(supplier=supplier, stockrecord=record, unit_cost=Decimal("3.00"))
    sell(product, 4, date(2026, 3, 10))

    result = statement(supplier, date(2026, 4, 15))

    # 4 units sold for 40.00; the store keeps 20 %: 32.00 due on 15 April.
    assert result.due == Decimal("32.00")
    assert statement(supplier, date(2026, 4, 14)).due == 0
