"""Write-side services for loyalty: the campus-card wallet, member cards and the points ledger.

Every movement locks the wallet row (select_for_update), checks the new balance, writes one
append-only WalletTransaction and updates the balance, all in one transaction, so the
balance always equals the sum of the ledger and concurrent payments cannot overdraw it
(the CHECK constraint is the last line of defence, not the first).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from loyalty import selectors
from loyalty.models import (
    CARD_NUMBER_LENGTH,
    CARD_NUMBER_PREFIX,
    EarningRules,
    MemberCard,
    MemberType,
    PointsAccount,
    PointsTransaction,
    Tier,
    Wallet,
    WalletTransaction,
    luhn_check_digit,
    luhn_is_valid,
)
from shop.apps.payment import stripe_gateway

# Top-up choices offered as buttons, and the bounds of a custom amount.
WALLET_TOP_UP_PRESETS = (Decimal("50.00"), Decimal("100.00"), Decimal("200.00"))
WALLET_TOP_UP_MIN = Decimal("10.00")
WALLET_TOP_UP_MAX = Decimal("2000.00")
# A wallet may not hold more than this: stored value is a liability of the shop.
WALLET_BALANCE_MAX = Decimal("5000.00")
WALLET_TOP_UP_METADATA_KIND = "wallet_top_up"

CENT = Decimal("0.01")

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")


class WalletBalanceInsufficient(ValidationError):
    pass


@dataclass(frozen=True)
class WalletTopUpResult:
    payment_intent: stripe_gateway.PaymentIntentResult
    transaction: WalletTransaction | None


def _money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def _wallet_move(
    *,
    wallet_id: int,
    kind: str,
    amount: Decimal,
    created_by=None,
    note: str = "",
    **links,
) -> WalletTransaction:
    wallet = Wallet.objects.select_for_update().get(pk=wallet_id)
    new_balance = wallet.balance + amount
    if new_balance < 0:
        raise WalletBalanceInsufficient(
            _("Your campus-card balance (%(balance)s) does not cover %(amount)s.")
            % {"balance": wallet.balance, "amount": -amount},
            code="wallet_balance_insufficient",
        )
    if amount > 0 and new_balance > WALLET_BALANCE_MAX:
        raise ValidationError(
            _("A campus card can hold at most %(max)s.") % {"max": WALLET_BALANCE_MAX},
            code="wallet_balance_max",
        )
    movement = WalletTransaction.objects.create(
        wallet=wallet,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        created_by=created_by,
        note=note,
        **links,
    )
    wallet.balance = new_balance
    wallet.save(update_fields=["balance", "updated_at"])
    return movement


@transaction.atomic
def wallet_get_or_create_for_user(*, user) -> Wallet:
    wallet, _created = Wallet.objects.get_or_create(user=user)
    return wallet


@transaction.atomic
def wallet_top_up(
    *, wallet_id: int, amount: Decimal, payment_intent_id: str, created_by=None
) -> WalletTransaction:
    """Credit a top-up paid by the card PaymentIntent ``payment_intent_id``.

    Idempotent on the PaymentIntent: the browser return and the webhook both call this, and
    whichever comes second gets the existing row back.
    """
    existing = WalletTransaction.objects.filter(
        kind=WalletTransaction.Kind.TOP_UP, payment_intent_id=payment_intent_id
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _wallet_move(
                wallet_id=wallet_id,
                kind=WalletTransaction.Kind.TOP_UP,
                amount=_money(amount),
                payment_intent_id=payment_intent_id,
                created_by=created_by,
            )
    except IntegrityError:
        # Lost a race with the other caller for the same PaymentIntent.
        return WalletTransaction.objects.get(
            kind=WalletTransaction.Kind.TOP_UP, payment_intent_id=payment_intent_id
        )


@transaction.atomic
def wallet_pay_order(
    *, wallet_id: int, amount: Decimal, order_id: int, created_by=None
) -> WalletTransaction:
    """Debit ``amount`` for an order; raises WalletBalanceInsufficient and changes nothing if short."""
    if amount <= 0:
        raise ValidationError(_("The amount to pay must be positive."), code="amount_not_positive")
    return _wallet_move(
        wallet_id=wallet_id,
        kind=WalletTransaction.Kind.ORDER_PAYMENT,
        amount=-_money(amount),
        order_id=order_id,
        created_by=created_by,
    )


@transaction.atomic
def wallet_refund(
    *, wallet_id: int, amount: Decimal, order_id: int, refund_id: int, created_by=None
) -> WalletTransaction:
    """Credit a refund of a wallet-paid order back to the wallet (once per refund)."""
    if amount <= 0:
        raise ValidationError(
            _("The amount to refund must be positive."), code="amount_not_positive"
        )
    existing = WalletTransaction.objects.filter(
        kind=WalletTransaction.Kind.ORDER_REFUND, refund_id=refund_id
    ).first()
    if existing is not None:
        return existing
    wallet = Wallet.objects.select_for_update().get(pk=wallet_id)
    movement = WalletTransaction.objects.create(
        wallet=wallet,
        kind=WalletTransaction.Kind.ORDER_REFUND,
        amount=_money(amount),
        balance_after=wallet.balance + _money(amount),
        order_id=order_id,
        refund_id=refund_id,
        created_by=created_by,
    )
    # No WALLET_BALANCE_MAX check: money that came from the wallet always goes back to it.
    wallet.balance += _money(amount)
    wallet.save(update_fields=["balance", "updated_at"])
    return movement


@transaction.atomic
def wallet_adjust(*, wallet_id: int, amount: Decimal, created_by, note: str) -> WalletTransaction:
    """A staff correction, with who and why; refused if it would make the balance negative."""
    if not note.strip():
        raise ValidationError(_("Say why the balance is adjusted."), code="note_missing")
    if amount == 0:
        raise ValidationError(_("The adjustment cannot be zero."), code="amount_zero")
    return _wallet_move(
        wallet_id=wallet_id,
        kind=WalletTransaction.Kind.ADJUSTMENT,
        amount=_money(amount),
        created_by=created_by,
        note=note.strip(),
    )


def wallet_top_up_amount_validate(*, amount: Decimal | None) -> Decimal:
    if amount is None:
        raise ValidationError(_("Choose or enter an amount to top up."), code="amount_missing")
    amount = _money(amount)
    if not WALLET_TOP_UP_MIN <= amount <= WALLET_TOP_UP_MAX:
        raise ValidationError(
            _("Top-ups must be between %(min)s and %(max)s.")
            % {"min": WALLET_TOP_UP_MIN, "max": WALLET_TOP_UP_MAX},
            code="amount_out_of_range",
        )
    return amount


def wallet_top_up_by_card(
    *, wallet_id: int, amount: Decimal, payment_method_id: str, request_token: str, user=None
) -> WalletTopUpResult:
    """Charge a card for a top-up and credit the wallet once the payment succeeded.

    Not atomic on purpose: the Stripe call must not hold a database transaction open.
    ``request_token`` is a one-off token rendered into the form, so a double-submitted form
    reuses the idempotency key and real Stripe charges once. A card that needs 3-D Secure
    comes back with ``transaction=None`` and is credited by the return page or the webhook.
    """
    amount = wallet_top_up_amount_validate(amount=amount)
    wallet = Wallet.objects.get(pk=wallet_id)
    if wallet.balance + amount > WALLET_BALANCE_MAX:
        raise ValidationError(
            _("A campus card can hold at most %(max)s.") % {"max": WALLET_BALANCE_MAX},
            code="wallet_balance_max",
        )
    if not stripe_gateway.is_payment_method_id(payment_method_id):
        raise ValidationError(_("Please enter your card details."), code="payment_method_missing")
    payment_intent = stripe_gateway.payment_intent_create(
        amount=amount,
        currency=wallet.currency,
        payment_method_id=payment_method_id,
        idempotency_key=f"wallet-top-up-{wallet.pk}-{request_token}",
        metadata={"kind": WALLET_TOP_UP_METADATA_KIND, "wallet_id": str(wallet.pk)},
    )
    movement = None
    if payment_intent.succeeded:
        movement = wallet_top_up_from_payment_intent(payment_intent=payment_intent, created_by=user)
    return WalletTopUpResult(payment_intent=payment_intent, transaction=movement)


def wallet_top_up_from_payment_intent(
    *, payment_intent: stripe_gateway.PaymentIntentResult, created_by=None
) -> WalletTransaction | None:
    """Credit a succeeded top-up PaymentIntent (from the return page or the webhook)."""
    if (
        payment_intent.metadata.get("kind") != WALLET_TOP_UP_METADATA_KIND
        or not payment_intent.succeeded
    ):
        return None
    # The amount is the one Stripe charged, never one a client posted.
    return wallet_top_up(
        wallet_id=int(payment_intent.metadata["wallet_id"]),
        amount=payment_intent.amount,
        payment_intent_id=payment_intent.id,
        created_by=created_by,
    )


# =========================================================================== member cards

CARD_PIN_PATTERN = re.compile(r"\d{4,8}")
CARD_VALID_YEARS = 4
# Cards nothing may be done with until they are replaced (a lost card is frozen).
CARD_BLOCKED_STATUSES = frozenset(
    {MemberCard.Status.FROZEN, MemberCard.Status.LOST, MemberCard.Status.REPLACED}
)


def card_number_normalize(*, number: str) -> str:
    """Cashiers and members type card numbers with spaces or dashes; compare digits only."""
    return "".join(ch for ch in (number or "") if ch.isdigit())


def card_number_for_serial(*, serial: int) -> str:
    if not 0 <= serial < 10 ** (CARD_NUMBER_LENGTH - len(CARD_NUMBER_PREFIX) - 1):
        raise ValidationError(_("Card serial out of range."), code="card_serial_out_of_range")
    body = f"{CARD_NUMBER_PREFIX}{serial:0{CARD_NUMBER_LENGTH - len(CARD_NUMBER_PREFIX) - 1}d}"
    return body + luhn_check_digit(body)


def _pin_validate(*, pin: str) -> None:
    if not CARD_PIN_PATTERN.fullmatch(pin or ""):
        raise ValidationError(_("A PIN is 4 to 8 digits."), code="pin_invalid")


def years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _card_number_new() -> str:
    serial_digits = CARD_NUMBER_LENGTH - len(CARD_NUMBER_PREFIX) - 1
    for _attempt in range(10):
        number = card_number_for_serial(serial=secrets.randbelow(10**serial_digits))
        if not MemberCard.objects.filter(number=number).exists():
            return number
    raise RuntimeError("Could not find a free card number in 10 attempts.")


def _user_usable_card(*, user) -> MemberCard | None:
    return (
        MemberCard.objects.filter(user=user)
        .exclude(status__in=[MemberCard.Status.REPLACED, MemberCard.Status.EXPIRED])
        .first()
    )


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
    if user is not None and _user_usable_card(user=user) is not None:
        raise ValidationError(_("This customer already holds a member card."), code="user_has_card")
    number = card_number_normalize(number=number) if number else _card_number_new()
    if MemberCard.objects.filter(number=number).exists():
        raise ValidationError(_("This card number is already in use."), code="card_number_taken")
    issued_on = issued_on or timezone.localdate()
    card = MemberCard(
        number=number,
        member_type=member_type,
        account=_account_new(),
        pin_hash=make_password(pin),
        issued_on=issued_on,
        expires_on=years_later(issued_on, CARD_VALID_YEARS),
        user=user,
        campus_id=campus_id,
    )
    card.full_clean(exclude=["account", "member_type", "user", "replaced_by"])
    card.save()
    return card


@transaction.atomic
def card_claim(*, user, number: str, pin: str) -> MemberCard:
    """Link a card that was issued in store to the logged-in account (card number + PIN)."""
    number = card_number_normalize(number=number)
    if not luhn_is_valid(number):
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
    if card.status != MemberCard.Status.ACTIVE:
        raise ValidationError(
            _("This card is %(status)s and cannot be linked.")
            % {"status": card.get_status_display().lower()},
            code="card_not_active",
        )
    if _user_usable_card(user=user) is not None:
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
    if old.status not in (
        MemberCard.Status.ACTIVE,
        MemberCard.Status.FROZEN,
        MemberCard.Status.LOST,
    ):
        raise ValidationError(
            _("This card was already replaced or has expired."), code="card_not_replaceable"
        )
    if pin is not None:
        _pin_validate(pin=pin)
    number = card_number_normalize(number=number) if number else _card_number_new()
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
        expires_on=max(old.expires_on, years_later(today, 1)),
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


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def points_account_for_user(*, user) -> PointsAccount | None:
    card = _user_usable_card(user=user) if getattr(user, "pk", None) else None
    return card.account if card is not None else None


@transaction.atomic
def points_earn_for_order(*, order_id: int) -> PointsTransaction | None:
    """Credit the points a paid order earns; idempotent per order (a second call returns the row).

    Called from the ``order_paid`` receiver inside the transaction that marked the order paid.
    Orders of customers without a card, or worth 0 points under the rules, earn nothing.
    """
    existing = PointsTransaction.objects.filter(
        kind=PointsTransaction.Kind.EARN, order_id=order_id
    ).first()
    if existing is not None:
        return existing
    order = Order.objects.select_related("user").get(pk=order_id)
    if order.user_id is None:
        return None
    card = _user_usable_card(user=order.user)
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
        available_at=placed + dt.timedelta(days=rules.pending_days),
        expires_at=add_months(placed, rules.expiry_months),
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
    wanted = int(
        (Decimal(earned.points) * refund.amount / paid).to_integral_value(ROUND_HALF_UP)
        if paid > 0
        else earned.points
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
        reason=_("Refund of %(amount)s") % {"amount": refund.amount},
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
    if not account.cards.filter(status=MemberCard.Status.ACTIVE).exists():
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
            _("You have %(balance)s points, fewer than %(points)s.")
            % {"balance": account.balance, "points": points},
            code="points_insufficient",
        )
    maximum = selectors.points_redeemable_maximum(order_total=order_total, rules=rules)
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
            expires_at=add_months(now, EarningRules.load().expiry_months),
            created_by=created_by,
            reason=reason,
        )
    if -points > account.balance:
        raise PointsBalanceInsufficient(
            _("The member has only %(balance)s points.") % {"balance": account.balance},
            code="points_insufficient",
        )
    return _debit(
        account=account,
        kind=PointsTransaction.Kind.ADJUST,
        points=-points,
        created_by=created_by,
        reason=reason,
    )


def points_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every unspent credit past its date, oldest first; returns the points expired.

    Nightly. Also releases pending points whose pending period is over.

    One transaction per account, so a nightly run over many members never holds one long
    lock; idempotent (an expired credit has nothing remaining).
    """
    now = now or timezone.now()
    # Accounts with points past their pending period are visited too: locking releases
    # them, so balances shown on the lookup page are never stale by more than a night.
    account_ids = (
        PointsTransaction.objects.filter(
            Q(points__gt=0, remaining__gt=0, expires_at__lte=now)
            | Q(is_pending=True, available_at__lte=now)
        )
        .values_list("account_id", flat=True)
        .distinct()
    )
    total = 0
    for account_id in list(account_ids):
        with transaction.atomic():
            account = _account_lock(account_id=account_id, now=now)
            due = PointsTransaction.objects.filter(
                account_id=account_id,
                points__gt=0,
                remaining__gt=0,
                is_pending=False,
                expires_at__lte=now,
            ).order_by("expires_at", "created_at", "pk")
            for credit in due:
                PointsTransaction.objects.filter(pk=credit.pk).update(remaining=0)
                PointsTransaction.objects.create(
                    account=account,
                    kind=PointsTransaction.Kind.EXPIRE,
                    points=-credit.remaining,
                    available_at=now,
                    created_at=now,
                    reverses=None,
                    reason=_("Expired (earned %(date)s)") % {"date": credit.created_at.date()},
                )
                account.balance -= credit.remaining
                total += credit.remaining
            account.save(update_fields=["balance", "updated_at"])
    return total


