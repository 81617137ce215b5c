"""Fixtures and hooks shared by every test session (unit, browser and integration).

`make test` runs two pytest sessions:

1. ``pytest -m "not integration"``: unit and browser tests on an in-memory SQLite database;
2. ``pytest -m integration -p tests.plugins.services``: integration tests against throwaway
   PostgreSQL and Redis servers (and a real Celery worker, see tests/integration/conftest.py).
"""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test.utils import override_settings
from django.utils import translation

# Fixtures other areas provide (a real localstripe server; the store under gunicorn as
# production runs it, in both worker modes; a shopper at the checkout).
pytest_plugins = [
    "tests.fixtures.localstripe",
    "tests.fixtures.live_store",
    "tests.fixtures.checkout",
]

TESTS_DIR = Path(__file__).resolve().parent
SERVICES_PLUGIN = "tests.plugins.services"
# Where failing browser tests leave their screenshots (CI keeps the folder).
TEST_RESULTS_DIR = TESTS_DIR.parent / "var" / "test-results"

# The folder a test lives in decides its session, so a forgotten marker cannot send an
# integration test to SQLite or hide a browser test from `-m browser`.
MARKER_BY_FOLDER = {"integration": "integration", "browser": "browser"}
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        marker = _folder_marker(item)
        if marker and not item.get_closest_marker(marker):
            item.add_marker(getattr(pytest.mark, marker))
        _restore_migration_data_after(item)

    if config.pluginmanager.has_plugin(SERVICES_PLUGIN) or _real_servers_configured():
        return
    skip = pytest.mark.skip(
        reason=f"integration tests need real servers: run `make test` or `pytest -m integration -p {SERVICES_PLUGIN}`"
    )
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(skip)


def _folder_marker(item) -> str | None:
    try:
        relative = Path(item.path).resolve().relative_to(TESTS_DIR)
    except ValueError:
        return None
    return MARKER_BY_FOLDER.get(relative.parts[0]) if len(relative.parts) > 1 else None


def _restore_migration_data_after(item) -> None:
    """Give transactional tests Django's serialized rollback.

    A transactional test (``transactional_db``, ``live_server``) ends by emptying every table,
    which also deletes the rows that migrations created: Wagtail's root page and default site,
    its Editors group, Oscar's defaults. Every later transactional test would then run
    against a database that no real installation has. Serialized rollback snapshots the
    migrated database once per session and restores it before each such test.
    """
    names = getattr(item, "fixturenames", None)
    if names is None or "django_db_serialized_rollback" in names:
        return
    marker = item.get_closest_marker("django_db")
    transactional = bool(TRANSACTIONAL_FIXTURES & set(names)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        names.append("django_db_serialized_rollback")


def _real_servers_configured() -> bool:
    # A developer may point the integration tests at servers of their own.
    return django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and bool(
        getattr(django_settings, "REDIS_URL", "")
    )


@pytest.fixture(scope="session", autouse=True)
def _isolated_media_root(tmp_path_factory):
    """Uploaded images and documents go to a temporary folder, never into var/media."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language.

    LocaleMiddleware activates a request's language in the thread that served it and leaves it
    active, so a test whose client asked for Chinese would otherwise hand Chinese messages to
    the next test's services.
    """
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_local_cache():
    """Each test starts with an empty local-memory cache.

    Ids are handed out again after a test's transaction rolls back, so an entry keyed by a
    user or product id (a member's standing, a recommendation list) would otherwise describe
    another test's rows. The integration tests' Redis also carries Celery's queue and is left
    alone. The product views this process holds before sending them are such entries too.
    """
    from shop.apps.catalogue import services as catalogue_services

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
    catalogue_services.product_views_pending_forget()


@pytest.fixture(autouse=True)
def _fresh_page_cache_versions():
    """Each test starts new page-cache versions, so no test is served a page cached by another.

    The cache outlives each test's database rollback (Redis in the integration tests is not
    emptied above); a page cached by an earlier test under the same versions would otherwise
    answer a later test's request.
    """
    from shop.page_cache.selectors import page_cache_versions_forget

    page_cache_versions_forget()


@pytest.fixture
def page_cache_off(settings):
    """Every storefront page renders (the page cache's middleware left out): for tests that
    count what a render reads. Holes are then filled in place, as on a page never cached."""
    settings.MIDDLEWARE = [
        name
        for name in settings.MIDDLEWARE
        if name != "shop.page_cache.middleware.PageCacheMiddleware"
    ]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.3 s per user on this machine; MD5 first keeps user factories cheap while
    # the real hashers stay listed so hashes made elsewhere (a worker, a fixture) still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *django_settings.PASSWORD_HASHERS,
    ]
