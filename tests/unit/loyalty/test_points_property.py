"""Property: any sequence of earn / redeem / release / refund / expire / bonus keeps the ledger whole.

After every step the stored balance plus pending points equals the sum of the ledger rows,
neither is negative, and the balance equals the unspent remainder of the released credits
(what oldest-first expiry and spending draw on).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.models import PointsAccount, PointsTransaction
from loyalty.services.bonuses import member_profile_set_date_of_birth, points_birthday_bonus_award
from loyalty.services.ledger import points_expire_due, points_release_due
from loyalty.services.redemption import points_redeem, points_redeem_release
from shop.apps.order import services as order_services
from tests.factories.loyalty import earning_rules, member_card, paid_order
from tests.unit.loyalty.test_points import paid_from_wallet

steps = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(min_value=1, max_value=500), st.booleans()),
        st.tuples(st.just("redeem"), st.integers(min_value=1, max_value=400), st.just(False)),
        st.tuples(st.just("refund"), st.integers(min_value=1, max_value=100), st.just(False)),
        st.tuples(st.just("expire"), st.integers(min_value=0, max_value=3), st.just(False)),
        st.tuples(st.just("release"), st.just(0), st.just(False)),
        # A birthday bonus for one of a few years: repeats of a year must pay nothing.
        st.tuples(st.just("bonus"), st.integers(min_value=0, max_value=2), st.just(False)),
        # Give back the latest redemption (its order was cancelled).
        st.tuples(st.just("unredeem"), st.just(0), st.just(False)),
    ),
    min_size=1,
    max_size=12,
)


BIRTHDAY = dt.date(2000, 1, 15)


def assert_invariants(account: PointsAccount) -> None:
    account.refresh_from_db()
    assert account.balance >= 0 and account.pending_balance >= 0
    assert account.balance + account.pending_balance == selectors.points_ledger_sum(
        account_id=account.pk
    )
    credits = PointsTransaction.objects.filter(account=account, points__gt=0)
    released = credits.filter(is_pending=False).aggregate(t=Sum("remaining"))["t"] or 0
    pending = credits.filter(is_pending=True).aggregate(t=Sum("remaining"))["t"] or 0
    assert (account.balance, account.pending_balance) == (released, pending)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_any_sequence_keeps_balance_equal_to_the_ledger(steps):
    earning_rules(
        points_per_cny=Decimal("1"),
        minimum_order_value=Decimal("0"),
        minimum_balance_to_redeem=0,
        maximum_order_share_percent=Decimal("100"),
        points_per_cny_redeemed=1,
        birthday_bonus_points=50,
    )
    user = UserFactory(date_joined=timezone.now() - dt.timedelta(days=400))
    account = member_card(user=user).account
    member_profile_set_date_of_birth(user=user, date_of_birth=BIRTHDAY)
    orders = []
    for action, amount, pending in steps:
        if action == "earn":
            earning_rules(pending_days=14 if pending else 0)
            order = paid_order(user=user, price=f"{amount}.00")
            paid_from_wallet(order, user)
            orders.append(order)
        elif action == "redeem":
            account.refresh_from_db()
            if amount <= account.balance:
                points_redeem(account_id=account.pk, points=amount, order_total=Decimal(amount))
        elif action == "refund" and orders:
            order = orders[amount % len(orders)]
            refundable = order_services.order_refundable_amount(order=order)
            share = (refundable * amount / 100).quantize(Decimal("0.01"))
            if share > 0:
                order_services.order_refund(order_id=order.pk, amount=share)
        elif action == "expire":
            points_expire_due(now=timezone.now() + dt.timedelta(days=200 * amount))
        elif action == "bonus":
            points_birthday_bonus_award(
                user_id=user.pk, birthday=BIRTHDAY.replace(year=2020 + amount)
            )
        elif action == "unredeem":
            latest = (
                PointsTransaction.objects.filter(account=account, kind="redeem")
                .filter(reversed_by__isnull=True)
                .order_by("-pk")
                .first()
            )
            if latest is not None:
                points_redeem_release(redemption_id=latest.pk)
        elif action == "release":
            PointsTransaction.objects.filter(account=account, is_pending=True).update(
                available_at=timezone.now()
            )
            points_release_due(account_id=account.pk)
        assert_invariants(account)
