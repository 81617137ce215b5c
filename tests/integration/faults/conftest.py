"""Helpers for the fault tests: a broker of the test's own, a database out of reach."""

from __future__ import annotations

import pytest
from django.db import connection

from deploy.servers import free_loopback_port
from shop.celery import app


def use_broker(settings, url: str) -> None:
    """Point this process's Celery app at the broker ``url`` (``settings``: pytest-django's).

    The app reads CELERY_BROKER_URL through Django's settings but keeps its connection pools:
    forget them (kombu keeps one per URL) so the next publish, and the ping that waits for a
    worker, go to ``url``. Call it again with the old URL when done.
    """
    settings.CELERY_BROKER_URL = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def database_unreachable(transactional_db):
    """This process's connection to PostgreSQL points at a port where nothing listens."""
    saved_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_loopback_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved_port
