"""Celery tasks the broker could not take, kept in the database until it is back."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """One task message that failed to publish (Redis down), published again later.

    Written only on failure, so a healthy broker costs nothing. The row is committed with
    (or after) the transaction that queued the task, hence a paid order's follow-up work
    survives a broker outage that happens between the order's commit and the publish.
    """

    # Celery's own task id, kept so a task published twice (a retried flush) is one task.
    task_id = models.CharField(_("Task id"), max_length=255, unique=True)
    name = models.CharField(_("Task"), max_length=255)
    args = models.JSONField(_("Arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("Keyword arguments"), default=dict, blank=True)
    # A task queued with a countdown keeps its original due time.
    eta = models.DateTimeField(_("Due"), null=True, blank=True)
    queue = models.CharField(_("Queue"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    last_error = models.TextField(_("Last error"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("Pending task")
        verbose_name_plural = _("Pending tasks")

    def __str__(self) -> str:
        return f"{self.name} {self.task_id}"
