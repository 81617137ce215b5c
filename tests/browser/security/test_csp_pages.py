"""The production Content-Security-Policy does not break the pages that need scripts most.

The live server runs the embedded profile, so for these tests its handler is rebuilt with
production's CSP middleware and the policy ``shop.security_policy`` builds for this run's
(localstripe) Stripe URLs, exactly as settings.py builds it for production. Chromium enforces
it; every "Refused to ..." console message and every ``securitypolicyviolation``
event is collected, and none is allowed.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from oscar.test.factories import create_product
from playwright.sync_api import expect

from shop.pages.services import site_pages_install
from shop.security_policy import content_security_policy
from tests.browser.conftest import wait_until_editing_sessions_released
from tests.browser.payments.test_card_checkout_browser import checkout_to_payment
from tests.factories.payments import shipping_country, shop_product

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "csp-admin-pass-1"  # noqa: S105
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


class CspWatch:
    def __init__(self, page):
        self.page = page
        self.console = []

    def violations(self) -> list[str]:
        events = self.page.evaluate("window.__cspViolations || []")
        return self.console + events


def _django_handler(live_server):
    """The live server's innermost WSGIHandler, the one holding the middleware chain."""
    handler = live_server.thread.httpd.get_app()
    while hasattr(handler, "application"):
        handler = handler.application
    return handler


@pytest.fixture
def csp_page(browser_page, live_server, localstripe, settings):
    """A page served with production's CSP middleware; ``.violations()`` lists what it refused."""
    original_middleware = list(settings.MIDDLEWARE)
    settings.CONTENT_SECURITY_POLICY = content_security_policy(
        stripe_js_url=settings.STRIPE_JS_URL, stripe_api_base=settings.STRIPE_API_BASE
    )
    # Where production's settings put it: right after WhiteNoise.
    position = original_middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
    settings.MIDDLEWARE = [
        *original_middleware[:position],
        "csp.middleware.CSPMiddleware",
        *original_middleware[position:],
    ]
    handler = _django_handler(live_server)
    handler.load_middleware()
    watch = CspWatch(browser_page)
    browser_page.add_init_script(VIOLATION_LISTENER)
    browser_page.on(
        "console",
        lambda message: (
            watch.console.append(message.text)
            if "Content Security Policy" in message.text or message.text.startswith("Refused to")
            else None
        ),
    )
    yield watch
    settings.MIDDLEWARE = original_middleware
    handler.load_middleware()


def _cms_login(page, username: str) -> None:
    page.goto("/cms/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body")).not_to_contain_text("Sign in to Wagtail")


@pytest.fixture
def admin_user(transactional_db):
    return get_user_model().objects.create_superuser(
        username="csp-admin", email="csp-admin@campus.example", password=ADMIN_PASSWORD
    )


def test_wagtail_page_editor_runs_under_the_csp(csp_page, live_server, admin_user):
    product = create_product(title="Sourdough loaf", price=Decimal("6.00"), num_in_stock=5)
    home = site_pages_install(featured_product_ids=[product.pk], featured_category_id=None)
    page = csp_page.page
    _cms_login(page, admin_user.username)

    page.goto(f"/cms/pages/{home.pk}/edit/")
    # The StreamField editor is built by Wagtail's scripts: it only appears if they ran.
    expect(page.locator("#body-0-value-headline")).to_be_visible()
    page.locator(
        "footer .w-dropdown__toggle, footer [data-w-dropdown-target='toggle']"
    ).first.click()
    expect(page.locator("button[name='action-publish']")).to_be_visible()

    assert csp_page.violations() == []
    # Closing the editor releases its editing session with a beacon: close it here and let the
    # live server answer it while the test's database is still there, not while the next test
    # empties it.
    page.close()
    wait_until_editing_sessions_released()


@pytest.mark.parametrize(
    "path, chart",
    [
        ("/cms/crm/reports/", "canvas[data-chart]"),
        ("/cms/crm/kpis/", "canvas[data-chart]"),
    ],
)
def test_report_charts_draw_under_the_csp(csp_page, live_server, admin_user, path, chart):
    page = csp_page.page
    _cms_login(page, admin_user.username)

    page.goto(path)

    canvas = page.locator(chart).first
    expect(canvas).to_be_visible()
    # Chart.js loaded (a static file) and took the canvas over.
    assert page.evaluate("typeof Chart") == "function"
    assert page.evaluate(f"!!Chart.getChart(document.querySelector({chart!r}))")
    assert csp_page.violations() == []


def test_stripe_card_checkout_page_runs_under_the_csp(csp_page, live_server, transactional_db):
    shipping_country()
    rice = shop_product(price="12.00", title="Jasmine rice 1kg")
    page = csp_page.page

    checkout_to_payment(page, rice)

    # Stripe.js (localstripe's) loaded from Stripe's origin and mounted its card fields.
    expect(page.locator("#card-element input[placeholder=number]")).to_be_visible()
    assert csp_page.violations() == []
