"""A report's window names its last day, and a month still running is never read as whole."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from crm import selectors
from tests.factories.crm import CustomerFactory, TicketCategoryFactory, marketing_manager, ticket
from tests.factories.loyalty import paid_order

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)


def _at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


def test_the_window_ends_on_the_last_day_asked_for_not_the_day_after():
    window = selectors.report_window(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 4))

    assert (window.start_date, window.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 12, 4))
    # Queries still read up to the next midnight, so the whole last day counts.
    assert window.end == dt.datetime(2026, 12, 5, tzinfo=TZ)


def test_the_default_window_ends_today():
    window = selectors.report_window()

    assert window.end_date == timezone.localdate()
    assert window.start_date.day == 1


def test_a_window_ending_on_a_month_end_has_no_month_after_it():
    window = selectors.report_window(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 4, 30))

    months = [row["period"] for row in selectors.kpis_by_month(window=window)]

    assert months == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]


@pytest.fixture
def november_and_three_days_of_december():
    """Four buyers in October and November, one of them back on 2 December; a complaint."""
    people = [CustomerFactory() for _ in range(4)]
    for person in people:
        paid_order(user=person, price="10.00", placed_at=_at("2026-10-10"))
        paid_order(user=person, price="10.00", placed_at=_at("2026-11-10"))
    paid_order(user=people[0], price="10.00", placed_at=_at("2026-12-02"))
    ticket(customer=people[0], category=TicketCategoryFactory(), now=_at("2026-12-02"))
    return people


def test_the_running_month_has_counts_so_far_but_no_rates(november_and_three_days_of_december):
    now = _at("2026-12-03", 18)
    window = selectors.report_window(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 12, 3))

    rows = {row["period"]: row for row in selectors.kpis_by_month(window=window, now=now)}

    november, december = rows[dt.date(2026, 11, 1)], rows[dt.date(2026, 12, 1)]
    assert november["state"] == selectors.PERIOD_COMPLETE
    assert november["retention_percent"] == 100.0 and november["churn_percent"] == 0.0
    assert december["state"] == selectors.PERIOD_SO_FAR
    assert december["buyers"] == 1
    # Three days in, three of four buyers "lost" would read as 75 % churn: no rate at all.
    assert december["retention_percent"] is None and december["churn_percent"] is None
    assert december["repeat_purchase_percent"] is None
    assert december["complaints_per_1000_orders"] is None


def test_reports_mark_the_running_month_and_leave_its_complaint_rate_out(
    november_and_three_days_of_december,
):
    now = _at("2026-12-03", 18)
    window = selectors.report_window(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 12, 3))

    sales = {row["period"]: row for row in selectors.sales_by_period(window=window, now=now)}
    complaints = selectors.complaint_kpis(window=window, now=now)

    assert sales[dt.date(2026, 11, 1)]["state"] == selectors.PERIOD_COMPLETE
    assert sales[dt.date(2026, 12, 1)]["state"] == selectors.PERIOD_SO_FAR
    assert [(row["period"], row["per_1000_orders"]) for row in complaints] == [
        (dt.date(2026, 12, 1), None)
    ]


def test_a_month_cut_by_the_window_is_marked_partial():
    window = selectors.report_window(date_from=dt.date(2026, 3, 15), date_to=dt.date(2026, 4, 30))

    assert (
        selectors.period_state(start=dt.date(2026, 3, 1), period="month", window=window)
        == selectors.PERIOD_PARTIAL
    )
    assert (
        selectors.period_state(start=dt.date(2026, 4, 1), period="month", window=window)
        == selectors.PERIOD_COMPLETE
    )


def test_the_kpi_page_names_the_last_day_and_ends_rate_charts_at_the_last_whole_month(client):
    buyer = CustomerFactory()
    today = timezone.localdate()
    paid_order(user=buyer, price="10.00", placed_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(marketing_manager())

    response = client.get(reverse("crm_kpis:index"))

    page = response.content.decode()
    rates = response.context["charts"]["rates"]["labels"]
    growth = response.context["charts"]["growth"]["labels"]
    this_month = str(today.replace(day=1))
    assert growth[-1] == f"{this_month} (so far)"
    assert all(this_month not in label for label in rates)
    assert response.context["window"].end_date == today
    assert f"{this_month} (so far)" in page
