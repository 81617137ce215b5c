"""Tiers: each member's tier from their spend of the last 12 months, recomputed on every paid
or refunded order and nightly for everyone, and the email that tells a member they moved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from loyalty import selectors
from loyalty.models import PointsAccount, Tier
from loyalty.services import ledger
from loyalty.signals import tier_changed


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
        tier_changed.send(sender=PointsAccount, account_id=account_id)
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
    for first in range(0, len(account_ids), ledger.NIGHTLY_ACCOUNTS_PER_BATCH):
        batch = account_ids[first : first + ledger.NIGHTLY_ACCOUNTS_PER_BATCH]
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
