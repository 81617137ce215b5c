"""The Celery application.

Configuration comes from Django settings prefixed ``CELERY_``: eager in the embedded
profile (no ``REDIS_URL``), Redis-brokered with a worker and beat in production.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

# Every task publishes through OutboxTask: when Redis is down the message is stored in the
# database instead of failing the request that queued it (see shop/outbox/base.py).
app = Celery("shop", task_cls="shop.outbox.base:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
