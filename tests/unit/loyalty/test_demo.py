"""The demo install: a card per demo member and their history replayed into the ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.demo import DEMO_CARD_PIN, demo_card_number, loyalty_demo_install
from loyalty.models import MemberCard, PointsAccount, PointsTransaction
from loyalty.services.ledger import points_expire_due
from tests.factories.loyalty import earning_rules, member_card, paid_order

pytestmark = pytest.mark.django_db


def test_demo_cards_carry_the_history_like_live_earning_would():
    earning_rules(points_per_cny=Decimal("1"), pending_days=14, expiry_months=12)
    now = timezone.now()
    placed = [
        now - dt.timedelta(days=500),
        now - dt.timedelta(days=100),
        now - dt.timedelta(days=3),
    ]
    demo_member = UserFactory(username="member1001")
    for when in placed:
        paid_order(user=demo_member, price="30.00", placed_at=when)
    UserFactory(username="not-a-member")

    summary = loyalty_demo_install(as_of=now)

    card = MemberCard.objects.get()
    assert card.number == demo_card_number(member_number=1001)
    assert card.user == demo_member and check_password(DEMO_CARD_PIN, card.pin_hash)
    assert (summary.cards_issued, summary.earn_rows, summary.expire_rows) == (1, 3, 1)
    account = card.account
    # 500 days ago: expired; 100 days ago: spendable; 3 days ago: still pending.
    assert (account.balance, account.pending_balance) == (30, 30)
    assert selectors.points_ledger_sum(account_id=account.pk) == 60
    assert account.spend_last_12_months == Decimal("60.00")

    # The live path, order by order, ends in the same place.
    live_member = UserFactory()
    live_card = member_card(user=live_member)
    for when in placed:
        paid_order(user=live_member, price="30.00", placed_at=when)
    points_expire_due()
    live = PointsAccount.objects.get(pk=live_card.account_id)
    assert (live.balance, live.pending_balance) == (account.balance, account.pending_balance)
    assert live.tier == account.tier

    assert loyalty_demo_install(as_of=now).cards_issued == 0
    assert PointsTransaction.objects.filter(account=account).count() == 4
