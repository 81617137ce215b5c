"""Write-side services for loyalty: member cards and the points ledger."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from loyalty import economy, selectors
from loyalty.models import (
    BasketPointsRedemption,
    EarningRules,
    MemberCard,
    MemberCardRenewal,
    MemberProfile,
    MemberType,
    PointsAccount,
    PointsExpiryReminder,
    PointsTransaction,
    Referral,
    Tier,
)
from shop.throttle import (
    throttle_attempt_claim,
    throttle_attempt_release,
    throttle_clear,
    throttle_failure_record,
    throttle_is_locked,
)

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")


# =========================================================================== member cards

CARD_PIN_PATTERN = re.compile(r"\d{4,8}")
# Cards nothing may be done with until they are replaced (a lost card is frozen).
CARD_BLOCKED_STATUSES = frozenset(
    {MemberCard.Status.FROZEN, MemberCard.Status.LOST, MemberCard.Status.REPLACED}
)


def _pin_validate(*, pin: str) -> None:
    if not CARD_PIN_PATTERN.fullmatch(pin or ""):
        raise ValidationError(_("A PIN is 4 to 8 digits."), code="pin_invalid")


def _card_number_new() -> str:
    for _attempt in range(10):
        number = economy.card_number_for_serial(
            serial=secrets.randbelow(10**economy.CARD_SERIAL_DIGITS)
        )
        if not MemberCard.objects.filter(number=number).exists():
            return number
    raise RuntimeError("Could not find a free card number in 10 attempts.")


def _account_new() -> PointsAccount:
    # A new member starts in the lowest tier without being told about it.
    lowest = Tier.objects.order_by("minimum_spend").first()
    return PointsAccount.objects.create(tier=lowest, tier_notified=lowest)


@transaction.atomic
def card_issue(
    *,
    member_type_code: str,
    pin: str,
    user=None,
    campus_id: str = "",
    number: str | None = None,
    issued_on: dt.date | None = None,
) -> MemberCard:
    """Issue a new card with a new points account (``number`` given: demo and CSV imports)."""
    _pin_validate(pin=pin)
    member_type = MemberType.objects.filter(code=member_type_code).first()
    if member_type is None:
        raise ValidationError(
            _("Unknown member type “%(code)s”.") % {"code": member_type_code},
            code="member_type_unknown",
        )
    if user is not None and selectors.card_get_for_user(user=user) is not None:
        raise ValidationError(_("This customer already holds a member card."), code="user_has_card")
    number = economy.card_number_normalize(number=number) if number else _card_number_new()
    if MemberCard.objects.filter(number=number).exists():
        raise ValidationError(_("This card number is already in use."), code="card_number_taken")
    issued_on = issued_on or timezone.localdate()
    card = MemberCard(
        number=number,
        member_type=member_type,
        account=_account_new(),
        pin_hash=make_password(pin),
        issued_on=issued_on,
        expires_on=economy.years_later(day=issued_on, years=member_type.card_validity_years),
        user=user,
        campus_id=campus_id,
    )
    card.full_clean(exclude=["account", "member_type", "user", "replaced_by"])
    card.save()
    return card


@transaction.atomic
def card_claim(*, user, number: str, pin: str) -> MemberCard:
    """Link a card that was issued in store to the logged-in account (card number + PIN)."""
    number = economy.card_number_normalize(number=number)
    if not economy.luhn_is_valid(number=number):
        raise ValidationError(
            _("This is not a valid card number: please check the digits."), code="card_invalid"
        )
    card = MemberCard.objects.select_for_update().filter(number=number).first()
    if card is None or not check_password(pin or "", card.pin_hash):
        # One message for both: a guesser learns nothing about which numbers exist.
        raise ValidationError(_("The card number and PIN do not match."), code="card_pin_mismatch")
    if card.user_id == user.pk:
        return card
    if card.user_id is not None:
        raise ValidationError(
            _("This card is already linked to another account."), code="card_claimed"
        )
    if not card.is_usable():
        raise ValidationError(
            _("This card cannot be linked. %(reason)s")
            % {"reason": selectors.card_unusable_reason(card=card)},
            code="card_not_active",
        )
    if selectors.card_get_for_user(user=user) is not None:
        raise ValidationError(_("Your account already has a member card."), code="user_has_card")
    card.user = user
    card.save(update_fields=["user"])
    return card


@transaction.atomic
def card_report_lost(*, card_id: int) -> MemberCard:
    """Freeze a card reported lost: no member price, no points spending, no lookup on it."""
    card = MemberCard.objects.select_for_update().get(pk=card_id)
    if card.status not in (MemberCard.Status.ACTIVE, MemberCard.Status.FROZEN):
        raise ValidationError(
            _("Only an active or frozen card can be reported lost."), code="card_not_active"
        )
    card.status = MemberCard.Status.LOST
    card.save(update_fields=["status"])
    return card


@transaction.atomic
def card_replace(*, card_id: int, number: str | None = None, pin: str | None = None) -> MemberCard:
    """A new card for the same member.

    The new card points at the same points account, so points, pending points, tier and the
    whole history carry over without moving a row; the wallet belongs to the holder's
    customer account and carries over too. The member keeps the old PIN unless given a new one.
    """
    old = MemberCard.objects.select_for_update().get(pk=card_id)
    if old.status not in MemberCard.CURRENT_STATUSES:
        raise ValidationError(
            _("This card was already replaced or has expired."), code="card_not_replaceable"
        )
    if pin is not None:
        _pin_validate(pin=pin)
    number = economy.card_number_normalize(number=number) if number else _card_number_new()
    if MemberCard.objects.filter(number=number).exists():
        raise ValidationError(_("This card number is already in use."), code="card_number_taken")
    old.status = MemberCard.Status.REPLACED
    old.save(update_fields=["status"])
    today = timezone.localdate()
    new = MemberCard(
        number=number,
        member_type_id=old.member_type_id,
        account_id=old.account_id,
        pin_hash=make_password(pin) if pin is not None else old.pin_hash,
        issued_on=today,
        expires_on=max(old.expires_on, economy.years_later(day=today, years=1)),
        user_id=old.user_id,
        campus_id=old.campus_id,
    )
    new.full_clean(exclude=["account", "member_type", "user", "replaced_by"])
    new.save()
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new


@transaction.atomic
def card_pin_change(*, card_id: int, old_pin: str, new_pin: str) -> MemberCard:
    card = MemberCard.objects.select_for_update().get(pk=card_id)
    if not check_password(old_pin or "", card.pin_hash):
        raise ValidationError(_("The current PIN is not correct."), code="pin_mismatch")
    _pin_validate(pin=new_pin)
    card.pin_hash = make_password(new_pin)
    card.save(update_fields=["pin_hash"])
    return card


# How far ahead staff may move a card's expiry date by hand.
CARD_RENEWAL_MAX_YEARS = 10


@transaction.atomic
def card_renew(*, card_id: int, renewed_by, expires_on: dt.date | None = None) -> MemberCardRenewal:
    """Move a card's expiry date forward, recording who did it and when.

    Without ``expires_on`` the card gets its member type's validity
    (``selectors.card_renewal_expiry_default``). A card marked expired becomes active again,
    unless the member holds another card in play by now. Frozen, lost and replaced cards are
    refused: they are replaced, not renewed.
    """
    if not selectors.card_renew_allowed(user=renewed_by):
        raise PermissionDenied(_("You are not allowed to renew member cards."))
    card = MemberCard.objects.select_for_update().select_related("member_type").get(pk=card_id)
    if not selectors.card_renewable(card=card):
        raise ValidationError(
            _("A %(status)s card cannot be renewed: it is replaced instead.")
            % {"status": card.get_status_shown_display().lower()},
            code="card_not_renewable",
        )
    today = timezone.localdate()
    if expires_on is None:
        expires_on = selectors.card_renewal_expiry_default(card=card, today=today)
    if expires_on <= today:
        raise ValidationError(
            _("Choose an expiry date after today."), code="renewal_date_not_future"
        )
    if expires_on <= card.expires_on:
        raise ValidationError(
            _("Choose an expiry date after the current one (%(date)s).")
            % {"date": card.expires_on},
            code="renewal_date_not_later",
        )
    if expires_on > economy.years_later(day=today, years=CARD_RENEWAL_MAX_YEARS):
        raise ValidationError(
            ngettext(
                "A card can be renewed for at most %(years)s year.",
                "A card can be renewed for at most %(years)s years.",
                CARD_RENEWAL_MAX_YEARS,
            )
            % {"years": CARD_RENEWAL_MAX_YEARS},
            code="renewal_date_too_far",
        )
    if card.status == MemberCard.Status.EXPIRED:
        if MemberCard.objects.current().filter(account_id=card.account_id).exists():
            raise ValidationError(
                _("The member holds another card by now: renew that one instead."),
                code="card_superseded",
            )
        card.status = MemberCard.Status.ACTIVE
    renewal = MemberCardRenewal.objects.create(
        card=card,
        previous_expires_on=card.expires_on,
        expires_on=expires_on,
        renewed_by=renewed_by,
    )
    card.expires_on = expires_on
    card.save(update_fields=["status", "expires_on"])
    admin_logger.info(
        "Card %s renewed by %s until %s", card.number, renewed_by.get_username(), expires_on
    )
    return renewal


# =========================================================================== points ledger


class PointsBalanceInsufficient(ValidationError):
    pass


def _account_lock(*, account_id: int, now: dt.datetime | None = None) -> PointsAccount:
    """Lock the account and move points whose pending period is over into the balance.

    Releasing here (and not in a separate job only) means every service sees the balance a
    member would expect at that moment, and the release happens under the same lock.
    """
    account = PointsAccount.objects.select_for_update().get(pk=account_id)
    now = now or timezone.now()
    due = PointsTransaction.objects.filter(
        account_id=account_id, is_pending=True, available_at__lte=now
    )
    released = due.aggregate(total=Sum("remaining"))["total"] or 0
    if due.exists():
        due.update(is_pending=False)
        account.pending_balance -= released
        account.balance += released
        account.save(update_fields=["balance", "pending_balance", "updated_at"])
    return account


@transaction.atomic
def points_release_due(*, account_id: int) -> int:
    """Make spendable the points whose pending period is over; returns how many."""
    before = PointsAccount.objects.select_for_update().get(pk=account_id).pending_balance
    account = _account_lock(account_id=account_id)
    return before - account.pending_balance


def _credit(
    *,
    account: PointsAccount,
    kind: str,
    points: int,
    available_at: dt.datetime,
    expires_at: dt.datetime | None,
    created_at: dt.datetime | None = None,
    **fields,
) -> PointsTransaction:
    now = timezone.now()
    pending = available_at > now
    movement = PointsTransaction.objects.create(
        account=account,
        kind=kind,
        points=points,
        remaining=points,
        is_pending=pending,
        available_at=available_at,
        expires_at=expires_at,
        created_at=created_at or now,
        **fields,
    )
    if pending:
        account.pending_balance += points
    else:
        account.balance += points
    account.save(update_fields=["balance", "pending_balance", "updated_at"])
    return movement


def _consume(*, credits, points: int) -> tuple[int, dt.datetime | None]:
    """Take up to ``points`` from credits, soonest-expiring first; returns (taken, earliest expiry)."""
    taken = 0
    earliest_expiry = None
    for credit in credits.filter(remaining__gt=0).order_by(
        F("expires_at").asc(nulls_last=True), "created_at", "pk"
    ):
        if taken >= points:
            break
        take = min(credit.remaining, points - taken)
        PointsTransaction.objects.filter(pk=credit.pk).update(remaining=F("remaining") - take)
        taken += take
        if credit.expires_at and (earliest_expiry is None or credit.expires_at < earliest_expiry):
            earliest_expiry = credit.expires_at
    return taken, earliest_expiry


def _spendable_credits(*, account_id: int):
    return PointsTransaction.objects.filter(account_id=account_id, points__gt=0, is_pending=False)


def _debit(*, account: PointsAccount, kind: str, points: int, **fields) -> PointsTransaction:
    taken, earliest_expiry = _consume(
        credits=_spendable_credits(account_id=account.pk), points=points
    )
    if taken != points:
        raise RuntimeError("The balance does not match the ledger's unspent credits.")
    movement = PointsTransaction.objects.create(
        account=account,
        kind=kind,
        points=-points,
        # On a debit: when the soonest of the points it spent would have expired, so a
        # released redemption gives them back with no longer a life than they had.
        expires_at=earliest_expiry,
        available_at=timezone.now(),
        created_at=timezone.now(),
        **fields,
    )
    account.balance -= points
    account.save(update_fields=["balance", "updated_at"])
    return movement


def points_account_for_user(*, user) -> PointsAccount | None:
    card = selectors.card_get_for_user(user=user) if getattr(user, "pk", None) else None
    return card.account if card is not None else None


@transaction.atomic
def points_earn_for_order(*, order_id: int) -> PointsTransaction | None:
    """Credit the points a paid order earns; idempotent per order (a second call returns the row).

    Called from the ``order_paid`` receiver inside the transaction that marked the order paid.
    Orders of customers without a usable card (frozen, lost, expired: ``MemberCard.is_usable``),
    or worth 0 points under the rules, earn nothing.
    """
    existing = PointsTransaction.objects.filter(
        kind=PointsTransaction.Kind.EARN, order_id=order_id
    ).first()
    if existing is not None:
        return existing
    order = Order.objects.select_related("user").get(pk=order_id)
    if order.user_id is None:
        return None
    card = selectors.card_usable_for_user(user=order.user)
    if card is None:
        return None
    account = _account_lock(account_id=card.account_id)
    rules = EarningRules.load()
    points = selectors.order_points_quote(order=order, rules=rules, card=card, account=account)
    if points <= 0:
        return None
    placed = order.date_placed or timezone.now()
    movement = _credit(
        account=account,
        kind=PointsTransaction.Kind.EARN,
        points=points,
        available_at=economy.points_available_at(earned_at=placed, pending_days=rules.pending_days),
        expires_at=economy.points_expire_at(earned_at=placed, expiry_months=rules.expiry_months),
        order=order,
        created_at=timezone.now(),
    )
    if account.points_owed:
        _collect_owed(account=account, credit=movement)
    return movement


def _collect_owed(*, account: PointsAccount, credit: PointsTransaction) -> None:
    """Settle points a refund could not take back, out of the new credit."""
    collect = min(account.points_owed, credit.points)
    PointsTransaction.objects.filter(pk=credit.pk).update(remaining=F("remaining") - collect)
    PointsTransaction.objects.create(
        account=account,
        kind=PointsTransaction.Kind.REVERSE,
        points=-collect,
        available_at=timezone.now(),
        created_at=timezone.now(),
        reason=_("Points owed from an earlier refund"),
        order=credit.order,
    )
    if credit.is_pending:
        account.pending_balance -= collect
    else:
        account.balance -= collect
    account.points_owed -= collect
    account.save(update_fields=["balance", "pending_balance", "points_owed", "updated_at"])


@transaction.atomic
def points_reverse_for_refund(*, refund_id: int) -> PointsTransaction | None:
    """Take back points in proportion to a refund (refunded amount / amount paid).

    Taken from the order's own credit first (pending or not), then from the spendable
    balance; whatever the member already spent is recorded as a shortfall on the row and as
    points owed on the account, settled from later earnings. Idempotent per refund.
    """
    existing = PointsTransaction.objects.filter(
        kind=PointsTransaction.Kind.REVERSE, refund_id=refund_id
    ).first()
    if existing is not None:
        return existing
    refund = OrderRefund.objects.select_related("order").get(pk=refund_id)
    earned = PointsTransaction.objects.filter(
        kind=PointsTransaction.Kind.EARN, order_id=refund.order_id
    ).first()
    if earned is None:
        return None
    account = _account_lock(account_id=earned.account_id)
    earned.refresh_from_db()
    paid = selectors.order_amount_paid(order=refund.order)
    earlier = PointsTransaction.objects.filter(
        kind=PointsTransaction.Kind.REVERSE, order_id=refund.order_id, refund__isnull=False
    ).aggregate(points=Sum("points"), shortfall=Sum("shortfall"))
    # What earlier refunds of this order meant to take back, taken or owed.
    already = -(earlier["points"] or 0) + (earlier["shortfall"] or 0)
    wanted = economy.points_reversed_for_refund(
        earned=earned.points, refunded=refund.amount, paid=paid
    )
    wanted = max(0, min(wanted, earned.points - already))
    if wanted == 0:
        return None
    from_own = min(earned.remaining, wanted)
    if from_own:
        PointsTransaction.objects.filter(pk=earned.pk).update(remaining=F("remaining") - from_own)
        if earned.is_pending:
            account.pending_balance -= from_own
        else:
            account.balance -= from_own
    from_balance, _expiry = _consume(
        credits=_spendable_credits(account_id=account.pk),
        points=min(wanted - from_own, account.balance),
    )
    account.balance -= from_balance
    taken = from_own + from_balance
    shortfall = wanted - taken
    account.points_owed += shortfall
    account.save(update_fields=["balance", "pending_balance", "points_owed", "updated_at"])
    # A refund of points already spent still leaves a row: 0 points, all of it shortfall.
    return PointsTransaction.objects.create(
        account=account,
        kind=PointsTransaction.Kind.REVERSE,
        points=-taken,
        shortfall=shortfall,
        available_at=timezone.now(),
        created_at=timezone.now(),
        order=refund.order,
        refund=refund,
        reason=_("Refund of %(amount)s") % {"amount": currency(refund.amount)},
    )


@transaction.atomic
def points_redeem(
    *,
    account_id: int,
    points: int,
    order_total: Decimal,
    order_id: int | None = None,
    created_by=None,
) -> PointsTransaction:
    """Spend points as a discount on an order worth ``order_total``; all or nothing.

    Refused (with the reason, changing nothing) below the minimum balance, beyond the
    balance, or beyond the maximum share of the order the rules allow.
    """
    if points <= 0:
        raise ValidationError(_("Choose a positive number of points."), code="points_not_positive")
    rules = EarningRules.load()
    account = _account_lock(account_id=account_id)
    if not account.cards.usable().exists():
        raise ValidationError(
            _("Points can only be spent with an active card."), code="card_not_active"
        )
    if account.balance < rules.minimum_balance_to_redeem:
        raise ValidationError(
            _("You need at least %(minimum)s points to redeem them.")
            % {"minimum": rules.minimum_balance_to_redeem},
            code="points_below_minimum",
        )
    if points > account.balance:
        raise PointsBalanceInsufficient(
            ngettext(
                "You have %(balance)s point, fewer than %(points)s.",
                "You have %(balance)s points, fewer than %(points)s.",
                account.balance,
            )
            % {"balance": account.balance, "points": points},
            code="points_insufficient",
        )
    maximum = economy.points_redeemable_maximum(
        order_total=order_total,
        maximum_share_percent=rules.maximum_order_share_percent,
        points_per_cny=rules.points_per_cny_redeemed,
    )
    if points > maximum:
        raise ValidationError(
            _("At most %(maximum)s points can be used on this order.") % {"maximum": maximum},
            code="points_above_order_share",
        )
    return _debit(
        account=account,
        kind=PointsTransaction.Kind.REDEEM,
        points=points,
        order_id=order_id,
        created_by=created_by,
    )


@transaction.atomic
def points_redeem_release(*, redemption_id: int) -> PointsTransaction:
    """Give back the points of a redemption whose order failed or was cancelled (once)."""
    redemption = PointsTransaction.objects.get(pk=redemption_id, kind=PointsTransaction.Kind.REDEEM)
    account = _account_lock(account_id=redemption.account_id)
    existing = PointsTransaction.objects.filter(reverses_id=redemption.pk).first()
    if existing is not None:
        return existing
    return _credit(
        account=account,
        kind=PointsTransaction.Kind.REVERSE,
        points=-redemption.points,
        available_at=timezone.now(),
        expires_at=redemption.expires_at,
        reverses=redemption,
        order_id=redemption.order_id,
        reason=_("Redemption released"),
    )


@transaction.atomic
def points_adjust(*, account_id: int, points: int, reason: str, created_by) -> PointsTransaction:
    """A staff correction with who and why; a debit is refused beyond the balance."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the points are adjusted."), code="reason_missing")
    if created_by is None:
        raise ValidationError(_("An adjustment needs its author."), code="author_missing")
    if points == 0:
        raise ValidationError(_("The adjustment cannot be zero."), code="points_zero")
    account = _account_lock(account_id=account_id)
    if points > 0:
        now = timezone.now()
        return _credit(
            account=account,
            kind=PointsTransaction.Kind.ADJUST,
            points=points,
            available_at=now,
            expires_at=economy.points_expire_at(
                earned_at=now, expiry_months=EarningRules.load().expiry_months
            ),
            created_by=created_by,
            reason=reason,
        )
    if -points > account.balance:
        raise PointsBalanceInsufficient(
            ngettext(
                "The member has only %(balance)s point.",
                "The member has only %(balance)s points.",
                account.balance,
            )
            % {"balance": account.balance},
            code="points_insufficient",
        )
    return _debit(
        account=account,
        kind=PointsTransaction.Kind.ADJUST,
        points=-points,
        created_by=created_by,
        reason=reason,
    )


