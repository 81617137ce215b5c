"""Fifty redemptions at once against one card that covers twelve (PostgreSQL row locks)."""

from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.models import MemberType, PointsAccount, PointsTransaction
from loyalty.services.ledger import points_adjust
from loyalty.services.redemption import (
    PointsRedemptionRefused,
    points_redeem,
    points_redeem_for_order,
)
from tests.factories.loyalty import earning_rules, member_card
from tests.integration.concurrency import run_at_once

REDEMPTIONS = 50
POINTS_EACH = 100
BALANCE = 1250  # covers 12 redemptions, not 13

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_fifty_concurrent_redemptions_never_spend_more_than_the_balance():
    assert connection.vendor == "postgresql"
    earning_rules(minimum_balance_to_redeem=0, maximum_order_share_percent=Decimal("100"))
    staff = UserFactory(is_staff=True)
    account = member_card(user=UserFactory()).account
    points_adjust(
        account_id=account.pk, points=BALANCE, reason="concurrency test", created_by=staff
    )

    def redeem() -> None:
        points_redeem(account_id=account.pk, points=POINTS_EACH, order_total=Decimal("1000.00"))

    outcomes = run_at_once([redeem] * REDEMPTIONS, succeeded="redeemed")

    affordable = BALANCE // POINTS_EACH
    assert sorted(outcomes) == ["redeemed"] * affordable + ["refused"] * (REDEMPTIONS - affordable)
    account = PointsAccount.objects.get(pk=account.pk)
    assert account.balance == BALANCE - affordable * POINTS_EACH
    assert selectors.points_ledger_sum(account_id=account.pk) == account.balance
    assert (
        PointsTransaction.objects.filter(
            account=account, kind=PointsTransaction.Kind.REDEEM
        ).count()
        == affordable
    )


def test_fifty_concurrent_checkout_holds_never_spend_more_than_the_balance():
    """The checkout's hold (one per order) under the same race: 50 orders, points for 12."""
    from oscar.test.factories import create_order

    assert connection.vendor == "postgresql"
    earning_rules(
        minimum_balance_to_redeem=0,
        maximum_order_share_percent=Decimal("100"),
        points_per_cny_redeemed=100,
    )
    staff = UserFactory(is_staff=True)
    member = UserFactory()
    # Transactional tests flush the migration's member types: bring back the one used here.
    MemberType.objects.get_or_create(code="public", defaults={"name": "Public"})
    account = member_card(user=member, member_type_code="public").account
    points_adjust(
        account_id=account.pk, points=BALANCE, reason="concurrency test", created_by=staff
    )
    orders = [create_order(user=member) for _ in range(REDEMPTIONS)]

    def hold(order_id: int) -> None:
        # 1.00 CNY of discount = 100 points, on a 10.00 order.
        points_redeem_for_order(
            order_id=order_id, discount=Decimal("1.00"), goods_value=Decimal("10.00")
        )

    outcomes = run_at_once(
        [partial(hold, order.pk) for order in orders],
        succeeded="held",
        refused=PointsRedemptionRefused,
    )

    affordable = BALANCE // POINTS_EACH
    assert sorted(outcomes) == ["held"] * affordable + ["refused"] * (REDEMPTIONS - affordable)
    account = PointsAccount.objects.get(pk=account.pk)
    assert account.balance == BALANCE - affordable * POINTS_EACH
    assert selectors.points_ledger_sum(account_id=account.pk) == account.balance
    held = PointsTransaction.objects.filter(account=account, kind=PointsTransaction.Kind.REDEEM)
    assert held.count() == affordable
    assert held.values("order").distinct().count() == affordable
