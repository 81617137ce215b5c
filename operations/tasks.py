"""Celery tasks: thin, idempotent callers of operations.services."""

from celery import shared_task

from operations import services


@shared_task(name="operations.reorder_nightly")
def reorder_nightly() -> dict:
    """Recompute every reorder suggestion and email operators what to reorder.

    Safe to run twice: suggestions are rewritten in place and each record is alerted at
    most once a day.
    """
    need = services.reorder_suggestions_refresh()
    alerted = services.reorder_alerts_send()
    return {"need_reorder": need, "alerted": alerted}
