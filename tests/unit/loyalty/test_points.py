"""Points ledger: earning rules, pending period, refunds, redemption, adjustment, expiry, tiers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import CategoryFactory, UserFactory, create_product

from loyalty import economy, selectors, tasks
from loyalty.models import (
    CategoryEarningMultiplier,
    EarningCampaign,
    MemberType,
    PointsAccount,
    PointsTransaction,
    ProductEarningMultiplier,
    Tier,
)
from loyalty.services.cards import card_report_lost
from loyalty.services.ledger import (
    points_adjust,
    points_earn_for_order,
    points_expire_due,
    points_release_due,
    points_reverse_for_refund,
)
from loyalty.services.redemption import points_redeem, points_redeem_release
from loyalty.services.tiers import tier_recompute_for_account, tiers_recompute_all
from shop.apps.order import services as order_services
from shop.apps.order.constants import SOURCE_TYPE_WALLET
from tests.factories.loyalty import earning_rules, member_card, paid_order
from tests.factories.payments import funded_wallet

Order = get_model("order", "Order")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
ProductCategory = get_model("catalogue", "ProductCategory")

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    earning_rules(points_per_cny=Decimal("1"), minimum_order_value=Decimal("0"))
    user = UserFactory()
    member_card(user=user)
    return user


def account_of(user) -> PointsAccount:
    return PointsAccount.objects.get(cards__user=user)


def assert_ledger_consistent(account: PointsAccount) -> None:
    account.refresh_from_db()
    assert account.balance + account.pending_balance == selectors.points_ledger_sum(
        account_id=account.pk
    )
    assert account.balance >= 0 and account.pending_balance >= 0


def paid_from_wallet(order, user):
    """Record that ``order`` was paid from the wallet, so the dashboard refund path works."""
    wallet = funded_wallet(user=user, amount="0")
    source_type, _created = SourceType.objects.get_or_create(name=SOURCE_TYPE_WALLET)
    Source.objects.create(
        order=order,
        source_type=source_type,
        amount_allocated=order.total_incl_tax,
        amount_debited=order.total_incl_tax,
        reference=f"wallet:{wallet.pk}",
    )


# --------------------------------------------------------------------------- earning


def test_paid_order_earns_the_base_rate_on_what_was_paid(member):
    order = paid_order(user=member, price="123.45")
    earned = PointsTransaction.objects.get(order=order)
    assert earned.kind == PointsTransaction.Kind.EARN and earned.points == 123
    assert account_of(member).balance == 123
    assert earned.expires_at.date() == (order.date_placed + dt.timedelta(days=366)).date() or (
        earned.expires_at.month == order.date_placed.month
        and earned.expires_at.year == order.date_placed.year + 1
    )
    assert_ledger_consistent(account_of(member))


def test_earning_is_idempotent_per_order(member):
    order = paid_order(user=member, price="50.00")
    again = points_earn_for_order(order_id=order.pk)
    assert PointsTransaction.objects.filter(order=order).count() == 1
    assert again.points == 50 and account_of(member).balance == 50


def test_order_without_a_card_earns_nothing():
    earning_rules()
    order = paid_order(user=UserFactory(), price="50.00")
    assert not PointsTransaction.objects.filter(order=order).exists()


def test_shipping_is_not_part_of_what_earns(member):
    order = paid_order(user=member, price="40.00")
    Order.objects.filter(pk=order.pk).update(
        shipping_incl_tax=Decimal("8.00"), total_incl_tax=Decimal("48.00")
    )
    order.refresh_from_db()
    assert selectors.order_goods_paid(order=order) == Decimal("40.00")


def test_minimum_order_value(member):
    earning_rules(minimum_order_value=Decimal("20.00"))
    small = paid_order(user=member, price="19.99")
    big = paid_order(user=member, price="20.00")
    assert not PointsTransaction.objects.filter(order=small).exists()
    assert PointsTransaction.objects.get(order=big).points == 20


def test_product_multiplier_zero_earns_nothing(member):
    cheap = create_product(price=Decimal("30.00"), num_in_stock=100)
    ProductEarningMultiplier.objects.create(product=cheap, multiplier=Decimal("0"))
    order = paid_order(user=member, product=cheap)
    assert not PointsTransaction.objects.filter(order=order).exists()


def test_category_multiplier_applies_to_subcategories_and_product_wins(member):
    food = CategoryFactory(name="Food")
    dairy = food.add_child(name="Dairy")
    CategoryEarningMultiplier.objects.create(category=food, multiplier=Decimal("2"))
    milk = create_product(price=Decimal("10.00"), num_in_stock=100)
    ProductCategory.objects.create(product=milk, category=dairy)
    assert PointsTransaction.objects.get(order=paid_order(user=member, product=milk)).points == 20

    CategoryEarningMultiplier.objects.create(category=dairy, multiplier=Decimal("0"))
    assert not PointsTransaction.objects.filter(
        order=paid_order(user=member, product=milk)
    ).exists()

    ProductEarningMultiplier.objects.create(product=milk, multiplier=Decimal("3"))
    assert PointsTransaction.objects.get(order=paid_order(user=member, product=milk)).points == 30


def test_campaign_multiplier_only_inside_its_window(member):
    now = timezone.now()
    EarningCampaign.objects.create(
        name="Double points week",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1),
        multiplier=Decimal("2"),
    )
    EarningCampaign.objects.create(
        name="Over",
        starts_at=now - dt.timedelta(days=30),
        ends_at=now - dt.timedelta(days=20),
        multiplier=Decimal("5"),
    )
    assert PointsTransaction.objects.get(order=paid_order(user=member, price="10")).points == 20


def test_member_type_and_tier_multipliers(member):
    MemberType.objects.filter(code="student").update(earn_multiplier=Decimal("1.5"))
    account = account_of(member)
    account.tier = Tier.objects.create(
        name="Platinum", minimum_spend=Decimal("99999"), earn_multiplier=Decimal("2")
    )
    account.save()
    points_earn_for_order(
        order_id=paid_order(user=UserFactory(), price="10").pk
    )  # no card: nothing
    order = paid_order(user=member, price="10")
    # The paid order recomputes the tier afterwards; the points use the tier held before it.
    assert PointsTransaction.objects.get(order=order).points == 30


def test_points_are_pending_until_the_pending_period_is_over(member):
    earning_rules(pending_days=14)
    order = paid_order(user=member, price="80")
    account = account_of(member)
    assert (account.balance, account.pending_balance) == (0, 80)
    earned = PointsTransaction.objects.get(order=order)
    assert earned.is_pending and earned.available_at > timezone.now()

    PointsTransaction.objects.filter(pk=earned.pk).update(
        available_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert points_release_due(account_id=account.pk) == 80
    account.refresh_from_db()
    assert (account.balance, account.pending_balance) == (80, 0)
    assert_ledger_consistent(account)


def test_the_nightly_run_releases_pending_points(member):
    earning_rules(pending_days=14)
    paid_order(user=member, price="25")
    assert points_expire_due(now=timezone.now() + dt.timedelta(days=15)) == 0
    account = account_of(member)
    assert (account.balance, account.pending_balance) == (25, 0)


# --------------------------------------------------------------------------- refunds


def test_refund_reverses_points_in_proportion(member):
    order = paid_order(user=member, price="100.00")
    paid_from_wallet(order, member)

    order_services.order_refund(order_id=order.pk, amount=Decimal("25.00"), reason="bruised")

    reversal = PointsTransaction.objects.get(kind=PointsTransaction.Kind.REVERSE)
    assert reversal.points == -25 and reversal.shortfall == 0 and reversal.refund is not None
    assert account_of(member).balance == 75
    # Replaying the signal for the same refund takes nothing more.
    points_reverse_for_refund(refund_id=reversal.refund_id)
    assert account_of(member).balance == 75

    order_services.order_refund(order_id=order.pk, amount=Decimal("75.00"))
    assert account_of(member).balance == 0
    assert_ledger_consistent(account_of(member))


def test_refund_of_spent_points_records_a_shortfall_collected_later(member):
    earning_rules(minimum_balance_to_redeem=0, maximum_order_share_percent=Decimal("100"))
    order = paid_order(user=member, price="100.00")
    paid_from_wallet(order, member)
    account = account_of(member)
    points_redeem(account_id=account.pk, points=90, order_total=Decimal("100"))

    order_services.order_refund(order_id=order.pk, amount=Decimal("100.00"))

    reversal = PointsTransaction.objects.get(kind=PointsTransaction.Kind.REVERSE)
    assert (reversal.points, reversal.shortfall) == (-10, 90)
    account.refresh_from_db()
    assert (account.balance, account.points_owed) == (0, 90)
    assert_ledger_consistent(account)

    paid_order(user=member, price="150.00")
    account.refresh_from_db()
    assert (account.balance, account.points_owed) == (60, 0)
    assert_ledger_consistent(account)


def test_refund_while_pending_takes_from_pending(member):
    earning_rules(pending_days=14)
    order = paid_order(user=member, price="100.00")
    paid_from_wallet(order, member)
    order_services.order_refund(order_id=order.pk, amount=Decimal("40.00"))
    account = account_of(member)
    assert (account.balance, account.pending_balance) == (0, 60)
    assert_ledger_consistent(account)


# --------------------------------------------------------------------------- redeeming


@pytest.fixture
def rich_member(member):
    earning_rules(
        minimum_balance_to_redeem=500,
        points_per_cny_redeemed=100,
        maximum_order_share_percent=Decimal("50"),
    )
    paid_order(user=member, price="1000.00")
    return member


def test_redeem_debits_and_release_gives_back_once(rich_member):
    account = account_of(rich_member)
    redemption = points_redeem(account_id=account.pk, points=400, order_total=Decimal("20.00"))
    account.refresh_from_db()
    assert redemption.points == -400 and account.balance == 600
    assert economy.points_money_value(
        points=400, points_per_cny=earning_rules().points_per_cny_redeemed
    ) == Decimal("4.00")

    released = points_redeem_release(redemption_id=redemption.pk)
    again = points_redeem_release(redemption_id=redemption.pk)
    account.refresh_from_db()
    assert released == again and released.points == 400
    assert account.balance == 1000
    assert_ledger_consistent(account)


@pytest.mark.parametrize(
    ("points", "order_total", "message"),
    [
        (0, "100", "positive number"),
        (2000, "1000", "fewer than"),
        (1000, "19.99", "At most 999 points"),
    ],
)
def test_redeem_refusals_change_nothing(rich_member, points, order_total, message):
    account = account_of(rich_member)
    with pytest.raises(ValidationError, match=message):
        points_redeem(account_id=account.pk, points=points, order_total=Decimal(order_total))
    account.refresh_from_db()
    assert account.balance == 1000
    assert not PointsTransaction.objects.filter(kind=PointsTransaction.Kind.REDEEM).exists()


def test_redeem_needs_the_minimum_balance_and_an_active_card(member):
    earning_rules(minimum_balance_to_redeem=500)
    paid_order(user=member, price="499.00")
    account = account_of(member)
    with pytest.raises(ValidationError, match="at least 500 points"):
        points_redeem(account_id=account.pk, points=100, order_total=Decimal("100"))
    card_report_lost(card_id=account.cards.get().pk)
    with pytest.raises(ValidationError, match="active card"):
        points_redeem(account_id=account.pk, points=100, order_total=Decimal("100"))


# --------------------------------------------------------------------------- adjusting


def test_adjust_needs_a_reason_and_an_author(member):
    account = account_of(member)
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError, match="Say why"):
        points_adjust(account_id=account.pk, points=10, reason=" ", created_by=staff)
    with pytest.raises(ValidationError, match="author"):
        points_adjust(account_id=account.pk, points=10, reason="x", created_by=None)
    with pytest.raises(ValidationError, match="only 0 points"):
        points_adjust(account_id=account.pk, points=-1, reason="x", created_by=staff)

    credit = points_adjust(
        account_id=account.pk, points=50, reason="Till was down", created_by=staff
    )
    debit = points_adjust(account_id=account.pk, points=-20, reason="Duplicate", created_by=staff)
    assert (credit.created_by, credit.reason) == (staff, "Till was down")
    assert debit.points == -20
    account.refresh_from_db()
    assert account.balance == 30
    assert_ledger_consistent(account)


# --------------------------------------------------------------------------- expiring


def test_expiry_takes_the_oldest_credits_first(member):
    old_order = paid_order(user=member, price="30.00")
    new_order = paid_order(user=member, price="50.00")
    now = timezone.now()
    PointsTransaction.objects.filter(order=old_order).update(expires_at=now - dt.timedelta(days=1))
    PointsTransaction.objects.filter(order=new_order).update(expires_at=now + dt.timedelta(days=9))
    account = account_of(member)
    earning_rules(minimum_balance_to_redeem=0, maximum_order_share_percent=Decimal("100"))
    # Spending consumes the soonest-expiring points first: 20 of the old 30.
    points_redeem(account_id=account.pk, points=20, order_total=Decimal("100"))

    assert points_expire_due() == 10
    assert tasks.loyalty_points_expire_due() == 0  # idempotent

    expired = PointsTransaction.objects.get(kind=PointsTransaction.Kind.EXPIRE)
    assert expired.points == -10
    account.refresh_from_db()
    assert account.balance == 50
    assert_ledger_consistent(account)


def test_ledger_rows_are_append_only(member):
    row = PointsTransaction.objects.get(order=paid_order(user=member, price="10"))
    row.reason = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        row.save()


# --------------------------------------------------------------------------- tiers


def test_tier_follows_the_rolling_12_month_spend(member):
    account = account_of(member)
    assert account.tier.name == "Bronze"
    paid_order(user=member, price="200.00")
    account.refresh_from_db()
    assert account.tier.name == "Silver"
    assert account.spend_last_12_months == Decimal("200.00")

    # A year later the spend has left the window: the nightly run moves the member down.
    later = timezone.now() + dt.timedelta(days=400)
    assert tiers_recompute_all(now=later) == 1
    account.refresh_from_db()
    assert account.tier.name == "Bronze"
    assert tasks.loyalty_tiers_recompute_all() == 1


def test_tier_thresholds_are_editable(member):
    Tier.objects.filter(name="Silver").update(minimum_spend=Decimal("50.00"))
    paid_order(user=member, price="60.00")
    assert account_of(member).tier.name == "Silver"


def test_members_are_told_when_they_move_up_or_down_once(
    member, mailoutbox, django_capture_on_commit_callbacks
):
    member.email = "li.wei@campus.example"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(user=member, price="200.00")
    assert [m.subject for m in mailoutbox] == ["Welcome to Silver!"]
    assert mailoutbox[0].to == ["li.wei@campus.example"]
    assert "1.25 times" in mailoutbox[0].body

    # A retried task, or a recompute that changes nothing, sends nothing more.
    account = account_of(member)
    assert tasks.loyalty_tier_change_notify(account.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        tier_recompute_for_account(account_id=account.pk)
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        tiers_recompute_all(now=timezone.now() + dt.timedelta(days=400))
    assert mailoutbox[-1].subject == "Your member tier is now Bronze"
    assert "below the Silver threshold" in mailoutbox[-1].body
