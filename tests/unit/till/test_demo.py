"""Demo data of the till: tills, rota posts, this week's rota, the cashiers, store-channel history
and the closed shifts of its last weeks."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from oscar.core.loading import get_model

from shop.apps.order.services import order_refundable_amount
from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from till import selectors
from till.demo import OPENING_FLOAT, till_demo_install
from till.models import Register, RotaAssignment, RotaPost, Shift, TillSale

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
User = get_user_model()
HISTORY = """member_number,date,item
1001,2015-01-05,whole milk
1002,2015-01-06,yogurt
1002,2015-01-06,bottled water
"""


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_text(HISTORY, encoding="utf-8")
    call_command("load_demo", "--csv", str(path), "--quiet", stdout=StringIO())


def test_history_orders_are_store_purchases(demo):
    assert set(Order.objects.values_list("channel", flat=True)) == {Order.Channel.STORE}


def test_cashier_account_uses_the_till_and_nothing_else(client, demo):
    password = next(a.password for a in DEMO_STAFF_ACCOUNTS if a.username == "cashier")
    assert client.login(username="cashier", password=password)
    cashier = User.objects.get(username="cashier")
    assert cashier.is_staff and not cashier.is_superuser
    assert cashier.has_perm("till.use_till") and not cashier.has_perm("order.change_order")
    assert client.get("/dashboard/till/").status_code == 302  # to "open a shift"
    assert client.get("/dashboard/till/shifts/open/").status_code == 200
    assert client.get("/dashboard/till/rota/").status_code == 200
    assert client.get("/dashboard/orders/").status_code == 403
    operator = User.objects.get(username="operator")
    assert operator.has_perm("till.change_rotaassignment") and operator.has_perm(
        "till.change_shift"
    )


def test_tills_posts_and_this_weeks_rota(demo):
    assert list(Register.objects.values_list("name", flat=True)) == ["Till 1", "Till 2"]
    assert list(RotaPost.objects.values_list("name", flat=True)) == [
        "Till 1",
        "Till 2",
        "Shelves",
        "Deli",
    ]
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    week = RotaAssignment.objects.filter(day__gte=monday, day__lt=monday + dt.timedelta(days=7))
    # Till 1 every day from Monday to Saturday: one cashier until 15:00, the other after.
    till_1 = week.filter(post__name="Till 1").order_by("day", "starts_at")
    assert till_1.count() == 12
    for day in {slot.day for slot in till_1}:
        morning, afternoon = till_1.filter(day=day)
        assert {morning.staff.username, afternoon.staff.username} == {"cashier", "cashier2"}
        assert morning.ends_at == afternoon.starts_at == dt.time(15)
    assert week.filter(staff__username="cashier").count() == 6
    # Idempotent: a second install adds nothing.
    assert till_demo_install() == 0
    assert RotaAssignment.objects.count() == week.count()


def test_the_history_is_rung_up_in_closed_shifts_handed_over_between_the_cashiers(demo):
    shifts = list(Shift.objects.order_by("opened_at"))
    # Two history days in the last weeks: each has a morning and an afternoon shift at Till 1.
    assert len(shifts) == 4
    assert all(not shift.is_open for shift in shifts)
    for morning, afternoon in zip(shifts[::2], shifts[1::2], strict=True):
        assert morning.opening_float == OPENING_FLOAT and morning.previous_shift is None
        assert afternoon.previous_shift == morning
        assert afternoon.opening_float == morning.counted_cash
        assert afternoon.opened_at == morning.closed_at
        assert {morning.cashier.username, afternoon.cashier.username} == {"cashier", "cashier2"}
    for shift in shifts:
        report = selectors.shift_report(shift_id=shift.pk)
        assert report.expected_cash == shift.opening_float + report.cash_takings
        assert report.difference == shift.counted_cash - shift.expected_cash

    sales = TillSale.objects.select_related("order", "shift")
    assert sales.count() == Order.objects.count() == 2
    for sale in sales:
        assert sale.shift.opened_at <= sale.order.date_placed < sale.shift.closed_at
        assert sale.created_at == sale.order.date_placed
        assert sale.cashier == sale.shift.cashier and sale.card is not None
        assert sale.cash_tendered - sale.change_given == sale.total == sale.order.total_incl_tax
        # Paid in cash like a live till sale, so the receipt can refund it.
        assert order_refundable_amount(order=sale.order) == sale.total


def test_a_second_load_adds_no_shifts(demo, tmp_path):
    path = tmp_path / "purchases.csv"
    call_command("load_demo", "--csv", str(path), "--quiet", stdout=StringIO())
    assert Shift.objects.count() == 4 and TillSale.objects.count() == 2
