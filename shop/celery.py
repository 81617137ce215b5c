"""The Celery application.

Configuration comes from Django settings prefixed ``CELERY_``: eager in the embedded
profile (no ``REDIS_URL``), Redis-brokered with a worker and beat in production.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
