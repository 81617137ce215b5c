"""Browser fixtures: Playwright (sync API) driving Debian's Chromium against ``live_server``.

Usage::

    @pytest.mark.browser
    def test_something(browser_page, live_server):
        browser_page.goto("/catalogue/")  # relative to live_server.url

A failing test leaves a full-page screenshot in ``var/test-results/``.
"""

import os
import re

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test import Client
from playwright.sync_api import expect, sync_playwright
from pytest_django.live_server_helper import LiveServer
from wagtail.admin.models import EditingSession

from tests.conftest import TEST_RESULTS_DIR
from tests.waiting import WAIT_TIMEOUT_SECONDS, wait_until

# Playwright's sync API keeps an asyncio event loop running in the main thread, and Django
# refuses ORM calls from a thread with a running loop. The test code itself is synchronous,
# so the guard only gets in the way here (never set this outside tests).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_EXECUTABLE = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
# How long an action or an expect() waits for its condition before it fails: a ceiling against a
# hung page, not a speed check (tests/waiting.py). Every wait ends as soon as the page is there;
# on a busy machine the one-request-at-a-time live server may take many seconds for one page.
DEFAULT_TIMEOUT_MS = WAIT_TIMEOUT_SECONDS * 1000
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

CALL_REPORT_KEY = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT_KEY] = report
    return report


class OneRequestAtATimeWSGIServer(WSGIServer):
    """The live server without a thread per request.

    Django's live server normally answers each request in its own thread, and with an
    in-memory SQLite database every one of those threads shares the test database's single
    connection object. Two requests at once (a page and its script's fetch, or localstripe's
    webhook arriving while the browser's request places the order) then share one
    transaction state: one request's ``atomic()`` switches autocommit off under the other,
    which fails with "on_commit() cannot be used in manual transaction management" or reads
    half-written rows. Answering requests one after another removes that race. Nothing
    deadlocks: localstripe sends webhooks after answering the API call that caused them, and
    Django closes each connection after its response when the server is not threaded.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        # The server runs in the live server's own thread, which Django has already given the
        # overridden connections, so the argument only has to be accepted.
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, answering one request at a time (see above)."""
    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.server_class = OneRequestAtATimeWSGIServer
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_browser():
    if not os.path.exists(CHROMIUM_EXECUTABLE):
        pytest.fail(f"{CHROMIUM_EXECUTABLE} is missing: deploy/system-packages.sh chromium")
    from django.db import connections

    # Starting Playwright's sync API leaves the test code running in a new contextvars
    # context, where Django's connection handler (a context-local) would hand out new
    # connection objects. The old ones carry the test database's state, notably the snapshot
    # that serialized rollback restores after each transactional test (tests/conftest.py),
    # so they are carried over.
    django_connections = connections.all(initialized_only=True)
    with sync_playwright() as playwright:
        for connection in django_connections:
            connections[connection.alias] = connection
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_EXECUTABLE, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def log_in(browser_page, live_server):
    """``log_in(user)``: the browser page continues as ``user``, with a session made the way
    Django's test client makes one (no login form on the way)."""

    def log_in(user):
        client = Client()
        client.force_login(user)
        browser_page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )

    return log_in


@pytest.fixture
def browser_page(chromium_browser, live_server, request):
    """A fresh page (own cookies, own basket) whose relative URLs resolve against live_server."""
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield page
    report = request.node.stash.get(CALL_REPORT_KEY, None)
    if report is not None and report.failed:
        TEST_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(TEST_RESULTS_DIR / f"{name}.png"), full_page=True)
    context.close()


def wait_until_editing_sessions_released() -> None:
    """Wait for the beacons of closed CMS editors: each deletes its editing session."""
    wait_until(
        lambda: not EditingSession.objects.exists(),
        what="a closed CMS editor did not release its editing session",
    )
