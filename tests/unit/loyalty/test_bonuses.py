"""Birthday and referral bonuses, and the expiry reminder (Celery beat tasks, idempotent)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from loyalty import selectors, tasks
from loyalty.models import MemberCard, PointsExpiryReminder, PointsTransaction, Referral
from loyalty.services.bonuses import (
    member_profile_get_or_create,
    member_profile_set_date_of_birth,
    points_birthday_bonuses_award,
    points_expiry_reminders_send,
    referral_register,
    referral_reward_for_order,
)
from loyalty.services.cards import card_report_lost
from loyalty.services.ledger import points_adjust
from loyalty.services.redemption import points_redeem
from tests.factories.loyalty import earning_rules, member_card, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rules():
    return earning_rules(
        points_per_cny=Decimal("1"),
        minimum_order_value=Decimal("0"),
        birthday_bonus_points=200,
        referral_bonus_referrer_points=300,
        referral_bonus_newcomer_points=150,
        expiry_months=12,
        expiry_reminder_days=30,
    )


def old_member(*, email="old@campus.example", joined_days_ago=400, date_of_birth=None):
    user = UserFactory(email=email)
    user.date_joined = timezone.now() - dt.timedelta(days=joined_days_ago)
    user.save(update_fields=["date_joined"])
    member_card(user=user)
    if date_of_birth:
        member_profile_set_date_of_birth(user=user, date_of_birth=date_of_birth)
    return user


def account_of(user):
    return MemberCard.objects.get(user=user).account


def bonuses(user, bonus_type):
    return PointsTransaction.objects.filter(
        account=account_of(user), kind="bonus", bonus_type=bonus_type
    )


def assert_ledger_consistent(account):
    account.refresh_from_db()
    assert account.balance + account.pending_balance == selectors.points_ledger_sum(
        account_id=account.pk
    )


# --------------------------------------------------------------------------- birthday


def test_birthday_bonus_is_paid_once_a_year():
    today = dt.date(2026, 11, 23)
    user = old_member(date_of_birth=dt.date(2000, 11, 23))

    assert points_birthday_bonuses_award(today=today) == 1
    assert points_birthday_bonuses_award(today=today) == 0
    # The next days are inside the catch-up window: still nothing more this year.
    assert points_birthday_bonuses_award(today=today + dt.timedelta(days=2)) == 0

    bonus = bonuses(user, "birthday").get()
    assert bonus.points == 200 and bonus.bonus_year == 2026
    assert account_of(user).balance == 200
    assert_ledger_consistent(account_of(user))


def test_birthday_bonus_again_next_year():
    user = old_member(date_of_birth=dt.date(2000, 3, 1))

    points_birthday_bonuses_award(today=dt.date(2026, 3, 1))
    points_birthday_bonuses_award(today=dt.date(2027, 3, 1))

    assert sorted(bonuses(user, "birthday").values_list("bonus_year", flat=True)) == [2026, 2027]


def test_missed_run_is_caught_up_within_the_week():
    user = old_member(date_of_birth=dt.date(1999, 6, 10))

    assert points_birthday_bonuses_award(today=dt.date(2026, 6, 14)) == 1
    assert bonuses(user, "birthday").get().bonus_year == 2026


def test_no_birthday_bonus_for_an_account_younger_than_30_days():
    today = timezone.localdate()
    user = old_member(joined_days_ago=10, date_of_birth=today.replace(year=2001))

    assert points_birthday_bonuses_award(today=today) == 0
    assert not bonuses(user, "birthday").exists()


def test_no_birthday_bonus_on_another_day_or_for_a_frozen_card():
    user = old_member(date_of_birth=dt.date(2000, 5, 5))
    assert points_birthday_bonuses_award(today=dt.date(2026, 5, 20)) == 0
    card_report_lost(card_id=MemberCard.objects.get(user=user).pk)

    assert points_birthday_bonuses_award(today=dt.date(2026, 5, 5)) == 0
    assert not PointsTransaction.objects.filter(kind="bonus").exists()


def test_29_february_birthdays_are_celebrated_on_28_february():
    user = old_member(date_of_birth=dt.date(2004, 2, 29))

    assert points_birthday_bonuses_award(today=dt.date(2027, 2, 28)) == 1
    assert bonuses(user, "birthday").get().bonus_year == 2027


def test_database_refuses_a_second_birthday_bonus_in_a_year():
    user = old_member(date_of_birth=dt.date(2000, 1, 2))
    points_birthday_bonuses_award(today=dt.date(2026, 1, 2))
    bonus = bonuses(user, "birthday").get()

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransaction.objects.create(
            account=bonus.account,
            kind="bonus",
            bonus_type="birthday",
            bonus_year=2026,
            points=200,
            remaining=200,
            available_at=timezone.now(),
            created_at=timezone.now(),
        )


def test_date_of_birth_is_set_once_by_the_member_and_corrected_by_staff():
    user = old_member(date_of_birth=dt.date(2000, 1, 2))

    with pytest.raises(ValidationError, match="already recorded"):
        member_profile_set_date_of_birth(user=user, date_of_birth=dt.date(2000, 7, 7))
    profile = member_profile_set_date_of_birth(
        user=user, date_of_birth=dt.date(2000, 7, 7), by_staff=True
    )
    assert profile.date_of_birth == dt.date(2000, 7, 7)
    with pytest.raises(ValidationError, match="real date"):
        member_profile_set_date_of_birth(
            user=UserFactory(), date_of_birth=timezone.localdate() + dt.timedelta(days=1)
        )


def test_member_sets_the_date_of_birth_on_the_settings_page(client):
    user = old_member()
    client.force_login(user)

    response = client.post(reverse("membercard:settings"), {"date_of_birth": "2001-04-05"})

    assert response.status_code == 302
    assert user.member_profile.date_of_birth == dt.date(2001, 4, 5)


def test_birthday_task_is_wired():
    user = old_member(date_of_birth=timezone.localdate().replace(year=1998))
    if timezone.localdate().month == 2 and timezone.localdate().day == 29:
        pytest.skip("29 February is not a date in 1998")

    assert tasks.loyalty_birthday_bonuses_award.delay().get() == 1
    assert tasks.loyalty_birthday_bonuses_award.delay().get() == 0
    assert bonuses(user, "birthday").count() == 1


# --------------------------------------------------------------------------- referral


def test_referral_pays_both_sides_once_after_the_first_paid_order():
    referrer = old_member(email="referrer@campus.example")
    newcomer = old_member(email="new@campus.example", joined_days_ago=1)
    code = member_profile_get_or_create(user=referrer).referral_code
    referral_register(newcomer=newcomer, code=code)

    first = paid_order(user=newcomer, price="10.00")
    paid_order(user=newcomer, price="20.00")

    referrer_bonus = bonuses(referrer, "referrer").get()
    newcomer_bonus = bonuses(newcomer, "newcomer").get()
    assert referrer_bonus.points == 300 and newcomer_bonus.points == 150
    assert referrer_bonus.referral == newcomer_bonus.referral == Referral.objects.get()
    assert Referral.objects.get().rewarded_order == first
    assert referral_reward_for_order(order_id=first.pk) == []
    assert PointsTransaction.objects.filter(kind="bonus").count() == 2
    assert_ledger_consistent(account_of(referrer))
    assert_ledger_consistent(account_of(newcomer))


def test_own_code_is_refused_and_the_database_forbids_self_referral():
    member = old_member()
    code = member_profile_get_or_create(user=member).referral_code

    with pytest.raises(ValidationError, match="your own referral code"):
        referral_register(newcomer=member, code=code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(referrer=member, newcomer=member, code=code)


def test_a_newcomer_is_referred_once():
    first = old_member(email="a@campus.example")
    second = old_member(email="b@campus.example")
    newcomer = old_member(email="c@campus.example", joined_days_ago=1)
    referral_register(
        newcomer=newcomer, code=member_profile_get_or_create(user=first).referral_code
    )

    with pytest.raises(ValidationError, match="already recorded"):
        referral_register(
            newcomer=newcomer,
            code=member_profile_get_or_create(user=second).referral_code,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(referrer=second, newcomer=newcomer, code="X")


def test_a_customer_who_already_ordered_is_no_newcomer():
    referrer = old_member(email="referrer@campus.example")
    customer = old_member(email="customer@campus.example")
    paid_order(user=customer, price="10.00")

    with pytest.raises(ValidationError, match="before their first order"):
        referral_register(
            newcomer=customer,
            code=member_profile_get_or_create(user=referrer).referral_code,
        )


def test_unknown_code_is_refused():
    with pytest.raises(ValidationError, match="does not exist"):
        referral_register(newcomer=old_member(), code="NOPE1234")


def test_database_refuses_a_second_bonus_for_the_same_referral_side():
    referrer = old_member(email="referrer@campus.example")
    newcomer = old_member(email="new@campus.example", joined_days_ago=1)
    referral_register(
        newcomer=newcomer,
        code=member_profile_get_or_create(user=referrer).referral_code,
    )
    paid_order(user=newcomer, price="10.00")
    bonus = bonuses(referrer, "referrer").get()

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransaction.objects.create(
            account=bonus.account,
            kind="bonus",
            bonus_type="referrer",
            referral=bonus.referral,
            points=300,
            remaining=300,
            available_at=timezone.now(),
            created_at=timezone.now(),
        )


def test_invitation_link_records_the_code_at_registration(client):
    referrer = old_member(email="referrer@campus.example")
    code = member_profile_get_or_create(user=referrer).referral_code

    response = client.get(reverse("membercard:invite", kwargs={"code": code}))
    assert response.status_code == 302 and response.url == reverse("customer:register")
    client.post(
        reverse("customer:register"),
        {
            "email": "friend@campus.example",
            "password1": "a-long-Passw0rd!",
            "password2": "a-long-Passw0rd!",
        },
    )

    referral = Referral.objects.get()
    assert referral.referrer == referrer and referral.newcomer.email == "friend@campus.example"


def test_member_enters_a_code_on_the_settings_page(client):
    referrer = old_member(email="referrer@campus.example")
    newcomer = old_member(email="new@campus.example", joined_days_ago=1)
    client.force_login(newcomer)
    code = member_profile_get_or_create(user=referrer).referral_code

    page = client.get(reverse("membercard:settings"))
    assert member_profile_get_or_create(user=newcomer).referral_code in (page.content.decode())
    response = client.post(reverse("membercard:settings"), {"action": "referral", "code": code})

    assert response.status_code == 302
    assert Referral.objects.get().newcomer == newcomer


# --------------------------------------------------------------------------- expiry reminder


def expiring_points(user, points, *, expires_in_days):
    """Points credited so that they expire ``expires_in_days`` from now."""
    credit = points_adjust(
        account_id=account_of(user).pk,
        points=points,
        reason="test",
        created_by=UserFactory(is_staff=True),
    )
    PointsTransaction.objects.filter(pk=credit.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days)
    )
    return credit


def test_expiry_reminder_is_sent_once_per_expiring_credit(mailoutbox):
    user = old_member()
    expiring_points(user, 120, expires_in_days=20)
    expiring_points(user, 80, expires_in_days=29)
    expiring_points(user, 999, expires_in_days=60)  # not yet

    assert points_expiry_reminders_send() == 1
    assert points_expiry_reminders_send() == 0

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert "200 of your points expire soon" in mailoutbox[0].subject
    assert PointsExpiryReminder.objects.count() == 2


def test_a_new_expiring_credit_gets_its_own_reminder(mailoutbox):
    user = old_member()
    expiring_points(user, 120, expires_in_days=20)
    points_expiry_reminders_send()
    expiring_points(user, 50, expires_in_days=25)

    assert points_expiry_reminders_send() == 1
    assert "50 of your points" in mailoutbox[-1].subject
    assert len(mailoutbox) == 2


def test_spent_points_need_no_reminder(mailoutbox):
    user = old_member()
    expiring_points(user, 600, expires_in_days=20)
    earning_rules(minimum_balance_to_redeem=0, maximum_order_share_percent=Decimal("100"))
    points_redeem(account_id=account_of(user).pk, points=600, order_total=Decimal("100"))

    assert points_expiry_reminders_send() == 0
    assert mailoutbox == []


def test_expiry_reminder_task_is_wired(mailoutbox):
    user = old_member()
    expiring_points(user, 120, expires_in_days=10)

    assert tasks.loyalty_points_expiry_reminders_send.delay().get() == 1
    assert tasks.loyalty_points_expiry_reminders_send.delay().get() == 0
    assert len(mailoutbox) == 1


def test_beat_runs_the_bonus_and_reminder_tasks(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"loyalty.points_expiry_reminders_send", "loyalty.birthday_bonuses_award"} <= scheduled
