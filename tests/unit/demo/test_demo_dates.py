"""load_demo moves the history to end just before today, and computes what derives from it
(cards, points, tiers, reorder figures, credit aging, pre-orders, reports) as of today."""

import datetime as dt
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from oscar.core.loading import get_model

from credit import selectors as credit_selectors
from crm import selectors as crm_selectors
from loyalty import selectors as loyalty_selectors
from loyalty.demo import EXPIRING_WITHIN_DAYS, demo_card_sample
from loyalty.economy import years_later
from loyalty.models import MemberCard, MemberType, PointsAccount, PointsTransaction
from marketing.models import SegmentationRun
from operations import services as operations_services
from operations.demo import DEMO_COVER_DAYS, DEMO_LOW_PRODUCTS
from operations.models import ReorderSuggestion
from preorders.models import PreorderSettings
from shop.demo import services as demo_services
from shop.demo.dates import history_shift_weeks
from shop.demo.models import HistoryShift
from tests.factories.loyalty import paid_order
from till.demo import TILL_HISTORY_WEEKS
from till.models import Shift, TillSale

pytestmark = pytest.mark.django_db

User = get_user_model()
Order = get_model("order", "Order")

# Bought often enough for the reorder figures to have recent demand.
ITEMS = (
    "whole milk",
    "yogurt",
    "rolls/buns",
    "soda",
    "bottled water",
    "other vegetables",
    "tropical fruit",
    "root vegetables",
    "sausage",
    "pastry",
    "citrus fruit",
    "bottled beer",
)


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def _write(tmp_path, rows: list[str]):
    path = tmp_path / "purchases.csv"
    path.write_text("member_number,date,item\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _load(csv_path, *extra) -> str:
    out = StringIO()
    call_command("load_demo", "--csv", str(csv_path), *extra, stdout=out)
    return out.getvalue()


def _local_days(username: str) -> list[dt.date]:
    return sorted(
        timezone.localdate(placed)
        for placed in Order.objects.filter(user__username=username).values_list(
            "date_placed", flat=True
        )
    )


@pytest.fixture
def old_history(tmp_path):
    """Ten years ago, ending on yesterday's weekday; member 1002 shops on another weekday."""
    last = _yesterday() - dt.timedelta(weeks=520)
    rows = [
        f"1001,{last - dt.timedelta(days=14)},whole milk",
        f"1001,{last},yogurt",
        f"1002,{last - dt.timedelta(days=3)},rolls/buns",
    ]
    return _write(tmp_path, rows), last


@pytest.mark.parametrize("days_later", range(8))
def test_the_shift_lands_on_the_same_weekday_in_the_week_before_today(days_later):
    last_day = dt.date(2015, 12, 30)
    today = dt.date(2026, 12, 3) + dt.timedelta(days=days_later)

    moved = last_day + dt.timedelta(weeks=history_shift_weeks(last_day=last_day, today=today))

    assert moved.weekday() == last_day.weekday()
    assert today - dt.timedelta(days=7) <= moved <= today - dt.timedelta(days=1)


def test_the_history_ends_yesterday_on_its_own_weekdays(old_history):
    csv_path, last = old_history

    output = _load(csv_path)

    yesterday = _yesterday()
    assert _local_days("member1001") == [yesterday - dt.timedelta(days=14), yesterday]
    assert _local_days("member1002") == [yesterday - dt.timedelta(days=3)]
    assert HistoryShift.objects.get().weeks == 520
    # Numbers carry the day the order now has, members joined on their first moved visit.
    assert Order.objects.filter(number=f"H{yesterday:%Y%m%d}-1001").exists()
    joined = timezone.localdate(User.objects.get(username="member1001").date_joined)
    assert joined == yesterday - dt.timedelta(days=14)
    assert f"{yesterday - dt.timedelta(days=14)} to {yesterday}" in output
    assert f"{last - dt.timedelta(days=14)} to {last}" in output


def test_keep_dates_loads_the_files_own_dates(old_history):
    csv_path, last = old_history

    output = _load(csv_path, "--keep-dates")

    assert _local_days("member1001") == [last - dt.timedelta(days=14), last]
    assert HistoryShift.objects.get().weeks == 0
    assert "own dates" in output
    # A run without the flag tops the same demo up on the same dates.
    assert "already loaded" in _load(csv_path)
    assert _local_days("member1001") == [last - dt.timedelta(days=14), last]


def test_keep_dates_on_a_moved_demo_is_refused_and_changes_nothing(old_history):
    csv_path, _last = old_history
    _load(csv_path)
    before = sorted(Order.objects.values_list("number", "date_placed"))

    with pytest.raises(CommandError, match="moved forward by 520 weeks"):
        _load(csv_path, "--keep-dates")

    assert sorted(Order.objects.values_list("number", "date_placed")) == before


def test_a_run_weeks_later_tops_up_on_the_first_runs_dates(old_history, monkeypatch):
    csv_path, _last = old_history
    _load(csv_path)
    before = sorted(Order.objects.values_list("number", "date_placed"))

    later = timezone.now() + dt.timedelta(days=17)

    class _Later:
        @staticmethod
        def now():
            return later

        @staticmethod
        def localdate(value=None):
            return timezone.localdate(value or later)

    monkeypatch.setattr(demo_services, "timezone", _Later)
    output = _load(csv_path)

    assert "already loaded" in output
    assert sorted(Order.objects.values_list("number", "date_placed")) == before


def _busy_history(*, last_day: dt.date, members: int = 300, seed: int = 14) -> list[str]:
    """Two years of baskets of ``members`` members, the last one on ``last_day``."""
    rng = random.Random(seed)
    rows = [f"1000,{last_day},whole milk"]
    for member in range(1000, 1000 + members):
        for _visit in range(rng.randint(2, 14)):
            day = last_day - dt.timedelta(days=rng.randrange(730))
            rows += [f"{member},{day},{item}" for item in rng.sample(ITEMS, rng.randint(1, 4))]
    return rows


@pytest.fixture
def busy_demo(tmp_path):
    """A demo of 300 members whose history ended years ago, loaded today."""
    _load(_write(tmp_path, _busy_history(last_day=dt.date(2015, 12, 30))))


def test_cards_and_points_are_as_of_today(busy_demo):
    today = timezone.localdate()
    now = timezone.now()
    month = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    cards = MemberCard.objects.all()

    expired = cards.filter(expires_on__lt=today)
    assert 0 < expired.count() <= cards.count() * 5 / 100
    assert cards.filter(expires_on__gte=today, expires_on__lte=month).exists()
    for card in expired.select_related("user"):
        # It ran out after its holder's last visit: no order was paid with an expired card.
        last_visit = Order.objects.filter(user=card.user).latest("date_placed").date_placed
        assert timezone.localdate(last_visit) < card.expires_on
    assert cards.get(number=demo_card_sample()).expires_on > month

    assert PointsAccount.objects.filter(pending_balance__gt=0).exists()
    assert PointsTransaction.objects.filter(
        kind=PointsTransaction.Kind.EARN,
        remaining__gt=0,
        expires_at__gt=now,
        expires_at__lte=now + dt.timedelta(days=30),
    ).exists()


def test_tiers_hold_on_the_next_order(busy_demo):
    """The demo's tiers are the nightly job's: a member's next small order keeps theirs."""
    month = timezone.localdate() + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    accounts = PointsAccount.objects.filter(tier__minimum_spend__gt=0)
    assert accounts.exists()
    for account in PointsAccount.objects.all():
        assert account.spend_last_12_months == loyalty_selectors.account_spend_last_12_months(
            account_id=account.pk
        )
    account = accounts.filter(cards__expires_on__gt=month).order_by("pk").first()
    tier, spend = account.tier, account.spend_last_12_months

    paid_order(user=account.cards.get().user, price="5.00")

    account.refresh_from_db()
    assert account.tier == tier
    assert account.spend_last_12_months == spend + Decimal("5.00")


def test_operations_credit_preorders_and_reports_are_as_of_today(busy_demo):
    today = timezone.localdate()

    suggestions = ReorderSuggestion.objects.all()
    assert set(suggestions.values_list("computed_on", flat=True)) == {today}
    selling = suggestions.filter(average_daily_demand__gt=0)
    assert 0 < selling.filter(suggested_quantity__gt=0).count() <= DEMO_LOW_PRODUCTS
    # "Recompute now" on the dashboard sees the same recent sales and the same shelves.
    short = suggestions.filter(suggested_quantity__gt=0).count()
    assert operations_services.reorder_suggestions_refresh() == short
    assert selling.filter(stockrecord__num_in_stock=0).exists()
    low_days, high_days = DEMO_COVER_DAYS
    for suggestion in selling.filter(suggested_quantity=0):
        assert suggestion.inventory_position > suggestion.reorder_point
        stock = suggestion.stockrecord.num_in_stock
        if stock <= suggestion.reorder_point:
            continue  # counted short, but a demo purchase order is on its way
        assert stock <= max(
            suggestion.average_daily_demand * high_days + 1, suggestion.reorder_point + 2
        )
        assert stock >= suggestion.average_daily_demand * low_days

    _rows, total = credit_selectors.ar_aging(as_of=today)
    assert all(amount > 0 for amount in total.buckets.values())

    releases = PreorderSettings.objects.values_list("release_date", flat=True)
    assert releases and all(today < day <= today + dt.timedelta(weeks=4) for day in releases)

    window = crm_selectors.report_window()
    assert window.end_date >= today - dt.timedelta(days=7)
    assert crm_selectors.sales_by_period(window=window)
    assert SegmentationRun.objects.latest("as_of").as_of == today


def test_the_tills_last_weeks_are_closed_shifts_some_counted_a_little_off(busy_demo):
    today = timezone.localdate()
    shifts = Shift.objects.all()
    days = {timezone.localdate(shift.opened_at) for shift in shifts}
    assert min(days) >= today - dt.timedelta(weeks=TILL_HISTORY_WEEKS) and max(days) < today
    assert len(days) >= 3 * TILL_HISTORY_WEEKS and shifts.count() == 2 * len(days)
    assert not shifts.filter(closed_at__isnull=True).exists()
    off = [shift.cash_difference for shift in shifts if shift.cash_difference]
    assert 0 < len(off) <= shifts.count() / 3
    assert all(abs(difference) <= 5 for difference in off)
    recent = Order.objects.filter(date_placed__gte=min(shift.opened_at for shift in shifts))
    assert TillSale.objects.count() == recent.count()


def test_each_card_runs_its_member_types_validity_with_the_same_spread(tmp_path):
    validity = {"student": 1, "staff": 2, "faculty": 6, "alumni": 3}
    for code, years in validity.items():
        MemberType.objects.filter(code=code).update(card_validity_years=years)
    _load(_write(tmp_path, _busy_history(last_day=dt.date(2015, 12, 30))))
    today = timezone.localdate()
    month = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)

    cards = MemberCard.objects.select_related("member_type")
    assert {card.member_type.code for card in cards} == set(validity)
    for card in cards:
        years = validity[card.member_type.code]
        assert years_later(day=card.expires_on, years=-years) == card.issued_on, card.number
    expired = cards.filter(expires_on__lt=today)
    assert 0 < expired.count() <= cards.count() * 5 / 100
    expiring = cards.filter(expires_on__gte=today, expires_on__lte=month)
    assert 0 < expiring.count() <= cards.count() * 10 / 100
