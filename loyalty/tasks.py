"""Celery tasks: thin callers of the loyalty services, safe to run twice."""

from celery import shared_task

from loyalty.services.bonuses import points_birthday_bonuses_award, points_expiry_reminders_send
from loyalty.services.ledger import points_expire_due
from loyalty.services.tiers import tier_change_notify, tiers_recompute_all


@shared_task(name="loyalty.points_expire_due")
def loyalty_points_expire_due() -> int:
    # Idempotent: an expired credit has nothing remaining, so a second run expires nothing.
    return points_expire_due()


@shared_task(name="loyalty.tiers_recompute_all")
def loyalty_tiers_recompute_all() -> int:
    return tiers_recompute_all()


@shared_task(name="loyalty.tier_change_notify")
def loyalty_tier_change_notify(account_id: int) -> bool:
    return tier_change_notify(account_id=account_id)


@shared_task(name="loyalty.points_expiry_reminders_send")
def loyalty_points_expiry_reminders_send() -> int:
    # Idempotent: every credit warned about gets a reminder row, so a rerun sends nothing.
    return points_expiry_reminders_send()


@shared_task(name="loyalty.birthday_bonuses_award")
def loyalty_birthday_bonuses_award() -> int:
    # Idempotent: the ledger holds one birthday bonus per member and year (unique constraint).
    return points_birthday_bonuses_award()
