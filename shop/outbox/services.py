"""Write side of the task outbox (HackSoft style: services write)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from shop.celery import app
from shop.outbox.models import PendingTask

logger = logging.getLogger(__name__)

PUBLISH_BATCH_SIZE = 500


def pending_task_store(
    *,
    task_id: str,
    name: str,
    args: list,
    kwargs: dict,
    eta: dt.datetime | None,
    queue: str,
    error: str,
) -> PendingTask:
    """Keep a task the broker refused; the same task id stored twice is one row."""
    task, _created = PendingTask.objects.update_or_create(
        task_id=task_id,
        defaults={
            "name": name,
            "args": args,
            "kwargs": kwargs,
            "eta": eta,
            "queue": queue,
            "last_error": error[:2000],
        },
    )
    return task


def pending_tasks_publish(*, limit: int = PUBLISH_BATCH_SIZE) -> int:
    """Publish stored tasks, oldest first; returns how many left the outbox.

    Stops at the first publish error (the broker is still down) and keeps the rest. Rows are
    locked with SKIP LOCKED so two flushes never publish the same row at once; a row deleted
    after its publish but rolled back would be published again, which is safe because every
    task of ours is idempotent.
    """
    published = 0
    with transaction.atomic():
        pending = PendingTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit]
        for task in list(pending):
            try:
                # send_task, not the task's apply_async: a failure here must not store it again.
                app.send_task(
                    task.name,
                    args=task.args,
                    kwargs=task.kwargs,
                    task_id=task.task_id,
                    eta=task.eta,
                    queue=task.queue or None,
                )
            except OperationalError as error:
                logger.warning("Outbox: broker still unavailable (%s), %s left", error, task)
                break
            task.delete()
            published += 1
    if published:
        logger.info("Outbox: published %s pending task(s)", published)
    return published
