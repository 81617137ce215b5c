"""A real Celery worker process picks up tasks queued on commit and writes to the same database."""

import pytest
from django.db import transaction
from oscar.core.loading import get_class, get_model
from oscar.test.factories import UserFactory, create_order

from shop.apps.order.tasks import order_confirmation_email_send
from shop.celery import app
from tests.waiting import wait_until

CommunicationEvent = get_model("order", "CommunicationEvent")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

pytestmark = pytest.mark.integration


def test_tasks_are_not_run_eagerly():
    # Otherwise the test below would pass with no worker at all.
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith("redis://")


def test_worker_answers_a_ping(celery_worker_process):
    # One ping waits a second for replies; a worker on a busy machine may answer a later one.
    replies = wait_until(
        lambda: app.control.ping(destination=[celery_worker_process.hostname], timeout=1.0),
        what="the worker did not answer a ping",
        details=celery_worker_process.log_tail,
    )

    assert replies == [{celery_worker_process.hostname: {"ok": "pong"}}]


def test_task_queued_on_commit_runs_in_the_worker_and_its_write_is_visible(
    celery_worker_process, transactional_db
):
    order = create_order(user=UserFactory(email="shopper@campus.example"))

    with transaction.atomic():
        transaction.on_commit(lambda: order_confirmation_email_send.delay(order.id))
        # Nothing leaves before the commit: a rolled-back order must never be emailed.
        assert not _confirmation_events(order).exists()

    wait_until(
        _confirmation_events(order).exists,
        what="the worker did not record the confirmation email",
        details=celery_worker_process.log_tail,
    )
    assert "order_confirmation_email_send" in celery_worker_process.log_path.read_text()


def _confirmation_events(order):
    return CommunicationEvent.objects.filter(
        order=order, event_type__code=OrderDispatcher.ORDER_PLACED_EVENT_CODE
    )
