"""/health/ on the real servers: PostgreSQL, Redis as cache and broker, a running worker."""

import pytest
from django.urls import reverse


@pytest.mark.usefixtures("transactional_db", "celery_worker_process")
def test_every_part_is_up_with_a_running_worker(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "up",
        "failing": [],
        "parts": {"database": "up", "cache": "up", "broker": "up", "worker": "up"},
    }
