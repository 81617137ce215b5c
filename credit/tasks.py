"""Celery tasks: thin, idempotent callers of credit.services."""

from celery import shared_task
from django.utils import timezone

from credit import selectors, services


@shared_task(name="credit.collection_daily")
def collection_daily() -> dict:
    """Reminders, escalations and holds for overdue invoices; safe to run twice a day:
    each invoice remembers the collection stage it reached."""
    return services.collection_run()


@shared_task(name="credit.statements_monthly")
def statements_monthly() -> int:
    """Email last month's statements; each account and month is sent once."""
    return services.credit_statements_send(month=selectors.last_month(timezone.localdate()))
