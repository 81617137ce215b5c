"""The nightly points expiry and tier recompute, set-based over batches of accounts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.models import PointsAccount, PointsTransaction, Tier
from loyalty.services.cards import card_replace
from loyalty.services.ledger import points_expire_due
from loyalty.services.redemption import points_redeem
from loyalty.services.tiers import tiers_recompute_all
from shop.apps.order import services as order_services
from tests.factories.loyalty import earning_rules, member_card, paid_order
from tests.unit.loyalty.test_points import paid_from_wallet

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():
    return earning_rules(
        points_per_cny=Decimal("1"),
        minimum_order_value=Decimal("0"),
        minimum_balance_to_redeem=0,
        maximum_order_share_percent=Decimal("100"),
    )


def member(**card_fields):
    user = UserFactory()
    member_card(user=user, **card_fields)
    return user


def account_of(user) -> PointsAccount:
    # distinct: after a card replacement the holder has two cards on the account.
    return PointsAccount.objects.filter(cards__user=user).distinct().get()


def expire_on(order, moment) -> None:
    PointsTransaction.objects.filter(order=order, kind=PointsTransaction.Kind.EARN).update(
        expires_at=moment
    )


def assert_balances_equal_ledger() -> None:
    for account in PointsAccount.objects.all():
        assert account.balance + account.pending_balance == selectors.points_ledger_sum(
            account_id=account.pk
        ), account.pk
        assert account.balance >= 0 and account.pending_balance >= 0


def test_expiry_over_several_accounts_and_batches_expires_what_is_left(rules, monkeypatch):
    # Batches of 2 accounts: the 3 accounts below span two transactions.
    monkeypatch.setattr("loyalty.services.ledger.NIGHTLY_ACCOUNTS_PER_BATCH", 2)
    now = timezone.now()
    spender, saver, fresh = member(), member(), member()
    # spender: 30 + 40 due, 20 spent (from the soonest-expiring: the 30), 50 not due.
    due_old = paid_order(user=spender, price="30.00")
    due_new = paid_order(user=spender, price="40.00")
    not_due = paid_order(user=spender, price="50.00")
    expire_on(due_old, now - dt.timedelta(days=2))
    expire_on(due_new, now - dt.timedelta(days=1))
    expire_on(not_due, now + dt.timedelta(days=30))
    points_redeem(account_id=account_of(spender).pk, points=20, order_total=Decimal("99"))
    # saver: 60 due, untouched.
    expire_on(paid_order(user=saver, price="60.00"), now - dt.timedelta(hours=1))
    # fresh: nothing due.
    expire_on(paid_order(user=fresh, price="10.00"), now + dt.timedelta(days=1))

    assert points_expire_due(now=now) == 10 + 40 + 60

    spender_expiries = list(
        account_of(spender)
        .ledger.filter(kind=PointsTransaction.Kind.EXPIRE)
        .order_by("pk")
        .values_list("points", "created_at", "available_at")
    )
    # Oldest credit first, one row per credit, stamped with the run's moment.
    assert spender_expiries == [(-10, now, now), (-40, now, now)]
    expiry = account_of(spender).ledger.filter(kind=PointsTransaction.Kind.EXPIRE).first()
    assert expiry.reason.startswith("Expired (earned ")
    assert account_of(spender).balance == 50
    assert account_of(saver).balance == 0
    assert account_of(fresh).balance == 10
    assert not account_of(fresh).ledger.filter(kind=PointsTransaction.Kind.EXPIRE).exists()
    assert not PointsTransaction.objects.filter(
        points__gt=0, remaining__gt=0, expires_at__lte=now
    ).exists()
    assert_balances_equal_ledger()


def test_a_second_expiry_run_changes_nothing(rules):
    now = timezone.now()
    users = [member() for _ in range(3)]
    for user in users:
        expire_on(paid_order(user=user, price="25.00"), now - dt.timedelta(days=1))
    assert points_expire_due(now=now) == 75
    rows = PointsTransaction.objects.count()
    balances = list(PointsAccount.objects.order_by("pk").values_list("balance", "updated_at"))

    assert points_expire_due(now=now) == 0
    assert PointsTransaction.objects.count() == rows
    assert list(PointsAccount.objects.order_by("pk").values_list("balance", "updated_at")) == (
        balances
    )
    assert_balances_equal_ledger()


def test_expiry_releases_pending_points_first_then_expires_those_due(rules):
    earning_rules(pending_days=3)
    user = member()
    order = paid_order(user=user, price="70.00")
    account = account_of(user)
    assert (account.balance, account.pending_balance) == (0, 70)
    later = timezone.now() + dt.timedelta(days=4)
    other = member()
    expire_on(paid_order(user=other, price="5.00"), later)  # pending too, due at ``later``

    # Released (pending period over) and not yet expired: spendable, nothing expired.
    assert points_expire_due(now=later - dt.timedelta(seconds=1)) == 0
    account.refresh_from_db()
    assert (account.balance, account.pending_balance) == (70, 0)

    # Released and past its date in the same night: released, then expired.
    assert points_expire_due(now=later) == 5
    assert (account_of(other).balance, account_of(other).pending_balance) == (0, 0)
    assert PointsTransaction.objects.get(order=order).remaining == 70
    assert_balances_equal_ledger()


def test_expiry_query_count_does_not_grow_with_credits(
    rules, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr("loyalty.services.ledger.NIGHTLY_ACCOUNTS_PER_BATCH", 500)
    now = timezone.now()
    for _ in range(4):
        user = member()
        for price in ("11.00", "12.00", "13.00"):
            expire_on(paid_order(user=user, price=price), now - dt.timedelta(days=1))
    # 4 accounts, 12 credits: the same handful of statements as for one credit.
    with django_assert_max_num_queries(12):
        assert points_expire_due(now=now) == 4 * 36
    assert_balances_equal_ledger()


# --------------------------------------------------------------------------- tiers


def test_spend_for_all_accounts_matches_the_per_account_definition(rules):
    now = timezone.now()
    big, replaced, small, idle = member(), member(), member(), member()
    paid_order(user=big, price="200.00")
    refunded = paid_order(user=big, price="100.00")
    paid_from_wallet(refunded, big)
    order_services.order_refund(order_id=refunded.pk, amount=Decimal("25.00"), reason="bruised")
    paid_order(user=big, price="500.00", placed_at=now - dt.timedelta(days=400))  # out of window
    # A replaced card leaves two cards of the holder in one account: counted once.
    card_replace(card_id=account_of(replaced).cards.get().pk)
    paid_order(user=replaced, price="80.00")
    paid_order(user=small, price="30.00")

    now = timezone.now()  # after the orders: the window ends now
    spends = selectors.accounts_spend_last_12_months(now=now)

    assert spends[account_of(big).pk] == Decimal("275.00")
    assert spends[account_of(replaced).pk] == Decimal("80.00")
    assert spends[account_of(small).pk] == Decimal("30.00")
    assert account_of(idle).pk not in spends
    for account in PointsAccount.objects.all():
        assert selectors.account_spend_last_12_months(account_id=account.pk, now=now) == (
            spends.get(account.pk, Decimal("0.00"))
        )


def test_tiers_recompute_all_changes_only_moved_accounts_and_queues_their_notices(
    rules, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("loyalty.services.ledger.NIGHTLY_ACCOUNTS_PER_BATCH", 2)
    up, down, steady, idle = member(), member(), member(), member()
    later = timezone.now() + dt.timedelta(days=200)
    paid_order(user=down, price="200.00", placed_at=later - dt.timedelta(days=400))
    paid_order(user=steady, price="40.00")
    # Placed "later": counts only in the later run's window; its recompute at payment
    # time already saw it (the payment path recomputes), so put the account back first.
    paid_order(user=up, price="250.00", placed_at=later - dt.timedelta(days=1))
    bronze = Tier.objects.get(name="Bronze")
    PointsAccount.objects.filter(pk=account_of(up).pk).update(
        tier=bronze, tier_notified=bronze, spend_last_12_months=Decimal("0.00")
    )
    PointsAccount.objects.filter(pk=account_of(steady).pk).update(
        spend_last_12_months=Decimal("1.00")
    )
    assert account_of(down).tier.name == "Silver"

    queued = []
    monkeypatch.setattr(
        "loyalty.tasks.loyalty_tier_change_notify.delay",
        lambda account_id: queued.append(account_id),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tiers_recompute_all(now=later) == 2
        # The notices wait for the commit.
        assert queued == []

    assert sorted(queued) == sorted([account_of(up).pk, account_of(down).pk])
    assert account_of(up).tier.name == "Silver"
    assert account_of(up).spend_last_12_months == Decimal("250.00")
    assert account_of(down).tier.name == "Bronze"
    assert account_of(down).spend_last_12_months == Decimal("0.00")
    # Unchanged tier, moved spend: the spend is still brought up to date.
    assert account_of(steady).tier.name == "Bronze"
    assert account_of(steady).spend_last_12_months == Decimal("40.00")
    assert account_of(idle).spend_last_12_months == Decimal("0.00")

    # A second run finds nothing to change and queues nothing.
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tiers_recompute_all(now=later) == 0
    assert queued == []


def test_tiers_recompute_all_query_count_does_not_grow_with_accounts(
    rules, django_assert_max_num_queries
):
    for price in ("10.00", "20.00", "30.00", "40.00", "50.00"):
        paid_order(user=member(), price=price)
    # 5 accounts, no tier changes: one batch of a fixed number of statements.
    with django_assert_max_num_queries(10):
        assert tiers_recompute_all() == 0
