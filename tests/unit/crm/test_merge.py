"""Merging duplicate customers keeps every order, point, wallet yuan and message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from oscar.core.loading import get_model

from crm import services
from crm.models import ContactLogEntry, PrivacyLog, Ticket
from loyalty.models import MemberCard, PointsAccount, PointsTransaction
from loyalty.selectors import points_ledger_sum
from loyalty.services.ledger import points_release_due
from tests.factories.crm import CustomerFactory, marketing_manager, profile_viewer, ticket
from tests.factories.loyalty import earning_rules, member_card, paid_order
from wallet import services as wallet_services
from wallet.models import Wallet

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


def _total_points() -> int:
    return sum(PointsAccount.objects.values_list("balance", flat=True))


def test_merge_keeps_every_order_and_point_and_moves_them_through_the_ledger():
    earning_rules(points_per_cny="1.00", pending_days=0)
    manager = marketing_manager()
    keep, duplicate = CustomerFactory(), CustomerFactory()
    keep_card, duplicate_card = member_card(user=keep), member_card(user=duplicate)
    keep_orders = [paid_order(user=keep, price="40.00") for _ in range(2)]
    duplicate_orders = [paid_order(user=duplicate, price="25.00") for _ in range(3)]
    points_release_due(account_id=duplicate_card.account_id)
    points_release_due(account_id=keep_card.account_id)
    keep_points = PointsAccount.objects.get(pk=keep_card.account_id).balance
    duplicate_points = PointsAccount.objects.get(pk=duplicate_card.account_id).balance
    assert keep_points > 0 and duplicate_points > 0
    points_before = _total_points()
    ticket(customer=duplicate)
    services.contact_log_add(
        customer_id=duplicate.pk, kind="call", body="Asked about points", created_by=manager
    )

    result = services.customers_merge(
        keep_user_id=keep.pk, merge_user_id=duplicate.pk, performed_by=manager
    )

    # Every order now belongs to the kept customer; none was lost or duplicated.
    assert set(Order.objects.filter(user=keep).values_list("pk", flat=True)) == {
        order.pk for order in keep_orders + duplicate_orders
    }
    assert not Order.objects.filter(user=duplicate).exists()
    # Points moved with one adjustment on each side: none created, none lost.
    assert result.points_moved == duplicate_points
    assert _total_points() == points_before
    keep_account = PointsAccount.objects.get(pk=keep_card.account_id)
    old_account = PointsAccount.objects.get(pk=duplicate_card.account_id)
    assert keep_account.balance == keep_points + duplicate_points
    assert old_account.balance == 0
    adjustments = PointsTransaction.objects.filter(kind="adjust")
    assert sorted(adjustments.values_list("points", flat=True)) == [
        -duplicate_points,
        duplicate_points,
    ]
    assert all(row.created_by_id == manager.pk for row in adjustments)
    # Each ledger still sums to its balance.
    for account in (keep_account, old_account):
        assert points_ledger_sum(account_id=account.pk) == account.balance + account.pending_balance
    # Cards and history follow the person; only one card stays in play.
    assert set(MemberCard.objects.filter(user=keep).values_list("pk", flat=True)) == {
        keep_card.pk,
        duplicate_card.pk,
    }
    assert MemberCard.objects.get(pk=duplicate_card.pk).status == MemberCard.Status.REPLACED
    assert Ticket.objects.filter(customer=keep).count() == 1
    assert ContactLogEntry.objects.filter(customer=keep, kind="call").exists()
    duplicate.refresh_from_db()
    assert not duplicate.is_active
    log = PrivacyLog.objects.get(action=PrivacyLog.Action.MERGE)
    assert log.actor == manager and log.detail["merged"] == duplicate.pk
    assert log.detail["points_moved"] == duplicate_points


def test_merge_moves_wallet_money_through_the_wallet_ledger():
    manager = marketing_manager()
    keep, duplicate = CustomerFactory(), CustomerFactory()
    keep_wallet = wallet_services.wallet_get_or_create_for_user(user=keep)
    duplicate_wallet = wallet_services.wallet_get_or_create_for_user(user=duplicate)
    wallet_services.wallet_adjust(
        wallet_id=duplicate_wallet.pk, amount=Decimal("30.00"), created_by=manager, note="top-up"
    )
    wallet_services.wallet_adjust(
        wallet_id=keep_wallet.pk, amount=Decimal("5.00"), created_by=manager, note="top-up"
    )

    services.customers_merge(keep_user_id=keep.pk, merge_user_id=duplicate.pk, performed_by=manager)

    assert Wallet.objects.get(pk=keep_wallet.pk).balance == Decimal("35.00")
    assert Wallet.objects.get(pk=duplicate_wallet.pk).balance == Decimal("0.00")


def test_merge_into_a_customer_without_a_card_hands_over_the_card_and_its_account():
    manager = marketing_manager()
    keep, duplicate = CustomerFactory(), CustomerFactory()
    card = member_card(user=duplicate)
    order = paid_order(user=duplicate, price="10.00")

    result = services.customers_merge(
        keep_user_id=keep.pk, merge_user_id=duplicate.pk, performed_by=manager
    )

    card.refresh_from_db()
    order.refresh_from_db()
    assert card.user_id == keep.pk and card.status == MemberCard.Status.ACTIVE
    assert order.user_id == keep.pk
    assert result.points_moved == 0  # the account itself changed hands, nothing to move
    assert not PointsTransaction.objects.filter(kind="adjust").exists()


def test_merge_with_pending_points_is_refused_and_changes_nothing():
    earning_rules(points_per_cny="1.00", pending_days=14)
    manager = marketing_manager()
    keep, duplicate = CustomerFactory(), CustomerFactory()
    member_card(user=keep)
    member_card(user=duplicate)
    order = paid_order(user=duplicate, price="50.00")

    with pytest.raises(ValidationError, match="pending points"):
        services.customers_merge(
            keep_user_id=keep.pk, merge_user_id=duplicate.pk, performed_by=manager
        )

    order.refresh_from_db()
    duplicate.refresh_from_db()
    assert order.user_id == duplicate.pk and duplicate.is_active
    assert not PrivacyLog.objects.exists()


def test_only_marketing_managers_may_merge():
    viewer = profile_viewer()
    keep, duplicate = CustomerFactory(), CustomerFactory()
    with pytest.raises(PermissionError):
        services.customers_merge(
            keep_user_id=keep.pk, merge_user_id=duplicate.pk, performed_by=viewer
        )
    duplicate.refresh_from_db()
    assert duplicate.is_active


def test_merging_a_customer_into_itself_is_refused():
    manager = marketing_manager()
    keep = CustomerFactory()
    with pytest.raises(ValidationError):
        services.customers_merge(keep_user_id=keep.pk, merge_user_id=keep.pk, performed_by=manager)


def test_duplicates_are_found_by_email_in_any_case_and_by_name():
    from crm.selectors import duplicate_groups

    first = CustomerFactory(email="wang.fang@campus.example", first_name="Fang", last_name="Wang")
    second = CustomerFactory(email="Wang.Fang@Campus.example", first_name="Bo", last_name="Li")
    third = CustomerFactory(email="other@campus.example", first_name="fang", last_name="WANG")

    groups = {(group.reason, group.user_ids) for group in duplicate_groups()}

    assert ("Same email", (first.pk, second.pk)) in groups
    assert ("Same name", (first.pk, third.pk)) in groups
