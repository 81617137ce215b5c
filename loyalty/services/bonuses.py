"""Bonus points beside earning: the birthday bonus, the referral reward, and the reminders
of points about to expire."""

from __future__ import annotations

import calendar
import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from loyalty import selectors
from loyalty.models import (
    EarningRules,
    MemberProfile,
    PointsAccount,
    PointsExpiryReminder,
    PointsTransaction,
    Referral,
)
from loyalty.services.ledger import points_account_lock, points_credit_now

Order = get_model("order", "Order")
orders_paid = get_class("order.selectors", "orders_paid")


BIRTHDAY_MINIMUM_ACCOUNT_AGE = dt.timedelta(days=30)


# A birthday missed by a beat run (worker down) is still celebrated within this many days.
BIRTHDAY_CATCH_UP_DAYS = 7


REFERRAL_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


REFERRAL_CODE_LENGTH = 8


def _bonus_credit(
    *, account: PointsAccount, points: int, bonus_type: str, reason: str, **cause
) -> PointsTransaction:
    return points_credit_now(
        account=account,
        kind=PointsTransaction.Kind.BONUS,
        points=points,
        bonus_type=bonus_type,
        reason=reason,
        **cause,
    )


def _referral_code_new() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(REFERRAL_CODE_ALPHABET) for _i in range(REFERRAL_CODE_LENGTH))
        if not MemberProfile.objects.filter(referral_code=code).exists():
            return code
    raise RuntimeError("Could not find a free referral code in 10 attempts.")


@transaction.atomic
def member_profile_get_or_create(*, user) -> MemberProfile:
    profile = MemberProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            return MemberProfile.objects.create(user=user, referral_code=_referral_code_new())
    except IntegrityError:  # created by a concurrent request
        return MemberProfile.objects.get(user=user)


@transaction.atomic
def member_profile_set_date_of_birth(
    *, user, date_of_birth: dt.date, by_staff: bool = False
) -> MemberProfile:
    """Members record their date of birth once; correcting it is for staff.

    Once only because the birthday bonus follows it: a member moving it around the
    calendar must not find a second birthday in a year (the ledger's unique constraint
    would refuse the second bonus anyway).
    """
    if date_of_birth is None:
        raise ValidationError(_("Enter your date of birth."), code="date_missing")
    today = timezone.localdate()
    if date_of_birth > today or date_of_birth.year < 1900:
        raise ValidationError(_("Enter a real date of birth."), code="date_invalid")
    profile = member_profile_get_or_create(user=user)
    profile = MemberProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.date_of_birth and profile.date_of_birth != date_of_birth and not by_staff:
        raise ValidationError(
            _("Your date of birth is already recorded. Please ask the store desk to correct it."),
            code="date_already_set",
        )
    profile.date_of_birth = date_of_birth
    profile.save(update_fields=["date_of_birth"])
    return profile


@transaction.atomic
def points_birthday_bonus_award(*, user_id: int, birthday: dt.date) -> PointsTransaction | None:
    """The birthday bonus of ``birthday``'s year, once per member and year.

    Only for customer accounts older than 30 days (a fresh account cannot collect it by
    entering today's date) and for holders of an active card.
    """
    rules = EarningRules.load()
    if rules.birthday_bonus_points <= 0:
        return None
    profile = MemberProfile.objects.select_related("user").filter(user_id=user_id).first()
    if (
        profile is None
        or profile.date_of_birth is None
        or not selectors.birthday_matches(date_of_birth=profile.date_of_birth, day=birthday)
    ):
        return None
    if profile.user.date_joined > timezone.now() - BIRTHDAY_MINIMUM_ACCOUNT_AGE:
        return None
    card = selectors.card_usable_for_user(user=profile.user)
    if card is None:
        return None
    account = points_account_lock(account_id=card.account_id)
    already = PointsTransaction.objects.filter(
        account=account,
        kind=PointsTransaction.Kind.BONUS,
        bonus_type=PointsTransaction.BonusType.BIRTHDAY,
        bonus_year=birthday.year,
    )
    if already.exists():
        return None
    return _bonus_credit(
        account=account,
        points=rules.birthday_bonus_points,
        bonus_type=PointsTransaction.BonusType.BIRTHDAY,
        bonus_year=birthday.year,
        reason=_("Happy birthday %(year)s") % {"year": birthday.year},
    )