def points_value(*, points: int, rules: EarningRules) -> Decimal:
    return (Decimal(points) / rules.points_per_cny_redeemed).quantize(CENT, rounding=ROUND_DOWN)


# =========================================================================== tiers


@transaction.atomic
def tier_recompute_for_account(
    *, account_id: int, now: dt.datetime | None = None
) -> tuple[Tier | None, Tier | None]:
    """Set the tier from the rolling 12-month spend; returns (old tier, new tier)."""
    account = PointsAccount.objects.select_for_update().get(pk=account_id)
    spend = selectors.account_spend_last_12_months(account_id=account_id, now=now)
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
    card = (
        account.cards.filter(status=MemberCard.Status.ACTIVE, user__isnull=False)
        .select_related("user")
        .first()
    )
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
    """Nightly: spend falls out of the 12-month window without any order happening."""
    changed = 0
    for account_id in PointsAccount.objects.values_list("pk", flat=True).iterator():
        old_tier, new_tier = tier_recompute_for_account(account_id=account_id, now=now)
        changed += old_tier != new_tier
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
    number = card_number_normalize(number=number)
    keys = _lookup_failure_keys(number=number, ip=ip or "unknown")
    locked_message = _(
        "Too many wrong PINs: card lookup is locked for 15 minutes. Please try again later."
    )
    if any((cache.get(key) or 0) >= CARD_LOOKUP_MAX_FAILURES for key in keys):
        raise ValidationError(locked_message, code="lookup_locked")
    card = (
        MemberCard.objects.select_related("account__tier", "member_type")
        .filter(number=number)
        .first()
        if luhn_is_valid(number)
        else None
    )
    if card is None or not check_password(pin or "", card.pin_hash):
        failures = 0
        for key in keys:
            cache.add(key, 0, CARD_LOOKUP_LOCK_SECONDS)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, CARD_LOOKUP_LOCK_SECONDS)
                count = 1
            if count >= CARD_LOOKUP_MAX_FAILURES:
                # The lock runs for 15 minutes from the last wrong PIN.
                cache.set(key, count, CARD_LOOKUP_LOCK_SECONDS)
            failures = max(failures, count)
        if failures >= CARD_LOOKUP_MAX_FAILURES:
            raise ValidationError(locked_message, code="lookup_locked")
        raise ValidationError(
            _("The card number and PIN do not match (%(left)s tries left).")
            % {"left": CARD_LOOKUP_MAX_FAILURES - failures},
            code="card_pin_mismatch",
        )
    if card.status == MemberCard.Status.REPLACED:
        raise ValidationError(
            _("This card was replaced: please use your new card."), code="card_replaced"
        )
    if card.status in (MemberCard.Status.LOST, MemberCard.Status.FROZEN):
        raise ValidationError(
            _("This card is frozen. Please ask at the store desk."), code="card_frozen"
        )
    cache.delete(keys[0])
    return card
