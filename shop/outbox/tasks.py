"""Celery beat publishes what the outbox kept while the broker was down."""

from celery import shared_task

from shop.outbox import services


@shared_task(name="outbox.pending_tasks_publish")
def outbox_pending_tasks_publish() -> int:
    # Idempotent: a published row is deleted, and the tasks it holds are idempotent themselves.
    return services.pending_tasks_publish()
