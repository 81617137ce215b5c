"""Celery tasks: thin callers of marketing.services, taking ids, safe to run twice."""

import datetime as dt
import smtplib

from celery import shared_task

from marketing import services


@shared_task(name="marketing.segmentation_nightly")
def segmentation_nightly(as_of: str | None = None) -> dict:
    # Idempotent: every customer's row and the day's snapshot are rewritten, not added to.
    summary = services.segmentation_run(as_of=dt.date.fromisoformat(as_of) if as_of else None)
    return {"as_of": str(summary.as_of), "customers": summary.customers, "seconds": summary.seconds}


@shared_task(name="marketing.campaigns_send_due")
def campaigns_send_due() -> int:
    return services.campaigns_send_due()


@shared_task(
    name="marketing.campaign_deliver_batch",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def campaign_deliver_batch(campaign_id: int, recipient_ids: list[int]) -> int:
    # A retry re-sends only recipients still pending: each delivery commits on its own.
    return services.campaign_deliver(campaign_id=campaign_id, recipient_ids=recipient_ids)
