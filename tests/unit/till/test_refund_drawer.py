"""Refunds of till sales from the till and from the dashboard: cash from a named drawer,
goods handed back go back on the shelf."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.core.loading import get_model

from operations.models import StockMovement
from staff import roles
from tests.factories import till as f
from tests.factories.staff import staff_user
from till import selectors, services
from till.models import TillRefund

OrderRefund = get_model("order", "OrderRefund")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

Line = services.TillLineInput


@pytest.fixture
def operator():
    return staff_user(roles.OPERATOR, username="olivia")


def cash_sale(shift, *, product, quantity=2):
    return services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number="",
        lines=[Line(product_id=product.pk, quantity=quantity)],
        payment_method="cash",
        cash_tendered=Decimal("100.00"),
    )


def on_shelf(product) -> int:
    return StockRecord.objects.get(product=product).num_in_stock


# --------------------------------------------------------------------------- the rules


def test_till_refund_puts_the_goods_handed_back_on_the_shelf():
    shift = f.open_shift()
    milk = f.product(price="10.00", stock=20)
    sale = cash_sale(shift, product=milk, quantity=3)
    assert on_shelf(milk) == 17
    line = sale.order.lines.get()

    services.till_sale_refund(
        sale_id=sale.pk, refunded_by=shift.cashier, restock_quantities={line.pk: 3}
    )

    assert on_shelf(milk) == 20
    assert StockMovement.objects.get(reason="return").quantity == 3


def test_dashboard_cash_refund_is_paid_from_the_chosen_open_shift(operator):
    sale_shift = f.open_shift(opening_float="50.00")
    other = f.open_shift(till=f.register("Till 2"), opening_float="80.00")
    milk = f.product(price="10.00")
    sale = cash_sale(sale_shift, product=milk)

    refunded = services.till_sale_refund(
        sale_id=sale.pk, refunded_by=operator, amount=Decimal("15.00"), drawer_shift_id=other.pk
    )

    assert (refunded.shift, refunded.cash_amount) == (other, Decimal("15.00"))
    assert selectors.shift_expected_cash(shift=other) == Decimal("65.00")
    assert selectors.shift_expected_cash(shift=sale_shift) == Decimal("70.00")


def test_cash_refund_is_refused_when_no_shift_is_open(operator):
    shift = f.open_shift()
    milk = f.product(price="10.00", stock=20)
    sale = cash_sale(shift, product=milk)
    services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("120"))

    with pytest.raises(ValidationError, match="open a shift at a till first"):
        services.till_sale_refund(sale_id=sale.pk, refunded_by=operator)

    assert not OrderRefund.objects.exists() and not TillRefund.objects.exists()
    assert on_shelf(milk) == 18


def test_a_closed_drawer_cannot_be_named(operator):
    shift = f.open_shift()
    sale = cash_sale(shift, product=f.product(price="10.00"))
    closed = f.open_shift(till=f.register("Till 2"))
    services.shift_close(shift_id=closed.pk, closed_by=closed.cashier, counted_cash=Decimal("100"))

    with pytest.raises(ValidationError, match="That till shift is closed"):
        services.till_sale_refund(sale_id=sale.pk, refunded_by=operator, drawer_shift_id=closed.pk)

    assert not OrderRefund.objects.exists()


# --------------------------------------------------------------------------- the pages


def order_refund_url(sale):
    return reverse("refunds-dashboard:order-refund", args=[sale.order.number])


def test_operator_refunds_a_cash_till_sale_from_the_order_page_out_of_a_drawer(client, operator):
    shift = f.open_shift(opening_float="100.00")
    milk = f.product(price="10.00", stock=20)
    sale = cash_sale(shift, product=milk)
    line = sale.order.lines.get()
    client.force_login(operator)

    page = client.get(order_refund_url(sale)).content.decode()
    assert 'name="drawer_shift"' in page and f'value="{shift.pk}" selected' in page
    # Return to stock is off on the order page: the operator ticks it for goods in hand.
    assert f'name="restock_{line.pk}" class' in page or f'name="restock_{line.pk}"' in page
    assert f'id="id_restock_{line.pk}" checked' not in page
    response = client.post(
        order_refund_url(sale),
        {f"line_{line.pk}": "1", f"restock_{line.pk}": "on", "drawer_shift": shift.pk},
    )

    assert response.status_code == 302
    till_refund = TillRefund.objects.get()
    assert (till_refund.shift, till_refund.cash_amount) == (shift, Decimal("10.00"))
    assert selectors.shift_expected_cash(shift=shift) == Decimal("110.00")
    assert on_shelf(milk) == 19


def test_order_page_refuses_a_cash_refund_when_no_shift_is_open(client, operator):
    shift = f.open_shift()
    sale = cash_sale(shift, product=f.product(price="10.00"))
    services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("120"))
    client.force_login(operator)

    response = client.post(order_refund_url(sale), {"amount": "5.00"})

    assert response.status_code == 200
    assert "No till shift is open" in response.content.decode()
    assert not OrderRefund.objects.exists()


def test_cashier_refunds_own_shift_sale_at_the_till_with_goods_back_on_the_shelf(client):
    shift = f.open_shift(opening_float="100.00")
    milk = f.product(price="10.00", stock=20)
    sale = cash_sale(shift, product=milk)
    line = sale.order.lines.get()
    client.force_login(shift.cashier)
    url = reverse("till-refund", args=[sale.pk])

    page = client.get(url).content.decode()
    assert (
        f'name="restock_{line.pk}" id="id_restock_{line.pk}" class="form-check-input" checked'
        in page
    )
    response = client.post(
        url, {f"line_{line.pk}": "1", f"restock_{line.pk}": "on", "action": "lines"}
    )

    assert response.status_code == 302
    assert selectors.shift_expected_cash(shift=shift) == Decimal("110.00")
    assert on_shelf(milk) == 19


def test_cashier_cannot_refund_another_shifts_sale_at_the_till(client):
    shift = f.open_shift()
    sale = cash_sale(shift, product=f.product(price="10.00"))
    other = f.open_shift(till=f.register("Till 2"))
    client.force_login(other.cashier)

    response = client.post(reverse("till-refund", args=[sale.pk]), {"action": "all"})

    assert response.status_code == 403
    assert not OrderRefund.objects.exists()


def test_marketing_cannot_refund_at_the_till_or_on_the_order_page(client):
    shift = f.open_shift()
    sale = cash_sale(shift, product=f.product(price="10.00"))
    client.force_login(staff_user(roles.MARKETING))

    assert client.post(reverse("till-refund", args=[sale.pk]), {"action": "all"}).status_code == 403
    assert client.post(order_refund_url(sale), {"amount": "5.00"}).status_code == 403
    assert not OrderRefund.objects.exists()
