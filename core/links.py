"""Absolute links to the store, for emails and anything else read away from a request.

Links are built on ``BASE_URL`` (``WAGTAILADMIN_BASE_URL``), the store's public address, not on
the request's host: a task that sends an email has no request.
"""

from django.conf import settings


def site_url(path: str) -> str:
    """The absolute URL of ``path`` (which starts with ``/``) on the store's public address."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
