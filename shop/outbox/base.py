"""The Celery task class of the shop: a task the broker refuses goes to the outbox.

Tasks are queued with ``transaction.on_commit``: when Redis is down at that moment, Celery's
publish raises *after* the order (or refund, or ticket) committed. Letting that escape would
answer the shopper with an error for an order that exists, and drop the remaining on-commit
callbacks with their tasks. Instead the message is stored as a ``PendingTask`` row and
``outbox.pending_tasks_publish`` (Celery beat, every minute) publishes it once Redis is back.

No Django import at module level: ``shop.celery`` names this class before Django is set up.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import Task
from celery.utils import uuid
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# The publish options a stored task can keep; a task sent with anything else (links, a
# custom producer) is not ours to re-create later, so its publish error is raised as before.
STORABLE_OPTIONS = frozenset({"countdown", "eta", "queue"})


class OutboxTask(Task):
    def apply_async(
        self,
        args=None,
        kwargs=None,
        task_id=None,
        producer=None,
        link=None,
        link_error=None,
        shadow=None,
        **options,
    ):
        task_id = task_id or uuid()
        try:
            return super().apply_async(
                args,
                kwargs,
                task_id=task_id,
                producer=producer,
                link=link,
                link_error=link_error,
                shadow=shadow,
                **options,
            )
        except OperationalError as error:
            if producer or link or link_error or shadow or set(options) - STORABLE_OPTIONS:
                raise
            self._store_for_later(task_id, args, kwargs, options, error)
            return self.AsyncResult(task_id)

    def _store_for_later(self, task_id, args, kwargs, options, error) -> None:
        # Imported when a task must wait: the Celery app loads this class before Django's apps
        # are ready, and the outbox's services need its models.
        from django.db import DatabaseError
        from django.utils import timezone

        from shop.outbox.services import pending_task_store

        eta = options.get("eta")
        if eta is None and options.get("countdown"):
            eta = timezone.now() + dt.timedelta(seconds=float(options["countdown"]))
        try:
            pending_task_store(
                task_id=task_id,
                name=self.name,
                args=list(args or ()),
                kwargs=dict(kwargs or {}),
                eta=eta,
                queue=options.get("queue") or "",
                error=str(error),
            )
        except DatabaseError:
            # Broker and database both down: nothing can keep the task, say so loudly.
            logger.exception("Task %s %s lost: broker and database unavailable", self.name, task_id)
            raise error from None
        logger.warning(
            "Broker unavailable (%s): task %s %s kept in the outbox", error, self.name, task_id
        )