def points_birthday_bonuses_award(*, today: dt.date | None = None) -> int:
    """Daily: every member whose birthday was in the last few days; returns bonuses paid.

    One transaction per member; idempotent through the one-bonus-per-year constraint.
    """
    today = today or timezone.localdate()
    paid = 0
    for offset in range(BIRTHDAY_CATCH_UP_DAYS):
        day = today - dt.timedelta(days=offset)
        birthdays = Q(date_of_birth__month=day.month, date_of_birth__day=day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            birthdays |= Q(date_of_birth__month=2, date_of_birth__day=29)
        user_ids = MemberProfile.objects.filter(birthdays).values_list("user_id", flat=True)
        for user_id in list(user_ids):
            try:
                paid += points_birthday_bonus_award(user_id=user_id, birthday=day) is not None
            except IntegrityError:  # a concurrent run paid it first
                continue
    return paid


@transaction.atomic
def referral_register(*, newcomer, code: str) -> Referral:
    """Record that ``newcomer`` was invited by the owner of referral ``code``.

    Refused for one's own code, for a second code, and once the newcomer has a paid order
    (the bonus is for bringing a new customer). The database refuses self-referral and a
    second referral of the same newcomer too.
    """
    code = (code or "").strip().upper()
    profile = MemberProfile.objects.select_related("user").filter(referral_code=code).first()
    if not code or profile is None:
        raise ValidationError(_("This referral code does not exist."), code="referral_unknown")
    if profile.user_id == newcomer.pk:
        raise ValidationError(_("You cannot use your own referral code."), code="referral_self")
    if Referral.objects.filter(newcomer=newcomer).exists():
        raise ValidationError(
            _("A referral code is already recorded for your account."), code="referral_exists"
        )
    if orders_paid().filter(user=newcomer).exists():
        raise ValidationError(
            _("Referral codes are for new customers, before their first order."),
            code="referral_not_new",
        )
    try:
        with transaction.atomic():
            return Referral.objects.create(referrer=profile.user, newcomer=newcomer, code=code)
    except IntegrityError as exc:
        raise ValidationError(
            _("A referral code is already recorded for your account."), code="referral_exists"
        ) from exc


@transaction.atomic
def referral_reward_for_order(*, order_id: int) -> list[PointsTransaction]:
    """Both referral bonuses, when ``order_id`` is the newcomer's first paid order; once.

    Called from the ``order_paid`` receiver. Each side is paid into the points account of
    its active card; a side without one at that moment gets nothing (there is no ledger to
    pay into). The referral records the order, so later orders pay nothing.
    """
    order = Order.objects.get(pk=order_id)
    if order.user_id is None:
        return []
    referral = (
        Referral.objects.select_for_update()
        .select_related("referrer", "newcomer")
        .filter(newcomer_id=order.user_id, rewarded_order__isnull=True)
        .first()
    )
    if referral is None:
        return []
    earlier_paid = orders_paid().filter(user_id=order.user_id).exclude(pk=order.pk).exists()
    if earlier_paid:
        return []
    referral.rewarded_order = order
    referral.rewarded_at = timezone.now()
    referral.save(update_fields=["rewarded_order", "rewarded_at"])
    rules = EarningRules.load()
    sides = [
        (
            referral.referrer,
            PointsTransaction.BonusType.REFERRER,
            rules.referral_bonus_referrer_points,
        ),
        (
            referral.newcomer,
            PointsTransaction.BonusType.NEWCOMER,
            rules.referral_bonus_newcomer_points,
        ),
    ]
    bonuses = []
    for user, bonus_type, points in sides:
        card = selectors.card_usable_for_user(user=user)
        if card is None or points <= 0:
            continue
        account = points_account_lock(account_id=card.account_id)
        bonuses.append(
            _bonus_credit(
                account=account,
                points=points,
                bonus_type=bonus_type,
                referral=referral,
                order=order if bonus_type == PointsTransaction.BonusType.NEWCOMER else None,
                reason=_("Referral bonus"),
            )
        )
    return bonuses


def points_expiry_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Email each member whose points expire within the reminder window; returns emails sent.

    Once per expiring credit: each credit gets a PointsExpiryReminder row in the same
    transaction as the email, so a second run (or a retried task) finds nothing to say.
    One email per member and run, listing all their credits that are about to expire.
    """
    now = now or timezone.now()
    rules = EarningRules.load()
    account_ids = (
        selectors.points_expiring_credits(now=now, days=rules.expiry_reminder_days)
        .values_list("account_id", flat=True)
        .distinct()
    )
    sent = 0
    for account_id in list(account_ids):
        with transaction.atomic():
            account = PointsAccount.objects.select_for_update().get(pk=account_id)
            credits = list(
                selectors.points_expiring_credits(now=now, days=rules.expiry_reminder_days).filter(
                    account_id=account_id
                )
            )
            if not credits:
                continue
            PointsExpiryReminder.objects.bulk_create(
                [PointsExpiryReminder(credit=credit) for credit in credits]
            )
            card = account.cards.current().filter(user__isnull=False).select_related("user").first()
            if card is None or not card.user.email:
                continue
            context = {
                "user": card.user,
                "card": card,
                "points": sum(credit.remaining for credit in credits),
                "expires_on": timezone.localdate(credits[0].expires_at),
                "credits": credits,
                "balance": account.balance,
            }
            # Inside the transaction: if the mail server refuses, the reminder rows roll back
            # and tomorrow's run tries again.
            send_mail(
                subject=render_to_string(
                    "loyalty/emails/points_expiring_subject.txt", context
                ).strip(),
                message=render_to_string("loyalty/emails/points_expiring_body.txt", context),
                from_email=None,
                recipient_list=[card.user.email],
            )
            sent += 1
    return sent
