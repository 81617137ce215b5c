"""/health/: 200 when every part is up, 503 naming the part that is down.

Parts are taken down by pointing their settings at a loopback port nothing listens on, so the
real client libraries (django-redis, kombu) fail the way they would in production.
"""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from deploy.servers import free_loopback_port


def unreachable_redis_url() -> str:
    # A port that was free a moment ago: connections to it are refused at once.
    return f"redis://127.0.0.1:{free_loopback_port()}/0"


def get_health(client):
    response = client.get(reverse("health"))
    return response.status_code, response.json()


@pytest.mark.django_db
def test_embedded_profile_is_healthy_with_tasks_run_eagerly(client):
    status, body = get_health(client)

    assert status == 200
    assert body == {
        "status": "up",
        "failing": [],
        "parts": {"database": "up", "cache": "up", "broker": "eager", "worker": "eager"},
    }


@pytest.mark.django_db
def test_unreachable_cache_answers_503_naming_the_cache(client):
    down_cache = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": unreachable_redis_url(),
            # As in production: the cache swallows connection errors, the check must still see them.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    with override_settings(CACHES=down_cache):
        status, body = get_health(client)

    assert status == 503
    assert body["status"] == "down"
    assert body["failing"] == ["cache"]
    assert body["parts"]["database"] == "up"


@pytest.mark.django_db
def test_unreachable_broker_answers_503_naming_broker_and_worker(client):
    broker_url = unreachable_redis_url()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker_url):
        status, body = get_health(client)

    assert status == 503
    assert body["failing"] == ["broker", "worker"]
    assert body["parts"]["broker"] == "down"
    assert body["parts"]["worker"] == "down"
    assert body["parts"]["cache"] == "up"


@pytest.mark.django_db
def test_answer_holds_no_addresses_or_secrets(client):
    broker_url = unreachable_redis_url()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker_url):
        response = client.get(reverse("health"))

    content = response.content.decode()
    assert "redis://" not in content
    assert "127.0.0.1" not in content
    assert settings.SECRET_KEY not in content
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_needs_no_login_and_refuses_nothing_but_reads(client):
    assert client.get(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405
