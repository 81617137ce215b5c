"""The nightly segmentation on a hand-made history of five customers with known answers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from marketing import selectors, services
from marketing.models import CustomerValue, Segment, SegmentationRun, SegmentSizeSnapshot
from tests.factories.marketing import history_order, member

AS_OF = dt.date(2015, 7, 1)


def days_ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


@pytest.fixture
def history(db):
    """R by recency A..E = 5..1; F and M chosen so each customer lands in a known group."""
    people = {name: member(name=name) for name in ["alice", "bob", "carol", "dave", "erin"]}
    for days in (5, 50, 100, 300):
        history_order(user=people["alice"], total="100.00", day=days_ago(days))
    for days in (20, 60, 90):
        history_order(user=people["bob"], total="100.00", day=days_ago(days), channel="online")
    history_order(user=people["carol"], total="50.00", day=days_ago(100))
    for days in (200, 250, 300, 350, 400):
        history_order(user=people["dave"], total="100.00", day=days_ago(days))
    for days in (400, 500):
        history_order(user=people["erin"], total="10.00", day=days_ago(days))
    # Not counted: after as_of, and an unpaid order.
    history_order(user=people["alice"], total="999.00", day=AS_OF + dt.timedelta(days=1))
    history_order(user=people["carol"], total="999.00", day=days_ago(1), status="Pending")
    return people


def test_rfm_scores_groups_and_lifecycle(history):
    summary = services.segmentation_run(as_of=AS_OF)
    assert summary.customers == 5
    got = {value.user.username: value for value in CustomerValue.objects.select_related("user")}
    expected = {
        # name: (recency days, F, M, R, F score, M score, group, lifecycle, dormant)
        "alice": (5, 4, "400.00", 5, 4, 4, "most_valuable", "active", False),
        "bob": (20, 3, "300.00", 4, 3, 3, "growth", "active", False),
        "carol": (100, 1, "50.00", 3, 1, 2, "growth", "lapsing", False),
        "dave": (200, 5, "500.00", 2, 5, 5, "pre_churn", "churned", True),
        "erin": (400, 2, "20.00", 1, 2, 1, "low_value", "churned", True),
    }
    for name, (days, f, m, r_score, f_score, m_score, group, stage, dormant) in expected.items():
        value = got[name]
        assert (value.recency_days, value.frequency, value.monetary) == (days, f, Decimal(m)), name
        assert (value.recency_score, value.frequency_score, value.monetary_score) == (
            r_score, f_score, m_score,
        ), name  # fmt: skip
        assert (value.value_group, value.lifecycle, value.is_dormant) == (group, stage, dormant), (
            name
        )
    assert "R 2 <= 2" in selectors.value_group_reason(value=got["dave"])


def test_builtin_segments_select_the_value_groups(history):
    services.segmentation_run(as_of=AS_OF)
    pre_churn = Segment.objects.get(name="Pre-churn", is_builtin=True)
    assert selectors.segment_user_ids(segment_id=pre_churn.pk) == [history["dave"].pk]
    dormant = Segment.objects.get(name=services.DORMANT_SEGMENT_NAME)
    assert selectors.segment_user_ids(segment_id=dormant.pk) == sorted(
        [history["dave"].pk, history["erin"].pk]
    )


def test_run_is_idempotent_and_snapshots_once_per_day(history):
    services.segmentation_run(as_of=AS_OF)
    first = list(CustomerValue.objects.order_by("user_id").values_list("user_id", "value_group"))
    snapshots = SegmentSizeSnapshot.objects.count()
    services.segmentation_run(as_of=AS_OF)
    assert (
        list(CustomerValue.objects.order_by("user_id").values_list("user_id", "value_group"))
        == first
    )
    assert SegmentSizeSnapshot.objects.count() == snapshots
    assert SegmentationRun.objects.filter(as_of=AS_OF).count() == 1
    assert SegmentSizeSnapshot.objects.get(day=AS_OF, key="all").size == 5


def test_a_later_day_moves_customers_and_keeps_the_history_of_sizes(history):
    services.segmentation_run(as_of=AS_OF)
    call_command("segmentation_run", as_of=str(AS_OF + dt.timedelta(days=100)))
    alice = CustomerValue.objects.get(user=history["alice"])
    # The order placed the day after AS_OF now counts: 105 days later it is 99 days old.
    assert alice.frequency == 5 and alice.recency_days == 99
    sizes = selectors.segment_sizes_over_time()
    assert len(sizes["days"]) == 2


def test_margin_uses_cost_prices(db):
    buyer = member()
    history_order(user=buyer, total="100.00", day=days_ago(10), cost_price="60.00")
    services.segmentation_run(as_of=AS_OF)
    value = CustomerValue.objects.get(user=buyer)
    assert value.clv_historical == Decimal("40.00")
    assert value.margin_rate == Decimal("0.4000")