# Accounts per nightly transaction: short enough locks for members paying meanwhile, few
# enough round trips that the first night after a long history takes seconds, not minutes.
NIGHTLY_ACCOUNTS_PER_BATCH = 500


def _accounts_lock_batch(*, account_ids: list[int], now: dt.datetime) -> dict[int, PointsAccount]:
    """Lock accounts in primary-key order and release their due pending points, set-based.

    The same as ``_account_lock`` for many accounts at once. Locking in ascending pk is the
    stable order: a writer holding one account's lock cannot deadlock with a batch, and two
    batches (a rerun overlapping a slow night) queue behind each other instead.
    """
    accounts = {
        account.pk: account
        for account in PointsAccount.objects.select_for_update()
        .filter(pk__in=account_ids)
        .order_by("pk")
    }
    due = PointsTransaction.objects.filter(
        account_id__in=account_ids, is_pending=True, available_at__lte=now
    )
    released = dict(
        due.values("account_id")
        .order_by()
        .annotate(total=Sum("remaining"))
        .values_list("account_id", "total")
    )
    if released:
        due.update(is_pending=False)
        for account_id, points in released.items():
            accounts[account_id].pending_balance -= points
            accounts[account_id].balance += points
    return accounts


def points_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every unspent credit past its date, oldest first; returns the points expired.

    Nightly. Also releases pending points whose pending period is over.

    Set-based, one transaction per batch of accounts: per batch one UPDATE of the due
    credits, one bulk INSERT of their EXPIRE rows and one bulk UPDATE of the balances,
    instead of two statements per credit (the first night after the demo's history expires
    300,000 credits). Idempotent: an expired credit has nothing remaining.
    """
    now = now or timezone.now()
    # Accounts with points past their pending period are visited too: locking releases
    # them, so balances shown on the lookup page are never stale by more than a night.
    account_ids = sorted(
        PointsTransaction.objects.filter(
            Q(points__gt=0, remaining__gt=0, expires_at__lte=now)
            | Q(is_pending=True, available_at__lte=now)
        )
        .values_list("account_id", flat=True)
        .distinct()
    )
    total = 0
    for first in range(0, len(account_ids), NIGHTLY_ACCOUNTS_PER_BATCH):
        batch = account_ids[first : first + NIGHTLY_ACCOUNTS_PER_BATCH]
        with transaction.atomic():
            total += _points_expire_batch(account_ids=batch, now=now)
    return total


def _points_expire_batch(*, account_ids: list[int], now: dt.datetime) -> int:
    accounts = _accounts_lock_batch(account_ids=account_ids, now=now)
    # Read under the locks: every writer of a credit holds its account's lock first, so the
    # UPDATE below touches exactly the rows read here.
    due = PointsTransaction.objects.filter(
        account_id__in=account_ids,
        points__gt=0,
        remaining__gt=0,
        is_pending=False,
        expires_at__lte=now,
    )
    credits = list(
        due.order_by("account_id", "expires_at", "created_at", "pk").values_list(
            "account_id", "remaining", "created_at"
        )
    )
    due.update(remaining=0)
    expiries = []
    for account_id, remaining, created_at in credits:
        expiries.append(
            PointsTransaction(
                account_id=account_id,
                kind=PointsTransaction.Kind.EXPIRE,
                points=-remaining,
                available_at=now,
                created_at=now,
                reason=_("Expired (earned %(date)s)") % {"date": created_at.date()},
            )
        )
        accounts[account_id].balance -= remaining
    PointsTransaction.objects.bulk_create(expiries, batch_size=1000)
    # auto_now is not applied by bulk_update: stamp it as save() would.
    updated_at = timezone.now()
    for account in accounts.values():
        account.updated_at = updated_at
    PointsAccount.objects.bulk_update(
        accounts.values(), ["balance", "pending_balance", "updated_at"], batch_size=500
    )
    return sum(remaining for _account_id, remaining, _created_at in credits)


# =========================================================================== tiers


@transaction.atomic
def tier_recompute_for_account(
    *, account_id: int, now: dt.datetime | None = None
) -> tuple[Tier | None, Tier | None]:
    """Set the tier from the rolling 12-month spend; returns (old tier, new tier)."""
    account = PointsAccount.objects.select_for_update().get(pk=account_id)
    spend = selectors.account_spend_last_12_months(account_id=account_id, now=now)
    return _account_tier_set(account=account, spend=spend)


def _account_tier_set(*, account: PointsAccount, spend: Decimal) -> tuple[Tier | None, Tier | None]:
    """Store the spend and the tier it qualifies for (the account is locked by the caller)."""
    account_id = account.pk
    old_tier = account.tier
    new_tier = Tier.objects.filter(minimum_spend__lte=spend).order_by("-minimum_spend").first()
    account.spend_last_12_months = spend
    account.tier = new_tier
    account.save(update_fields=["spend_last_12_months", "tier", "updated_at"])
    if new_tier != old_tier:
        from loyalty.tasks import loyalty_tier_change_notify  # tasks import services

        transaction.on_commit(lambda: loyalty_tier_change_notify.delay(account_id))
    return old_tier, new_tier


@transaction.atomic
def tier_change_notify(*, account_id: int) -> bool:
    """Email the member that they moved up or down a tier; once per change.

    Compares the tier with the one last notified, so a retried task or two recomputes of
    the same change send one email. Returns whether an email went out.
    """
    account = (
        PointsAccount.objects.select_for_update()
        .select_related("tier", "tier_notified")
        .get(pk=account_id)
    )
    if account.tier_id == account.tier_notified_id:
        return False
    card = account.cards.usable().filter(user__isnull=False).select_related("user").first()
    sent = False
    if card is not None and card.user.email and account.tier is not None:
        previous = account.tier_notified
        moved_up = previous is None or account.tier.minimum_spend > previous.minimum_spend
        context = {
            "user": card.user,
            "card": card,
            "tier": account.tier,
            "previous_tier": previous,
            "moved_up": moved_up,
            "spend": account.spend_last_12_months,
        }
        send_mail(
            subject=render_to_string("loyalty/emails/tier_changed_subject.txt", context).strip(),
            message=render_to_string("loyalty/emails/tier_changed_body.txt", context),
            from_email=None,
            recipient_list=[card.user.email],
        )
        sent = True
    account.tier_notified = account.tier
    account.save(update_fields=["tier_notified", "updated_at"])
    return sent


def tiers_recompute_all(*, now: dt.datetime | None = None) -> int:
    """Nightly: spend falls out of the 12-month window without any order happening.

    Per batch of accounts (locked in pk order): the spend of all of them from one
    aggregate, a bulk UPDATE of the spends that moved, and for the accounts whose tier
    changes ``_account_tier_set``, the write of ``tier_recompute_for_account``, so a change
    is saved and notified exactly as an order's recompute does (its follow-up is queued when the batch commits). Returns the
    number of tier changes.
    """
    now = now or timezone.now()
    tiers = list(Tier.objects.order_by("-minimum_spend"))
    account_ids = list(PointsAccount.objects.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for first in range(0, len(account_ids), NIGHTLY_ACCOUNTS_PER_BATCH):
        batch = account_ids[first : first + NIGHTLY_ACCOUNTS_PER_BATCH]
        with transaction.atomic():
            changed += _tiers_recompute_batch(account_ids=batch, tiers=tiers, now=now)
    return changed


def _tiers_recompute_batch(*, account_ids: list[int], tiers: list[Tier], now: dt.datetime) -> int:
    accounts = list(
        PointsAccount.objects.select_for_update().filter(pk__in=account_ids).order_by("pk")
    )
    spends = selectors.accounts_spend_last_12_months(now=now, account_ids=account_ids)
    spend_moved = []
    changed = 0
    updated_at = timezone.now()
    for account in accounts:
        spend = spends.get(account.pk, Decimal("0.00"))
        # Tiers sorted by threshold, highest first: the same pick as the per-account query.
        new_tier = next((tier for tier in tiers if tier.minimum_spend <= spend), None)
        if account.tier_id != (new_tier.pk if new_tier else None):
            # The same write and notice as an order's recompute, with the spend read above
            # under this batch's lock (reading it again per account cost ~70 ms each).
            old_tier, new_tier = _account_tier_set(account=account, spend=spend)
            changed += old_tier != new_tier
        elif account.spend_last_12_months != spend:
            account.spend_last_12_months = spend
            account.updated_at = updated_at
            spend_moved.append(account)
    PointsAccount.objects.bulk_update(
        spend_moved, ["spend_last_12_months", "updated_at"], batch_size=500
    )
    return changed


# =========================================================================== card + PIN lookup

CARD_LOOKUP_MAX_FAILURES = 5
CARD_LOOKUP_LOCK_SECONDS = 15 * 60


def _lookup_failure_keys(*, number: str, ip: str) -> list[str]:
    # Per card (a thief trying PINs from many places) and per IP (one place trying many cards).
    return [f"loyalty:pin-failures:card:{number}", f"loyalty:pin-failures:ip:{ip}"]


def card_authenticate(*, number: str, pin: str, ip: str) -> MemberCard:
    """Card number + PIN, for the lookup page and for claiming a card.

    Five wrong PINs lock the card, and the IP address, out for 15 minutes; the counters live
    in the cache (Redis in production) so every web worker shares them.
    """
    number = economy.card_number_normalize(number=number)
    keys = _lookup_failure_keys(number=number, ip=ip or "unknown")
    locked_message = _(
        "Too many wrong PINs: card lookup is locked for 15 minutes. Please try again later."
    )
    # Counted before the PIN is checked, so that PINs sent together cannot all slip in before
    # the first wrong one is counted; the lock runs for 15 minutes from the last try.
    attempts = throttle_attempt_claim(
        keys=keys, limit=CARD_LOOKUP_MAX_FAILURES, window_seconds=CARD_LOOKUP_LOCK_SECONDS
    )
    if attempts is None:
        raise ValidationError(locked_message, code="lookup_locked")
    card = (
        MemberCard.objects.select_related("account__tier", "member_type")
        .filter(number=number)
        .first()
        if economy.luhn_is_valid(number=number)
        else None
    )
    if card is None or not check_password(pin or "", card.pin_hash):
        if attempts >= CARD_LOOKUP_MAX_FAILURES:
            raise ValidationError(locked_message, code="lookup_locked")
        raise ValidationError(
            ngettext(
                "The card number and PIN do not match (%(left)s try left).",
                "The card number and PIN do not match (%(left)s tries left).",
                CARD_LOOKUP_MAX_FAILURES - attempts,
            )
            % {"left": CARD_LOOKUP_MAX_FAILURES - attempts},
            code="card_pin_mismatch",
        )
    # The right PIN is no failure: the address gets its try back, the card forgets them all.
    throttle_attempt_release(keys=keys[1:])
    throttle_clear(keys=keys[:1])
    if card.status == MemberCard.Status.REPLACED:
        raise ValidationError(
            _("This card was replaced: please use your new card."), code="card_replaced"
        )
    if card.status in (MemberCard.Status.LOST, MemberCard.Status.FROZEN):
        raise ValidationError(
            _("This card is frozen. Please ask at the store desk."), code="card_frozen"
        )
    return card


def card_sign_in_user(*, number: str, pin: str, ip: str):
    """The customer account a member signs in to with card number + PIN (the login forms).

    The PIN is checked by ``card_authenticate``, so the card's own failure counter (per card,
    from any address) guards a 4-digit PIN on the login form as it does on the lookup page.
    Only a usable card signs in (``MemberCard.is_usable``: active and in date). Staff accounts
    are never opened with a PIN: their privileges need their password.
    """
    card = card_authenticate(number=number, pin=pin, ip=ip)
    if not card.is_usable():
        # The lookup still shows an expired card's history; signing in takes a usable card.
        raise ValidationError(
            _("This card cannot sign in. %(reason)s")
            % {"reason": selectors.card_unusable_reason(card=card)},
            code="card_not_usable",
        )
    user = card.user
    if user is None:
        raise ValidationError(
            _(
                "This card is not linked to an online account yet. Register with your email "
                "address, then link the card on your account page."
            ),
            code="card_unclaimed",
        )
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            _("Staff accounts sign in with their password, not with a member card."),
            code="card_staff_account",
        )
    if not user.is_active:
        raise ValidationError(
            _("The account of this card is closed. Please ask at the store desk."),
            code="card_account_inactive",
        )
    return user


# =========================================================================== marketing admin

admin_logger = logging.getLogger("loyalty.admin")

# Called as fn(actor=user, what=str, detail=dict) whenever members' personal data leaves.
PERSONAL_DATA_EXPORTED_HOOK = "personal_data_exported"


@transaction.atomic
def points_adjust_by_staff(*, account_id: int, points: int, reason: str, user) -> PointsTransaction:
    """The admin's adjustment: the permission is checked here, not only in the view."""
    if not selectors.points_adjust_allowed(user=user):
        raise PermissionDenied(_("You are not allowed to adjust points."))
    return points_adjust(account_id=account_id, points=points, reason=reason, created_by=user)


