"""Reports and KPIs on a hand-made history with known answers (SQL aggregates)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from oscar.core.loading import get_model

from crm import selectors, services
from loyalty.models import EarningRules, PointsAccount
from tests.factories.crm import CustomerFactory, TicketCategoryFactory, marketing_manager, ticket
from tests.factories.loyalty import member_card, paid_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
TZ = ZoneInfo(settings.TIME_ZONE)


def _at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


@pytest.fixture
def history():
    """Three customers over March-April 2026; ann buys in both months, bob only in March,
    cai only in April (new), one April order in store."""
    ann, bob, cai = CustomerFactory(), CustomerFactory(), CustomerFactory()
    member_card(user=ann, member_type_code="student")
    member_card(user=bob, member_type_code="staff")
    orders = [
        paid_order(user=ann, price="10.00", placed_at=_at("2026-03-02")),
        paid_order(user=ann, price="20.00", placed_at=_at("2026-03-20")),
        paid_order(user=bob, price="30.00", placed_at=_at("2026-03-05")),
        paid_order(user=ann, price="40.00", placed_at=_at("2026-04-03")),
        paid_order(user=cai, price="50.00", placed_at=_at("2026-04-04")),
    ]
    Order.objects.filter(pk=orders[-1].pk).update(channel="store")
    return {"ann": ann, "bob": bob, "cai": cai, "orders": orders}


def _window():
    return selectors.report_window(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 4, 30))


def _revenue(order_ids) -> Decimal:
    return sum(Order.objects.get(pk=pk).total_incl_tax for pk in order_ids)


def test_sales_by_month_day_and_channel(history):
    orders = history["orders"]
    months = selectors.sales_by_period(window=_window(), period="month")
    assert [(row["period"], row["orders"], row["customers"]) for row in months] == [
        (dt.date(2026, 3, 1), 3, 2),
        (dt.date(2026, 4, 1), 2, 2),
    ]
    assert months[0]["revenue"] == _revenue([o.pk for o in orders[:3]])
    days = selectors.sales_by_period(window=_window(), period="day")
    assert [row["period"] for row in days][:2] == [dt.date(2026, 3, 2), dt.date(2026, 3, 5)]
    channels = {
        row["channel"]: row["orders"] for row in selectors.sales_by_channel(window=_window())
    }
    assert channels == {"online": 4, "store": 1}


def test_sales_by_member_type_uses_the_buyers_card(history):
    rows = {row["label"]: row["orders"] for row in selectors.sales_by_member_type(window=_window())}
    assert rows["No card"] == 1
    assert sum(rows.values()) == 5
    assert len(rows) == 3


def test_new_vs_returning(history):
    rows = selectors.new_vs_returning(window=_window())
    assert [(r["period"], r["active"], r["new"], r["returning"]) for r in rows] == [
        (dt.date(2026, 3, 1), 2, 2, 0),
        (dt.date(2026, 4, 1), 2, 1, 1),
    ]


def test_kpis_retention_churn_repeat_and_complaint_rate(history):
    ticket(customer=history["ann"], category=TicketCategoryFactory(), now=_at("2026-04-05"))
    rows = {row["period"]: row for row in selectors.kpis_by_month(window=_window())}
    april = rows[dt.date(2026, 4, 1)]
    # Of March's two buyers (ann, bob) only ann came back in April.
    assert april["retention_percent"] == 50.0 and april["churn_percent"] == 50.0
    march = rows[dt.date(2026, 3, 1)]
    # In March ann bought twice, bob once.
    assert march["repeat_purchase_percent"] == 50.0
    assert april["complaints_per_1000_orders"] == 500.0
    # Member growth counts first purchases: ann and bob in March, cai in April.
    assert (march["new_members"], april["new_members"]) == (2, 1)
    assert april["members_total"] == 3


def test_points_liability_in_cny():
    rules = EarningRules.load()
    rules.points_per_cny_redeemed = 100
    rules.save()
    account = member_card(user=CustomerFactory()).account
    PointsAccount.objects.filter(pk=account.pk).update(balance=1250, pending_balance=300)
    liability = selectors.points_liability()
    assert liability.points == 1250 and liability.value == Decimal("12.50")
    assert liability.pending_value == Decimal("3.00")


def test_complaint_kpis_time_to_first_reply():
    manager = marketing_manager()
    filed = _at("2026-04-01", 9)
    complaint = ticket(category=TicketCategoryFactory(first_reply_hours=2), now=filed)
    services.ticket_reply(
        ticket_id=complaint.pk, author=manager, body="Hi", now=filed + dt.timedelta(hours=3)
    )
    rows = selectors.complaint_kpis(window=_window())
    assert rows[0]["tickets"] == 1
    assert rows[0]["mean_hours_to_first_reply"] == 3.0
    assert rows[0]["late"] == 1


def test_tier_distribution_counts_members_with_a_card_in_play():
    member_card(user=CustomerFactory())
    member_card(user=CustomerFactory())
    assert sum(row["members"] for row in selectors.tier_distribution()) == 2


def test_report_queries_do_not_grow_with_the_orders(history, django_assert_max_num_queries):
    from crm.admin_views import report_tables

    with django_assert_max_num_queries(12):
        report_tables(window=_window(), period="week")
