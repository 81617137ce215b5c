"""Health of the parts the store needs: database, cache, Celery broker and worker.

``/health/`` answers 200 when every part is up and 503 naming the failing part otherwise, so a
load balancer or ``make prod`` can tell a store that serves pages from one that only looks up.
The answer holds states only, never addresses or credentials: it needs no login.

Every check reads Django settings when it runs (not the Celery app's cached configuration), so
tests can point a part at an unreachable address with ``override_settings``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from shop.celery import app

UP = "up"
DOWN = "down"
# The embedded profile runs tasks in-process: there is no broker or worker to be down.
EAGER = "eager"
HEALTHY_STATES = {UP, EAGER}
# A health probe must answer before the load balancer's own timeout (typically 2-5 s).
BROKER_TIMEOUT_SECONDS = 1.0
WORKER_PING_TIMEOUT_SECONDS = 1.0


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return DOWN
    return UP


def cache_state() -> str:
    # A round trip with a fresh value: the Redis cache ignores connection errors (a cache outage
    # must not take pages down), so a failed write shows only as a value that does not come back.
    key = f"health:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        echoed = cache.get(key)
        cache.delete(key)
    except Exception:
        return DOWN
    return UP if echoed == value else DOWN


def _broker_connection() -> Connection:
    return Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS)


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    try:
        with _broker_connection() as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        return DOWN
    return UP


def worker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    try:
        with _broker_connection() as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
            replies = app.control.ping(timeout=WORKER_PING_TIMEOUT_SECONDS, connection=broker)
    except Exception:
        return DOWN
    return UP if replies else DOWN


def health_report() -> dict[str, str]:
    return {
        "database": database_state(),
        "cache": cache_state(),
        "broker": broker_state(),
        "worker": worker_state(),
    }


# Outside ATOMIC_REQUESTS: opening the request's transaction would fail before the view could
# answer 503 when the database is down.
@transaction.non_atomic_requests
@require_safe
@never_cache
def health_view(request: HttpRequest) -> JsonResponse:
    parts = health_report()
    failing = sorted(name for name, state in parts.items() if state not in HEALTHY_STATES)
    return JsonResponse(
        {"status": "down" if failing else "up", "failing": failing, "parts": parts},
        status=503 if failing else 200,
    )