def members_export_record(*, user, filters: dict, row_count: int, export_format: str) -> None:
    """Who exported which members and when.

    Python's log always gets a line. The privacy record of personal-data exports is kept by
    whichever app registers the ``PERSONAL_DATA_EXPORTED_HOOK`` Wagtail hook (crm's privacy
    log, beside its own exports and merges), so there is one such record, not one per app.
    """
    from wagtail import hooks

    admin_logger.info(
        "Member export by %s (id %s): %s rows as %s, filters %s",
        user.get_username(),
        user.pk,
        row_count,
        export_format,
        filters,
    )
    for record_export in hooks.get_hooks(PERSONAL_DATA_EXPORTED_HOOK):
        record_export(
            actor=user,
            what="loyalty members",
            detail={"filters": filters, "row_count": row_count, "format": export_format},
        )


# --------------------------------------------------------------------------- CSV import of cards

CARDS_IMPORT_COLUMNS = (
    "card_number",
    "member_type",
    "name",
    "email",
    "campus_id",
    "issued_on",
    "expires_on",
    "pin",
)
CARDS_IMPORT_REQUIRED_COLUMNS = ("member_type",)
CARDS_IMPORT_MAX_ROWS = 5000
CARDS_IMPORT_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class CardImportError:
    row: int  # the line in the file, header = 1
    column: str
    message: str


