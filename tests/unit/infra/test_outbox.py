"""The task outbox: a task the broker refuses is kept in the database and published later.

The broker here is a real Redis client pointed at a closed loopback port (connection refused,
as when Redis is stopped); "back" is the embedded in-memory broker. The Redis-down fault test
(tests/integration/faults/test_redis_down.py) shows the same on the real servers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from deploy.servers import free_loopback_port
from shop.apps.order.tasks import order_confirmation_email_send
from shop.celery import app
from shop.outbox.models import PendingTask
from shop.outbox.services import pending_tasks_publish

pytestmark = pytest.mark.django_db


def _use_broker(settings, url: str) -> None:
    settings.CELERY_BROKER_URL = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = django_settings.CELERY_BROKER_URL
    _use_broker(settings, f"redis://127.0.0.1:{free_loopback_port()}/0")
    yield
    _use_broker(settings, previous)


def test_a_refused_task_is_kept_with_its_arguments_and_due_time(broker_down):
    before = timezone.now()

    result = order_confirmation_email_send.apply_async(args=[42], countdown=3600)

    kept = PendingTask.objects.get()
    assert kept.task_id == result.id
    assert kept.name == order_confirmation_email_send.name
    assert kept.args == [42] and kept.kwargs == {}
    assert before + dt.timedelta(hours=1) <= kept.eta <= timezone.now() + dt.timedelta(hours=1)
    assert "Connection refused" in kept.last_error


def test_a_task_sent_with_links_is_not_ours_to_keep_and_still_raises(broker_down):
    with pytest.raises(OperationalError):
        order_confirmation_email_send.apply_async(
            args=[42], link=order_confirmation_email_send.si(43)
        )
    assert not PendingTask.objects.exists()


def test_publish_keeps_the_tasks_while_the_broker_is_down_and_sends_them_once_back(
    broker_down, settings
):
    order_confirmation_email_send.delay(7)
    order_confirmation_email_send.delay(8)

    assert pending_tasks_publish() == 0
    assert PendingTask.objects.count() == 2

    _use_broker(settings, "memory://")
    assert pending_tasks_publish() == 2
    assert not PendingTask.objects.exists()
