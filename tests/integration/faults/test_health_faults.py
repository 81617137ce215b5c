"""/health/ on the real servers with one part taken away: it answers 503 and names the part."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from deploy.servers import RedisServer, free_loopback_port
from tests.integration.faults.conftest import use_broker

pytestmark = pytest.mark.integration


@pytest.fixture
def broker_without_worker(tmp_path, settings):
    """A Redis that answers as a broker, but no worker listens to it."""
    server = RedisServer(binary=shutil.which("redis-server"), port=free_loopback_port())
    server.start()
    previous_broker = django_settings.CELERY_BROKER_URL
    use_broker(settings, server.url())
    try:
        yield
    finally:
        use_broker(settings, previous_broker)
        server.stop()


def test_database_down_answers_503_naming_the_database(database_unreachable, client):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert "database" in body["failing"]
    # Redis is untouched. The worker is not asserted: whether the session's worker is up yet
    # depends on which tests ran first, and waiting for it made this test flaky under load.
    assert body["parts"]["database"] == "down"
    assert body["parts"]["cache"] == "up" and body["parts"]["broker"] == "up"


def test_broker_up_without_a_worker_answers_503_naming_the_worker(
    transactional_db, broker_without_worker, client
):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "failing": ["worker"],
        "parts": {"database": "up", "cache": "up", "broker": "up", "worker": "down"},
    }