@dataclass
class CardImportRow:
    row: int
    card_number: str
    member_type_code: str
    first_name: str
    last_name: str
    email: str
    campus_id: str
    issued_on: dt.date | None
    expires_on: dt.date | None
    pin: str
    pin_generated: bool


@dataclass
class CardImportResult:
    rows: list[CardImportRow]
    errors: list[CardImportError]
    dry_run: bool
    cards: list[MemberCard]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> int:
        return 0 if self.dry_run or self.errors else len(self.cards)


def _import_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _cards_import_parse(*, content: bytes) -> tuple[list[CardImportRow], list[CardImportError]]:
    """Read and check every row; nothing is written here."""
    errors: list[CardImportError] = []
    if len(content) > CARDS_IMPORT_MAX_BYTES:
        return [], [CardImportError(0, "", _("The file is larger than 2 MB."))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [CardImportError(0, "", _("The file is not UTF-8 text."))]
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in CARDS_IMPORT_REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in CARDS_IMPORT_COLUMNS]
    for column in missing:
        errors.append(CardImportError(1, column, _("This column is missing.")))
    for column in unknown:
        errors.append(CardImportError(1, column, _("Unknown column.")))
    if errors:
        return [], errors

    member_types = set(MemberType.objects.values_list("code", flat=True))
    rows: list[CardImportRow] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_campus_ids: dict[str, int] = {}
    today = timezone.localdate()
    for line_number, raw in enumerate(reader, start=2):
        if line_number - 1 > CARDS_IMPORT_MAX_ROWS:
            errors.append(
                CardImportError(
                    line_number,
                    "",
                    _("At most %(max)s rows per file.") % {"max": CARDS_IMPORT_MAX_ROWS},
                )
            )
            break
        if None in raw:
            errors.append(CardImportError(line_number, "", _("This row has too many values.")))
            continue
        values = {column: (raw.get(column) or "").strip() for column in CARDS_IMPORT_COLUMNS}
        if not any(values.values()):
            continue  # a blank line

        def error(column: str, message: str, line: int = line_number) -> None:
            errors.append(CardImportError(line, column, message))

        number = economy.card_number_normalize(number=values["card_number"])
        if values["card_number"]:
            if not economy.card_number_is_valid(number=number):
                error("card_number", _("Not a valid card number (16 digits, check digit)."))
            elif number in seen_numbers:
                error(
                    "card_number",
                    _("Card number repeated (first on row %(row)s).")
                    % {"row": seen_numbers[number]},
                )
            else:
                seen_numbers[number] = line_number
        if not values["member_type"]:
            error("member_type", _("A member type is required."))
        elif values["member_type"] not in member_types:
            error(
                "member_type",
                _("Unknown member type “%(code)s”.") % {"code": values["member_type"]},
            )
        email = values["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error("email", _("Not a valid email address."))
            else:
                if email in seen_emails:
                    error(
                        "email",
                        _("Email repeated (first on row %(row)s).") % {"row": seen_emails[email]},
                    )
                else:
                    seen_emails[email] = line_number
        elif values["name"]:
            error("name", _("A name needs an email: it is stored on the customer account."))
        campus_id = values["campus_id"]
        if len(campus_id) > 64:
            error("campus_id", _("At most 64 characters."))
        elif campus_id:
            if campus_id in seen_campus_ids:
                error(
                    "campus_id",
                    _("Campus ID repeated (first on row %(row)s).")
                    % {"row": seen_campus_ids[campus_id]},
                )
            else:
                seen_campus_ids[campus_id] = line_number
        dates: dict[str, dt.date | None] = {}
        for column in ("issued_on", "expires_on"):
            dates[column] = None
            if values[column]:
                try:
                    dates[column] = _import_date(values[column])
                except ValueError:
                    error(column, _("Not a date: write it as YYYY-MM-DD."))
        issued_on = dates["issued_on"] or today
        if dates["expires_on"] and dates["expires_on"] < issued_on:
            error("expires_on", _("The card would expire before it is issued."))
        pin = values["pin"]
        if pin and not CARD_PIN_PATTERN.fullmatch(pin):
            error("pin", _("A PIN is 4 to 8 digits."))
        first_name, _space, last_name = values["name"].partition(" ")
        rows.append(
            CardImportRow(
                row=line_number,
                card_number=number,
                member_type_code=values["member_type"],
                first_name=first_name,
                last_name=last_name.strip(),
                email=email,
                campus_id=campus_id,
                issued_on=dates["issued_on"],
                expires_on=dates["expires_on"],
                pin=pin or f"{secrets.randbelow(10**6):06d}",
                pin_generated=not pin,
            )
        )
    if not rows and not errors:
        errors.append(CardImportError(0, "", _("The file has no rows to import.")))

    # What is already in the database, in three queries rather than three per row.
    taken_numbers = set(
        MemberCard.objects.filter(number__in=seen_numbers).values_list("number", flat=True)
    )
    current = MemberCard.objects.current()
    campus_ids_with_card = set(
        current.filter(campus_id__in=seen_campus_ids).values_list("campus_id", flat=True)
    )
    emails_with_card = {
        e.lower()
        for e in current.filter(user__email__in=seen_emails).values_list("user__email", flat=True)
    }
    for row in rows:
        if row.card_number in taken_numbers:
            errors.append(
                CardImportError(row.row, "card_number", _("This card number is already in use."))
            )
        if row.campus_id in campus_ids_with_card:
            errors.append(
                CardImportError(
                    row.row, "campus_id", _("A member with this campus ID already holds a card.")
                )
            )
        if row.email in emails_with_card:
            errors.append(
                CardImportError(
                    row.row, "email", _("The customer with this email already holds a card.")
                )
            )
    errors.sort(
        key=lambda e: (
            e.row,
            CARDS_IMPORT_COLUMNS.index(e.column) if e.column in CARDS_IMPORT_COLUMNS else -1,
        )
    )
    return rows, errors


def _import_customer(*, row: CardImportRow):
    """The customer account the card is linked to: found by email, else created."""
    if not row.email:
        return None
    User = get_user_model()
    user = User.objects.filter(email__iexact=row.email).order_by("pk").first()
    if user is None:
        generate_username = get_class("customer.forms", "generate_username")
        user = User.objects.create(
            username=generate_username(),
            email=row.email,
            first_name=row.first_name[:150],
            last_name=row.last_name[:150],
            # The member signs in with the campus login or resets a password by email.
            password=make_password(None),
        )
    return user


def cards_import_csv(*, content: bytes, dry_run: bool, user) -> CardImportResult:
    """Issue a card per CSV row, all or nothing.

    Every row is checked before the first write and the whole file is one transaction, so a
    bad row, or a refusal by ``card_issue`` itself, leaves no card behind. A dry run goes
    through the same writes and rolls them back, so its preview is what the import would do.
    """
    if not selectors.cards_import_allowed(user=user):
        raise PermissionDenied(_("You are not allowed to import cards."))
    rows, errors = _cards_import_parse(content=content)
    if errors:
        return CardImportResult(rows=rows, errors=errors, dry_run=dry_run, cards=[])
    cards: list[MemberCard] = []
    with transaction.atomic():
        for row in rows:
            try:
                card = card_issue(
                    member_type_code=row.member_type_code,
                    pin=row.pin,
                    user=_import_customer(row=row),
                    campus_id=row.campus_id,
                    number=row.card_number or None,
                    issued_on=row.issued_on,
                )
                if row.expires_on is not None:
                    card.expires_on = row.expires_on
                    card.save(update_fields=["expires_on"])
            except ValidationError as error:
                transaction.set_rollback(True)
                return CardImportResult(
                    rows=rows,
                    errors=[CardImportError(row.row, "", message) for message in error.messages],
                    dry_run=dry_run,
                    cards=[],
                )
            cards.append(card)
        if dry_run:
            transaction.set_rollback(True)
        else:
            admin_logger.info("Card import by %s: %s cards", user.get_username(), len(cards))
    return CardImportResult(rows=rows, errors=[], dry_run=dry_run, cards=cards)


# =========================================================================== points at checkout


class PointsRedemptionRefused(ValidationError):
    """Points could not be held for an order: the order must not be placed."""


@transaction.atomic
def points_redemption_choose(
    *, user, basket, points: int, goods_value: Decimal
) -> BasketPointsRedemption | None:
    """Record how many points the member wants to spend on ``basket``; 0 removes the choice.

    Nothing is held here: the points are taken when the order is placed. Every refusal
    raises ValidationError with the reason and leaves the earlier choice as it was.
    """
    if not getattr(user, "is_authenticated", False) or basket.owner_id != user.pk:
        raise ValidationError(_("Sign in to spend your points."), code="not_signed_in")
    if points is None or isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError(_("Enter a whole number of points."), code="points_not_integer")
    if points < 0:
        raise ValidationError(_("Enter a number of points of 0 or more."), code="points_negative")
    if points == 0:
        BasketPointsRedemption.objects.filter(basket=basket).delete()
        return None
    card = selectors.card_get_for_user(user=user)
    if card is None:
        raise ValidationError(
            _("Link a member card to your account to spend points."), code="no_card"
        )
    if not card.is_usable():
        raise ValidationError(selectors.card_unusable_reason(card=card), code="card_not_active")
    rules = EarningRules.load()
    balance = card.account.balance
    if balance < rules.minimum_balance_to_redeem:
        raise ValidationError(
            _("You need at least %(minimum)s points to redeem them.")
            % {"minimum": rules.minimum_balance_to_redeem},
            code="points_below_minimum",
        )
    if points > balance:
        raise ValidationError(
            ngettext(
                "You have %(balance)s point, fewer than %(points)s.",
                "You have %(balance)s points, fewer than %(points)s.",
                balance,
            )
            % {"balance": balance, "points": points},
            code="points_insufficient",
        )
    maximum = economy.points_redeemable_maximum(
        order_total=goods_value,
        maximum_share_percent=rules.maximum_order_share_percent,
        points_per_cny=rules.points_per_cny_redeemed,
    )
    if points > maximum:
        raise ValidationError(
            _("At most %(maximum)s points can be used on this order.") % {"maximum": maximum},
            code="points_above_order_share",
        )
    if selectors.points_discount_value(points=points, rules=rules) <= 0:
        raise ValidationError(
            ngettext(
                "%(points)s point is worth less than 0.01: choose more.",
                "%(points)s points are worth less than 0.01: choose more.",
                points,
            )
            % {"points": points},
            code="points_worth_nothing",
        )
    choice, _created = BasketPointsRedemption.objects.update_or_create(
        basket=basket, defaults={"points": points}
    )
    return choice


@transaction.atomic
def points_redeem_for_order(
    *, order_id: int, discount: Decimal, goods_value: Decimal
) -> PointsTransaction:
    """Hold the points behind the points discount of a just-written order (once per order).

    Called from the points offer's ``apply_deferred`` inside Oscar's order transaction, so
    a refusal (balance spent elsewhere, card frozen since the choice) raises
    PointsRedemptionRefused and no order exists without its points.
    """
    existing = selectors.order_points_redemption(order_id=order_id)
    if existing is not None:
        return existing
    order = Order.objects.select_related("user").get(pk=order_id)
    card = selectors.card_usable_for_user(user=order.user) if order.user_id else None
    if card is None:
        raise PointsRedemptionRefused(
            _("Points can only be spent with an active card."), code="card_not_active"
        )
    rules = EarningRules.load()
    points = economy.money_points_cost(
        amount=discount, points_per_cny=rules.points_per_cny_redeemed
    )
    try:
        with transaction.atomic():
            return points_redeem(
                account_id=card.account_id,
                points=points,
                order_total=goods_value,
                order_id=order.pk,
                created_by=order.user,
            )
    except PointsRedemptionRefused:
        raise
    except ValidationError as exc:
        raise PointsRedemptionRefused(
            _("Your points could not be used: %(reason)s") % {"reason": exc.messages[0]},
            code="points_redemption_refused",
        ) from exc


def points_redeem_release_for_order(*, order_id: int) -> PointsTransaction | None:
    """Give back the points an order held (cancelled, or fully refunded); once."""
    redemption = selectors.order_points_redemption(order_id=order_id)
    if redemption is None:
        return None
    return points_redeem_release(redemption_id=redemption.pk)


# =========================================================================== bonuses


BIRTHDAY_MINIMUM_ACCOUNT_AGE = dt.timedelta(days=30)
# A birthday missed by a beat run (worker down) is still celebrated within this many days.
BIRTHDAY_CATCH_UP_DAYS = 7
REFERRAL_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERRAL_CODE_LENGTH = 8


def _bonus_credit(
    *, account: PointsAccount, points: int, bonus_type: str, reason: str, **cause
) -> PointsTransaction:
    now = timezone.now()
    return _credit(
        account=account,
        kind=PointsTransaction.Kind.BONUS,
        points=points,
        available_at=now,
        expires_at=economy.points_expire_at(
            earned_at=now, expiry_months=EarningRules.load().expiry_months
        ),
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
    account = _account_lock(account_id=card.account_id)
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
    from shop.apps.order.services import PAID_STATUSES

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
    if Order.objects.filter(user=newcomer, status__in=PAID_STATUSES).exists():
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
    from shop.apps.order.services import PAID_STATUSES

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
    earlier_paid = (
        Order.objects.filter(user_id=order.user_id, status__in=PAID_STATUSES)
        .exclude(pk=order.pk)
        .exists()
    )
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
        account = _account_lock(account_id=card.account_id)
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


# =========================================================================== expiry reminders


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


# =========================================================================== PIN reset by email

PIN_RESET_SALT = "loyalty.card-pin-reset"
PIN_RESET_MAX_AGE_SECONDS = 60 * 60
PIN_RESET_MAX_REQUESTS = 5


def _pin_reset_fingerprint(*, card: MemberCard) -> str:
    # Changes with the PIN: a link stops working once it was used (single use) and when
    # the PIN was changed some other way.
    return salted_hmac(PIN_RESET_SALT, f"{card.pk}:{card.pin_hash}").hexdigest()[:32]


def card_pin_reset_token_make(*, card: MemberCard) -> str:
    return signing.dumps(
        {"card": card.pk, "fingerprint": _pin_reset_fingerprint(card=card)}, salt=PIN_RESET_SALT
    )


def card_pin_reset_card_for_token(*, token: str, for_update: bool = False) -> MemberCard:
    """The card a reset link is for; ValidationError if forged, expired or already used."""
    invalid = ValidationError(
        _(
            "This PIN reset link is invalid, has expired or was already used. "
            "Please ask for a new one."
        ),
        code="pin_reset_link_invalid",
    )
    try:
        data = signing.loads(token, salt=PIN_RESET_SALT, max_age=PIN_RESET_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise invalid from exc
    cards = MemberCard.objects.select_for_update() if for_update else MemberCard.objects
    card = cards.filter(pk=data.get("card")).first()
    if (
        card is None
        or card.status == MemberCard.Status.REPLACED
        or not constant_time_compare(
            _pin_reset_fingerprint(card=card), str(data.get("fingerprint", ""))
        )
    ):
        raise invalid
    return card


def card_pin_reset_request(*, number: str, ip: str, link_for_token: Callable[[str], str]) -> None:
    """Email a reset link to the card holder's address, if there is one; silent otherwise.

    The caller shows the same answer whatever happened, so the page does not tell which
    card numbers exist or have an email. Throttled like the lookup: five requests per card
    and per IP address in 15 minutes.
    """
    number = economy.card_number_normalize(number=number)
    keys = [f"loyalty:pin-reset:card:{number}", f"loyalty:pin-reset:ip:{ip or 'unknown'}"]
    if throttle_is_locked(keys=keys, limit=PIN_RESET_MAX_REQUESTS):
        raise ValidationError(
            _("Too many PIN reset requests: please try again in 15 minutes."),
            code="pin_reset_locked",
        )
    throttle_failure_record(
        keys=keys, limit=PIN_RESET_MAX_REQUESTS, window_seconds=CARD_LOOKUP_LOCK_SECONDS
    )
    if not economy.luhn_is_valid(number=number):
        return
    card = (
        MemberCard.objects.current()
        .select_related("user")
        .filter(number=number, user__isnull=False)
        .first()
    )
    if card is None or not card.user.email:
        return
    context = {
        "user": card.user,
        "card": card,
        "link": link_for_token(card_pin_reset_token_make(card=card)),
        "hours": PIN_RESET_MAX_AGE_SECONDS // 3600,
    }
    send_mail(
        subject=render_to_string("loyalty/emails/pin_reset_subject.txt", context).strip(),
        message=render_to_string("loyalty/emails/pin_reset_body.txt", context),
        from_email=None,
        recipient_list=[card.user.email],
    )


@transaction.atomic
def card_pin_reset_confirm(*, token: str, new_pin: str) -> MemberCard:
    """Set a new PIN from a reset link; the link is dead afterwards (the PIN hash changed)."""
    # Checked under the card's lock: of two tabs posting the same link, one wins.
    card = card_pin_reset_card_for_token(token=token, for_update=True)
    _pin_validate(pin=new_pin)
    card.pin_hash = make_password(new_pin)
    card.save(update_fields=["pin_hash"])
    # A member who forgot the PIN has probably locked the lookup trying: unlock the card.
    throttle_clear(keys=_lookup_failure_keys(number=card.number, ip="")[:1])
    return card
