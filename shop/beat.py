"""Celery beat for the embedded profile (``make run``): the database schedule, run in-process.

Without ``REDIS_URL`` there is no broker and no worker: tasks run eagerly where they are
queued. ``celery -A shop beat`` (started by ``make run``) then uses ``InProcessScheduler``
(``CELERY_BEAT_SCHEDULER`` in ``shop/settings.py``), django-celery-beat's
``DatabaseScheduler`` with two differences:

* each due task runs right here, in the beat process (``Task.apply``), instead of being
  published for a worker that does not exist; a failure is logged and the schedule goes on;
* missed runs are caught up once. A development machine is rarely up at 01:30, so every job
  of ``CELERY_BEAT_SCHEDULE`` whose time passed while ``make run`` was stopped runs once when
  it starts again (at most once, however many runs were missed, as anacron does). For that
  the time beat first saw a job is saved as its last run, and every job is considered at
  every start, not only those whose hour is near the current one (django-celery-beat's
  filter, meant for very large schedules).

Production keeps django-celery-beat's own ``DatabaseScheduler`` with a worker.
"""

from __future__ import annotations

import logging

from django.db import close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

logger = logging.getLogger(__name__)


class CatchUpEntry(ModelEntry):
    """A schedule entry whose first sighting is saved, so a missed run is noticed later."""

    def __init__(self, model, app=None):
        never_run = model.last_run_at is None
        super().__init__(model, app=app)
        if never_run and model.enabled:
            # Only a row still without a run: a concurrent real run is never overwritten.
            type(model)._default_manager.filter(pk=model.pk, last_run_at__isnull=True).update(
                last_run_at=self.last_run_at
            )


class InProcessScheduler(DatabaseScheduler):
    Entry = CatchUpEntry

    def enabled_models_qs(self):
        return self.Model.objects.enabled()

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        entry = self.reserve(entry) if advance else entry
        task = self.app.tasks.get(entry.task)
        if task is None:
            logger.error("Scheduled task %s (%s) is not registered", entry.name, entry.task)
            return None
        # Long-lived process: never run a task on a connection the database dropped.
        close_old_connections()
        try:
            result = task.apply(
                args=entry.args,
                kwargs=entry.kwargs,
                headers={"periodic_task_name": entry.name, "celery_beat_task": True},
                throw=False,
            )
        finally:
            close_old_connections()
            self._tasks_since_sync += 1
            if self.should_sync():
                self._do_sync()
        if result.failed():
            logger.error(
                "Scheduled task %s (%s) failed: %r\n%s",
                entry.name,
                entry.task,
                result.result,
                result.traceback,
            )
        else:
            logger.info("Scheduled task %s (%s) done: %r", entry.name, entry.task, result.result)
        return result
