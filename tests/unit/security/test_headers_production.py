"""Security headers and cookies of the production profile (DEBUG=False).

Each case runs Django in a fresh interpreter with production's variables, as gunicorn would
(the helpers are the production-settings tests' own).
"""

import json

import pytest

from tests.unit.health.test_production_settings import PRODUCTION_ENV, run_django

# The pages render from the database (sites, sessions), and the probe's process has none of
# the test session's: it builds a private in-memory database first. Nothing else is shared,
# so a fresh clone (no db.sqlite3) runs it as well as a developer's machine. The tables are made
# straight from the models (as pytest-django's --nomigrations does): replaying every app's
# migrations took minutes on a busy machine and says nothing about headers.
HEADERS_PROBE = """
import json, django
django.setup()
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
with override_settings(MIGRATION_MODULES={app.label: None for app in apps.get_app_configs()}):
    call_command("migrate", run_syncdb=True, verbosity=0)
# Production's manifest storage needs `collectstatic`'s manifest, which a fresh clone lacks and
# which says nothing about headers: the pages name their static files the plain way here.
override_settings(STORAGES={
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client(HTTP_HOST="store.campus.example")
login = client.get("/django-admin/login/", secure=True)
csrf = login.cookies.get("csrftoken")
print(json.dumps({
    "status": login.status_code,
    "headers": dict(login.headers),
    "csrf_cookie": {key: csrf[key] for key in ("secure", "httponly", "samesite")},
    "plain_http": [client.get("/accounts/login/").status_code,
                   client.get("/accounts/login/").headers.get("Location", "")],
    "health_over_http": client.get("/health/").status_code,
    "session_cookie": {
        "secure": settings.SESSION_COOKIE_SECURE,
        "httponly": settings.SESSION_COOKIE_HTTPONLY,
    },
    "basket_cookie_secure": settings.OSCAR_BASKET_COOKIE_SECURE,
}))
"""


@pytest.fixture(scope="module")
def production():
    result = run_django(
        ["-c", HEADERS_PROBE], {**PRODUCTION_ENV, "DATABASE_URL": "sqlite://:memory:"}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_page_carries_the_security_headers(production):
    headers = production["headers"]

    assert production["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    # SAMEORIGIN, not DENY: Wagtail's live preview frames our own pages.
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_limits_scripts_frames_and_connections_to_us_and_stripe(production):
    csp = {
        part.split()[0]: part.split()[1:]
        for part in production["headers"]["Content-Security-Policy"].split("; ")
    }

    assert csp["default-src"] == ["'self'"]
    # No CDN: in mainland China a blocked script host only costs seconds per page.
    assert set(csp["script-src"]) == {"'self'", "'unsafe-inline'", "https://js.stripe.com"}
    assert "'unsafe-eval'" not in csp["script-src"]
    assert set(csp["connect-src"]) == {"'self'", "https://api.stripe.com", "https://js.stripe.com"}
    assert set(csp["frame-src"]) == {"'self'", "https://js.stripe.com", "https://hooks.stripe.com"}
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]


def test_session_and_csrf_cookies_are_secure_and_http_only(production):
    assert production["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert production["session_cookie"] == {"secure": True, "httponly": True}
    assert production["basket_cookie_secure"] is True


def test_plain_http_is_redirected_to_https_except_the_health_probe(production):
    status, location = production["plain_http"]
    assert status == 301
    assert location == "https://store.campus.example/accounts/login/"
    assert production["health_over_http"] in (200, 503)
