"""Demo data of the till: tills, rota posts, this week's rota, the cashier, store-channel history."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from oscar.core.loading import get_model

from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from till.demo import till_demo_install
from till.models import Register, RotaAssignment, RotaPost

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
    assert week.filter(staff__username="cashier").count() == 12
    # Idempotent: a second install adds nothing.
    assert till_demo_install() == 0
    assert RotaAssignment.objects.count() == week.count()
