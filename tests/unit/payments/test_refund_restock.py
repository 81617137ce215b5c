"""Refunded goods that came back sellable go back on the shelf, once, never more than sold."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.core.loading import get_model

from operations import services as operations_services
from operations.models import StockMovement
from shop.apps.order import services
from staff import roles
from tests.factories.payments import funded_wallet
from tests.factories.staff import staff_user

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")
StockAlert = get_model("partner", "StockAlert")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return staff_user(roles.OPERATOR, email="operator@campus.example")


@pytest.fixture
def wallet_order(checkout, shopper, product):
    """An online order of three 12.00 items paid from the wallet: its stock left the shelf."""
    funded_wallet(user=shopper, amount="36.00")
    checkout.add_to_basket(product, quantity=3)
    checkout.enter_shipping_address()
    checkout.place_order(checkout.preview(use_wallet=True))
    order = Order.objects.get()
    assert order.status == "Paid"
    return order


def shelf(order) -> int:
    return StockRecord.objects.get(pk=order.lines.get().stockrecord_id).num_in_stock


def refund_units(order, *, refunded: int, restocked: int, by, reason: str = ""):
    """Refund ``refunded`` units of the order's one line, ``restocked`` of them back to stock."""
    line = order.lines.get()
    return services.order_refund(
        order_id=order.pk,
        line_quantities={line.pk: refunded},
        restock_quantities={line.pk: restocked},
        reason=reason,
        refunded_by=by,
    )


def test_refunded_line_goes_back_to_stock_when_ticked(wallet_order, operator):
    line = wallet_order.lines.get()
    before = shelf(wallet_order)

    refund = refund_units(wallet_order, refunded=2, restocked=2, by=operator, reason="unopened")

    assert shelf(wallet_order) == before + 2
    movement = StockMovement.objects.get(order_line=line, reason=StockMovement.Reason.RETURN)
    assert (movement.quantity, movement.balance_after) == (2, before + 2)
    assert movement.created_by == operator
    assert wallet_order.number in movement.note and "unopened" in movement.note
    assert refund.restock_quantities == {str(line.pk): 2}


def test_refund_without_return_to_stock_leaves_the_shelf_alone(wallet_order, operator):
    line = wallet_order.lines.get()
    before = shelf(wallet_order)

    services.order_refund(
        order_id=wallet_order.pk, line_quantities={line.pk: 3}, refunded_by=operator
    )

    assert shelf(wallet_order) == before
    assert not StockMovement.objects.filter(reason=StockMovement.Reason.RETURN).exists()


def test_a_line_refunded_twice_restocks_each_unit_once(wallet_order, operator):
    line = wallet_order.lines.get()
    before = shelf(wallet_order)
    first = refund_units(wallet_order, refunded=1, restocked=1, by=operator)
    # Recording the same refund again (a retry) puts nothing back a second time.
    services._refund_record(refund_id=first.pk)
    assert shelf(wallet_order) == before + 1

    refund_units(wallet_order, refunded=2, restocked=2, by=operator)

    assert shelf(wallet_order) == before + 3
    returned = StockMovement.objects.filter(order_line=line, reason=StockMovement.Reason.RETURN)
    assert sorted(returned.values_list("quantity", flat=True)) == [1, 2]


def test_never_more_back_than_was_refunded_or_sold(wallet_order, operator):
    line = wallet_order.lines.get()
    before = shelf(wallet_order)
    refunds_before = OrderRefund.objects.count()

    with pytest.raises(ValidationError, match="at most 1 unit refunded here") as refused:
        refund_units(wallet_order, refunded=1, restocked=2, by=operator)
    assert refused.value.error_list[0].code == "restock_too_many"

    # Two of the three units already came back another way (a counter return).
    operations_services.stock_return(order_line_id=line.pk, quantity=2, note="counter return")
    with pytest.raises(ValidationError, match="only 1 unit left the shelf") as refused:
        refund_units(wallet_order, refunded=3, restocked=3, by=operator)
    assert refused.value.error_list[0].code == "restock_more_than_sold"

    # Refused refunds moved no money and no stock.
    assert OrderRefund.objects.count() == refunds_before
    assert shelf(wallet_order) == before + 2
    assert services.order_refundable_amount(order=wallet_order) == Decimal("36.00")


def test_stock_that_was_never_taken_off_the_shelf_cannot_come_back(wallet_order, operator):
    line = wallet_order.lines.get()
    StockMovement.objects.filter(order_line=line).delete()  # as if the shelf was short at payment

    with pytest.raises(ValidationError, match="only 0 units left the shelf"):
        refund_units(wallet_order, refunded=1, restocked=1, by=operator)


def test_low_stock_alert_closes_when_refunded_goods_refill_the_shelf(wallet_order, operator):
    line = wallet_order.lines.get()
    record = StockRecord.objects.get(pk=line.stockrecord_id)
    StockRecord.objects.filter(pk=record.pk).update(low_stock_threshold=2)
    operations_services.stock_count_correct(
        stockrecord_id=record.pk, counted_quantity=0, note="shelf counted empty"
    )
    alert = StockAlert.objects.get(stockrecord=record, status=StockAlert.OPEN)

    refund_units(wallet_order, refunded=3, restocked=3, by=operator)

    record.refresh_from_db()
    alert.refresh_from_db()
    assert record.num_in_stock == 3
    assert alert.status == StockAlert.CLOSED


# --------------------------------------------------------------------------- the page


def refund_url(order):
    return reverse("refunds-dashboard:order-refund", args=[order.number])


def test_operator_refunds_a_line_with_return_to_stock_from_the_order_page(
    client, wallet_order, operator
):
    line = wallet_order.lines.get()
    before = shelf(wallet_order)
    client.force_login(operator)

    page = client.get(refund_url(wallet_order))
    assert page.status_code == 200
    assert f'name="restock_{line.pk}"' in page.content.decode()
    assert 'name="drawer_shift"' not in page.content.decode()  # online: no cash drawer
    response = client.post(
        refund_url(wallet_order), {f"line_{line.pk}": "1", f"restock_{line.pk}": "on"}
    )

    assert response.status_code == 302
    assert shelf(wallet_order) == before + 1
    assert OrderRefund.objects.get().wallet_amount == Decimal("12.00")


def test_return_to_stock_without_a_quantity_is_refused_on_the_page(client, wallet_order, operator):
    line = wallet_order.lines.get()
    client.force_login(operator)

    response = client.post(refund_url(wallet_order), {"amount": "5.00", f"restock_{line.pk}": "on"})

    assert response.status_code == 200
    assert "Goods go back to stock with the quantity refunded" in response.content.decode()
    assert not OrderRefund.objects.exists()


@pytest.mark.parametrize("role", [roles.MARKETING, roles.CASHIER])
def test_marketing_and_cashiers_cannot_refund_from_the_order_page(client, wallet_order, role):
    line = wallet_order.lines.get()
    client.force_login(staff_user(role))

    assert client.get(refund_url(wallet_order)).status_code == 403
    response = client.post(
        refund_url(wallet_order), {f"line_{line.pk}": "1", f"restock_{line.pk}": "on"}
    )

    assert response.status_code == 403
    assert not OrderRefund.objects.exists()
