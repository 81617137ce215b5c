"""The production profile (DEBUG=False): CSP, static storage, `check --deploy`.

Settings are read once at import, so each case runs Django in a fresh interpreter with the
production variables, exactly as gunicorn would see them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "a-production-test-key-" + "k7#Qz" * 10,
    "ALLOWED_HOSTS": "store.campus.example",
    "STRIPE_API_BASE": "https://api.stripe.com",
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
}
SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST="store.campus.example").get("/health/", secure=True)
print(json.dumps({
    "middleware": settings.MIDDLEWARE,
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "csp": response.headers.get("Content-Security-Policy", ""),
}))
"""


def run_django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # A fresh process sees production's environment, not this test session's: the browser
    # tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` rightly rejects.
    session_only = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean_env = {k: v for k, v in os.environ.items() if k not in session_only}
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "shop.settings", **env},
        capture_output=True,
        text=True,
        # A guard against a hung process, not a speed check: a busy machine may take minutes.
        timeout=600,
        check=False,
    )


def test_production_sends_a_csp_allowing_only_our_and_stripes_hosts():
    result = run_django(["-c", SETTINGS_PROBE], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    assert probe["static_storage"] == "shop.storage.StaticFilesStorage"
    assert "csp.middleware.CSPMiddleware" in probe["middleware"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in probe["csp"].split("; ") if part
    )
    assert directives["default-src"] == ["'self'"]
    assert "https://js.stripe.com" in directives["script-src"]
    assert "https://hooks.stripe.com" in directives["frame-src"]
    assert "https://api.stripe.com" in directives["connect-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]


def test_embedded_profile_keeps_plain_storage_and_no_csp():
    result = run_django(["-c", SETTINGS_PROBE], {"DEBUG": "True"})
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    assert probe["static_storage"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert "csp.middleware.CSPMiddleware" not in probe["middleware"]
    assert probe["csp"] == ""


def test_check_deploy_is_clean_with_production_variables():
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
