"""The demo's history shows in the finance report's takings by payment method, every day."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from oscar.core.loading import get_model

from operations import selectors
from till.demo import till_demo_install

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Source = get_model("payment", "Source")

# Eight weeks of purchases: the till history covers the last four, the rest is older.
HISTORY = "member_number,date,item\n" + "".join(
    f"{1001 + week % 3},{dt.date(2015, 1, 5) + dt.timedelta(weeks=week, days=week % 5)},whole milk\n"
    for week in range(8)
)


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_text(HISTORY, encoding="utf-8")
    call_command("load_demo", "--csv", str(path), "--quiet", stdout=StringIO())


def test_every_history_order_has_one_cash_payment_and_no_day_reads_not_recorded(demo):
    orders = Order.objects.all()
    first = timezone.localdate(orders.order_by("date_placed").first().date_placed)
    assert (timezone.localdate() - first).days > 4 * 7  # older than the till's own weeks

    counts = orders.annotate(n=Count("sources")).values_list("n", flat=True)
    assert set(counts) == {1}
    rows = selectors.takings_daily(start=first, end=timezone.localdate())
    assert {str(row["method"]) for row in rows} == {"Cash"}
    assert sum(row["amount"] for row in rows) == sum(o.total_incl_tax for o in orders)
    assert sum(row["orders"] for row in rows) == orders.count()


def test_a_second_install_pays_no_order_twice(demo):
    till_demo_install()

    assert Source.objects.count() == Order.objects.count()
