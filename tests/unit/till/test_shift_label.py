"""A shift is named one way everywhere: its till, cashier and opening on the store's clock."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from shop.apps.order.dashboard.forms import OrderRefundForm
from tests.factories import till as f
from till import services
from till.models import Shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift():
    shift = f.open_shift()
    # 19:58 UTC is 03:58 the next morning in Shanghai, where the store is.
    Shift.objects.filter(pk=shift.pk).update(
        opened_at=dt.datetime(2026, 12, 3, 19, 58, tzinfo=dt.UTC)
    )
    return Shift.objects.get(pk=shift.pk)


def test_shift_label_shows_the_opening_in_store_time_and_the_date_format(shift):
    with translation.override("en"):
        label = str(shift)

    assert label.endswith(", 4 Dec 2026 03:58")
    assert label.startswith(f"{shift.register}, ")
    assert "19:58" not in label


def test_refund_drawer_choice_names_each_shift_by_its_label(shift):
    milk = f.product(price="10.00", stock=5)
    order = services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number="",
        lines=[services.TillLineInput(product_id=milk.pk, quantity=1)],
        payment_method="cash",
        cash_tendered=Decimal("10.00"),
    ).order

    with translation.override("en"):
        form = OrderRefundForm(
            order=order,
            line_refundable={line.pk: line.quantity for line in order.lines.all()},
            drawer_shifts=Shift.objects.filter(pk=shift.pk),
        )
        choices = [label for value, label in form.fields["drawer_shift"].choices if value]

        assert choices == [str(shift)]
