"""The points ledger: earning on paid orders, taking back on refunds, staff adjustments, the
release of pending points and the nightly expiry.

Every movement is one append-only ``PointsTransaction`` written under the account's row lock
(``points_account_lock``) together with the account's balances, so the balance plus the
pending balance always equals the sum of the ledger. Credits are spent soonest-expiring
first. The formulas (how many points, when they are spendable and expire) are
``loyalty.economy``'s.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from loyalty import economy, selectors
from loyalty.models import EarningRules, PointsAccount, PointsTransaction

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")


class PointsBalanceInsufficient(ValidationError):
    pass


def points_account_lock(*, account_id: int, now: dt.datetime | None = None) -> PointsAccount:
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
    account = points_account_lock(account_id=account_id)
    return before - account.pending_balance


def points_credit(
    *,
    account: PointsAccount,
    kind: str,
    points: int,
    available_at: dt.datetime,
    expires_at: dt.datetime | None,
    created_at: dt.datetime | None = None,
    **fields,
) -> PointsTransaction:
    """Add one credit row and its points to the balance, or to the pending balance until
    ``available_at``; the caller holds the account's lock (``points_account_lock``)."""
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


def points_credit_now(
    *, account: PointsAccount, kind: str, points: int, **fields
) -> PointsTransaction:
    """Credit points spendable at once (a bonus, a staff adjustment), expiring the rules'
    expiry months from now; the caller holds the account's lock."""
    now = timezone.now()
    return points_credit(
        account=account,
        kind=kind,
        points=points,
        available_at=now,
        expires_at=economy.points_expire_at(
            earned_at=now, expiry_months=EarningRules.load().expiry_months
        ),
        **fields,
    )


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


def points_debit(*, account: PointsAccount, kind: str, points: int, **fields) -> PointsTransaction:
    """Spend ``points`` of the balance, soonest-expiring credits first, as one debit row; the
    caller holds the account's lock and has checked the balance covers them."""
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
    account = points_account_lock(account_id=card.account_id)
    rules = EarningRules.load()
    points = selectors.order_points_quote(order=order, rules=rules, card=card, account=account)
    if points <= 0:
        return None
    placed = order.date_placed or timezone.now()
    movement = points_credit(
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
    account = points_account_lock(account_id=earned.account_id)
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
def points_adjust(*, account_id: int, points: int, reason: str, created_by) -> PointsTransaction:
    """A staff correction with who and why; a debit is refused beyond the balance."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the points are adjusted."), code="reason_missing")
    if created_by is None:
        raise ValidationError(_("An adjustment needs its author."), code="author_missing")
    if points == 0:
        raise ValidationError(_("The adjustment cannot be zero."), code="points_zero")
    account = points_account_lock(account_id=account_id)
    if points > 0:
        return points_credit_now(
            account=account,
            kind=PointsTransaction.Kind.ADJUST,
            points=points,
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
    return points_debit(
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

    The same as ``points_account_lock`` for many accounts at once. Locking in ascending pk is
    the stable order: a writer holding one account's lock cannot deadlock with a batch, and two
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


@transaction.atomic
def points_adjust_by_staff(*, account_id: int, points: int, reason: str, user) -> PointsTransaction:
    """The admin's adjustment: the permission is checked here, not only in the view."""
    if not selectors.points_adjust_allowed(user=user):
        raise PermissionDenied(_("You are not allowed to adjust points."))
    return points_adjust(account_id=account_id, points=points, reason=reason, created_by=user)
