"""The embedded profile's Celery starts and logs quietly (kombu warns about a URL without a host)."""

import logging

import pytest
from django.conf import settings
from kombu import Connection


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the embedded profile has no REDIS_URL")
def test_the_in_memory_broker_url_names_a_host(caplog):
    with caplog.at_level(logging.WARNING):
        # What Celery beat asks at start, to print the broker it uses.
        Connection(settings.CELERY_BROKER_URL).as_uri()
        Connection(settings.CELERY_BROKER_URL).info()

    assert "No hostname was supplied" not in caplog.text


def test_what_jobs_print_is_logged_as_output_not_as_a_warning():
    # Beat and the worker send a job's stdout (the console email backend's emails under
    # `make run`) to their log at this level; Celery's default, WARNING, flagged every email.
    from shop.celery import app

    assert app.conf.worker_redirect_stdouts_level == "INFO"
