"""Celery tasks: thin, idempotent callers of preorders.services."""

import logging

from celery import shared_task

from preorders import services

logger = logging.getLogger(__name__)


@shared_task(name="preorders.release_due")
def preorders_release_due_task() -> dict:
    """Daily: release what is due, chase failed payments, collection reminders, no-shows.

    Safe to run twice (or concurrently): each pre-order is claimed by one run and charged
    with an idempotency key made from its id.
    """
    summary = services.preorders_release_due()
    logger.info("Pre-order daily run: %s", summary)
    return {
        "released": len(summary.released),
        "failed": len(summary.failed),
        "expired": len(summary.expired),
        "abandoned": len(summary.abandoned),
        "reminded": summary.reminded,
        "no_shows": len(summary.no_shows),
    }
