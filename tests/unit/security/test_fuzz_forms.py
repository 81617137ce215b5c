"""Fuzz every form of ours: hostile values never give a 500, and a refusal writes nothing.

The table below has one entry per POST-accepting URL of ours (read from the URLconf by
``urls_of_ours``). ``test_every_post_url_of_ours_is_fuzzed`` fails when a new view appears
without an entry here or a reasoned exclusion, so no form is forgotten.

For each entry the test logs in as the right kind of user, reads the names of the fields the
page's form posts (from the GET page, or from the page that holds the form, plus every
``request.POST`` key the view's code reads), then posts hypothesis-drawn bodies over those
names: wrong types, huge and NUL-bearing strings, NaN/Infinity/huge/negative numbers, bad
dates, unknown ids, another shopper's ids, missing and repeated fields. Each answer must be
below 500; if it refuses (4xx, a form re-rendered with errors, or an error message) the
database fingerprint before and after must be equal.

Run: `.venv/bin/pytest tests/unit/security -q -p no:cacheprovider -k fuzz`
(`FUZZ_PROFILE=fuzz-explore FUZZ_EXAMPLES=200` for a longer random hunt).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.urls import resolve, reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.factories.payments import CheckoutDriver, shipping_country
from tests.unit.security.fuzz_world import FuzzWorld, log_in
from tests.unit.security.fuzzkit import (
    FUZZ_SETTINGS,
    DatabaseFingerprint,
    assert_refused_cleanly_or_accepted,
    form_field_names,
    hostile_form,
)
from tests.unit.security.urls_of_ours import OUR_PACKAGES, our_post_urls

pytestmark = pytest.mark.django_db

STAFF, SHOPPER, AT_PAYMENT, ANONYMOUS = "staff", "shopper", "shopper at payment", "anonymous"
# A shopper with a basket who has not yet chosen pick-up or delivery.
IN_CHECKOUT = "shopper with a basket"


@dataclass(frozen=True)
class Case:
    who: str
    # URL kwargs from the world; a list value means "each of these" (drawn per example).
    kwargs: Callable[[FuzzWorld], dict] = lambda world: {}
    # For POST-only views: the URL of the page whose form posts here.
    form_page: Callable[[FuzzWorld], str] | None = None
    # Field names the page does not show but the view reads (hidden by JavaScript, etc.).
    fields: tuple[str, ...] = field(default_factory=tuple)


def _pk(attribute: str) -> Callable[[FuzzWorld], dict]:
    return lambda world: {"pk": getattr(world, attribute).pk}


def _page(name: str, attribute: str | None = None) -> Callable[[FuzzWorld], str]:
    if attribute is None:
        return lambda world: reverse(name)
    return lambda world: reverse(name, kwargs={"pk": getattr(world, attribute).pk})


def _wagtail_model_cases(prefix: str, attribute: str, *, send: bool = False) -> dict[str, Case]:
    cases = {
        f"{prefix}:add": Case(STAFF),
        f"{prefix}:edit": Case(STAFF, _pk(attribute)),
        f"{prefix}:delete": Case(STAFF, _pk(attribute)),
        f"{prefix}:copy": Case(STAFF, _pk(attribute)),
    }
    if send:
        cases[f"{prefix}:send"] = Case(STAFF, _pk(attribute))
    return cases


def _snippet_cases(model_name: str, attribute: str) -> dict[str, Case]:
    cases = _wagtail_model_cases(f"wagtailsnippets_loyalty_{model_name}", attribute)
    cases[f"wagtailsnippetchoosers_loyalty_{model_name}:create"] = Case(STAFF)
    return cases


FUZZ_CASES: dict[str, Case] = {
    # ---------------------------------------------------------------- member card pages
    "membercard:lookup": Case(ANONYMOUS, fields=("number", "pin")),
    "membercard:lookup-end": Case(ANONYMOUS),
    "membercard:claim": Case(
        SHOPPER, form_page=_page("customer:profile-view"), fields=("number", "pin")
    ),
    "membercard:checkout-points": Case(
        AT_PAYMENT, form_page=_page("checkout:payment-details"), fields=("points",)
    ),
    "membercard:pin-change": Case(SHOPPER),
    "membercard:pin-reset-request": Case(ANONYMOUS),
    "membercard:pin-reset": Case(
        ANONYMOUS, lambda world: {"token": [world.pin_reset_token, "x" * 300, "bogus"]}
    ),
    "membercard:settings": Case(SHOPPER),
    # ---------------------------------------------------------------- account
    "customer:login": Case(ANONYMOUS),
    "customer:change-password": Case(SHOPPER),
    "customer:profile-delete": Case(SHOPPER),
    # ---------------------------------------------------------------- basket, wallet, checkout
    "basket:summary": Case(IN_CHECKOUT),
    "wallet:wallet-top-up": Case(SHOPPER, form_page=_page("wallet:wallet")),
    "checkout:index": Case(IN_CHECKOUT),
    "checkout:shipping-method": Case(IN_CHECKOUT, fields=("method_code",)),
    "checkout:shipping-address": Case(
        IN_CHECKOUT,
        fields=("building", "room", "phone_number", "notes", "delivery_round"),
    ),
    "checkout:payment-details": Case(AT_PAYMENT),
    "checkout:preview": Case(
        AT_PAYMENT,
        form_page=_page("checkout:payment-details"),
        fields=(
            "action",
            "payment_method_id",
            "use_wallet",
            "pay_on_account",
            "basket_digest",
            "points",
        ),
    ),
    # ---------------------------------------------------------------- support (crm), pre-orders
    "crm-support:ticket-create": Case(SHOPPER),
    "crm-support:ticket": Case(SHOPPER, _pk("ticket"), fields=("body", "satisfaction", "action")),
    "crm-support:survey": Case(ANONYMOUS, lambda world: {"token": [world.survey_token, "bogus"]}),
    "preorders:cancel": Case(SHOPPER, _pk("preorder"), form_page=_page("customer:order-list")),
    "preorders:pay-again": Case(
        ANONYMOUS, lambda world: {"token": [world.preorder_pay_again_token, "bogus"]}
    ),
    "marketing:unsubscribe": Case(
        ANONYMOUS, lambda world: {"token": [world.unsubscribe_token, "bogus"]}
    ),
    # ---------------------------------------------------------------- Oscar dashboard apps of ours
    "refunds-dashboard:order-refund": Case(STAFF, lambda world: {"number": world.order.number}),
    "operations-reorder-action": Case(STAFF, form_page=_page("operations-reorder")),
    "operations-po-action": Case(
        STAFF,
        lambda world: {
            "pk": world.purchase_order.pk,
            "action": ["update", "receive", "send", "cancel", "nonsense"],
        },
        form_page=_page("operations-po-detail", "purchase_order"),
    ),
    "operations-supplier-create": Case(STAFF),
    "operations-supplier-update": Case(STAFF, _pk("supplier")),
    "operations-supplier-product-create": Case(
        STAFF, _pk("supplier"), form_page=_page("operations-supplier-update", "supplier")
    ),
    "operations-supplier-payment-create": Case(
        STAFF, _pk("supplier"), form_page=_page("operations-supplier-statement", "supplier")
    ),
    "operations-stock-count": Case(
        STAFF, _pk("stockrecord"), form_page=_page("operations-stock-detail", "stockrecord")
    ),
    "operations-stock-freeze": Case(
        STAFF, _pk("stockrecord"), form_page=_page("operations-stock-detail", "stockrecord")
    ),
    "operations-calendar-create": Case(STAFF),
    "operations-calendar-update": Case(STAFF, _pk("calendar_period")),
    "operations-calendar-delete": Case(STAFF, _pk("calendar_period")),
    "operations-promotion-create": Case(STAFF),
    "credit-account-create": Case(STAFF),
    "credit-account-limit": Case(
        STAFF, _pk("credit_account"), form_page=_page("credit-account-detail", "credit_account")
    ),
    "credit-account-status": Case(
        STAFF, _pk("credit_account"), form_page=_page("credit-account-detail", "credit_account")
    ),
    "credit-payment-create": Case(
        STAFF, _pk("credit_account"), form_page=_page("credit-account-detail", "credit_account")
    ),
    "credit-writeoff-request": Case(
        STAFF, _pk("invoice"), form_page=_page("credit-account-detail", "credit_account")
    ),
    "credit-approval-decide": Case(STAFF, _pk("approval"), form_page=_page("credit-approval-list")),
    "credit-writeoff-decide": Case(
        STAFF, _pk("write_off"), form_page=_page("credit-writeoff-list")
    ),
    "till-sale": Case(STAFF),
    "till-refund": Case(STAFF, _pk("till_sale"), fields=("action", "reason")),
    "till-shift-open": Case(STAFF),
    "till-shift-close": Case(STAFF, _pk("shift")),
    "till-rota-create": Case(STAFF),
    "till-rota-update": Case(STAFF, _pk("rota_assignment")),
    "till-rota-delete": Case(STAFF, _pk("rota_assignment"), form_page=_page("till-rota")),
    "till-rota-copy": Case(STAFF, form_page=_page("till-rota")),
    "preorders-settings-create": Case(STAFF),
    "preorders-settings-edit": Case(STAFF, _pk("preorder_settings")),
    "preorders-date-move": Case(
        STAFF, _pk("preorder_settings"), form_page=_page("preorders-product", "preorder_settings")
    ),
    "preorders-cancel-all": Case(
        STAFF, _pk("preorder_settings"), form_page=_page("preorders-product", "preorder_settings")
    ),
    "preorders-release-now": Case(
        STAFF, _pk("preorder_settings"), form_page=_page("preorders-product", "preorder_settings")
    ),
    "preorders-cancel": Case(
        STAFF, _pk("preorder"), form_page=_page("preorders-product", "preorder_settings")
    ),
    "preorders-handover": Case(STAFF),
    # ---------------------------------------------------------------- /cms/ screens of ours
    "loyalty_members:adjust": Case(STAFF, _pk("card")),
    "loyalty_members:renew": Case(STAFF, _pk("card")),
    "loyalty_members:import": Case(STAFF),
    "crm_customers:profile": Case(STAFF, lambda world: {"pk": world.shopper.pk}),
    "crm_tickets:edit": Case(STAFF, _pk("ticket")),
    **_wagtail_model_cases("recommendation_rules", "product_rule"),
    **_wagtail_model_cases("listentry", "list_entry"),
    **_wagtail_model_cases("ticketcategory", "ticket_category"),
    **_wagtail_model_cases("marketing_segments", "segment"),
    **_wagtail_model_cases("marketing_campaigns", "campaign", send=True),
    # Nothing to fuzz but the POST itself: the test goes to the staff member's own address.
    "marketing_campaigns:test": Case(STAFF, _pk("campaign")),
    **_snippet_cases("membertype", "member_type"),
    **_snippet_cases("tier", "tier"),
    **_snippet_cases("categoryearningmultiplier", "category_multiplier"),
    **_snippet_cases("productearningmultiplier", "product_multiplier"),
    **_snippet_cases("earningcampaign", "earning_campaign"),
}

# POST URLs of ours with no form fuzz here, each with the reason.
NOT_FORM_FUZZED: dict[str, str] = {
    # A JSON body signed by Stripe, not a form: test_fuzz_json.py posts malformed, unsigned,
    # wrongly typed and oversized bodies at it.
    "checkout:stripe-webhook": "test_fuzz_json.py",
}

POST_URL_NAMES = {url.name for url in our_post_urls()}


def test_every_post_url_of_ours_is_fuzzed():
    missing = POST_URL_NAMES - set(FUZZ_CASES) - set(NOT_FORM_FUZZED)
    stale = (set(FUZZ_CASES) | set(NOT_FORM_FUZZED)) - POST_URL_NAMES
    assert not missing, f"POST views of ours without a fuzz case: {sorted(missing)}"
    assert not stale, f"fuzz cases for URLs that no longer exist or take no POST: {sorted(stale)}"


# --------------------------------------------------------------------------- the fuzz run

POST_KEY = re.compile(
    r"""(?:POST|data)(?:\.get|\.getlist|\.pop)?[\[(]\s*["']([A-Za-z0-9_\-]+)["']"""
    r"""|["']([A-Za-z0-9_\-]+)["']\s+in\s+(?:request\.|self\.request\.)?POST"""
)


def _keys_read_by_view(url_path: str) -> set[str]:
    """Every ``request.POST[...]`` key the view's own code reads (ours only, not Wagtail's)."""
    callback = resolve(url_path).func
    target = getattr(callback, "view_class", None) or inspect.unwrap(callback)
    if target.__module__.split(".")[0] not in OUR_PACKAGES:
        return set()
    try:
        own = inspect.getsource(target)
    except (OSError, TypeError):
        return set()
    return {a or b for a, b in POST_KEY.findall(own)}


@pytest.fixture
def world():
    yield FuzzWorld()
    # The card PIN throttle counts failures in the cache, which outlives the test database.
    cache.clear()


def _log_in(client, world: FuzzWorld, who: str) -> None:
    if who == STAFF:
        log_in(client, world.staff)
    elif who in (SHOPPER, AT_PAYMENT, IN_CHECKOUT):
        log_in(client, world.shopper)
    if who in (AT_PAYMENT, IN_CHECKOUT):
        driver = CheckoutDriver(client)
        driver.add_to_basket(world.product)
        if who == AT_PAYMENT:
            driver.enter_shipping_address()
        else:
            # The delivery step offers a round only in a country the store ships to.
            shipping_country()


def _draw_kwargs(data, kwargs: dict) -> dict:
    return {
        key: data.draw(st.sampled_from(value)) if isinstance(value, list) else value
        for key, value in kwargs.items()
    }


@pytest.mark.parametrize("url_name", sorted(FUZZ_CASES))
def test_hostile_form_posts_never_crash_and_refusals_write_nothing(
    url_name, client, world, localstripe
):
    case = FUZZ_CASES[url_name]
    kwargs = case.kwargs(world)
    _log_in(client, world, case.who)
    first_kwargs = {k: (v[0] if isinstance(v, list) else v) for k, v in kwargs.items()}
    url = reverse(url_name, kwargs=first_kwargs)
    page_url = case.form_page(world) if case.form_page else url
    page = client.get(page_url)
    assert not _is_login_redirect(page), (
        f"{case.who} cannot open {page_url}: the case tests nothing"
    )
    names = (
        form_field_names(page.content.decode(errors="replace")) if page.status_code == 200 else []
    )
    names = sorted(set(names) | set(case.fields) | _keys_read_by_view(url))
    hostile_ids = world.other_ids
    fingerprint = DatabaseFingerprint()

    @FUZZ_SETTINGS
    @given(data=st.data(), body=hostile_form(names, hostile_ids))
    def post_hostile(data, body):
        target = reverse(url_name, kwargs=_draw_kwargs(data, kwargs))
        before = fingerprint.take()
        response = client.post(target, body)
        after = fingerprint.take()
        assert not _is_login_redirect(response), f"POST {target} was sent to the login page"
        assert_refused_cleanly_or_accepted(
            response, before, after, request_repr=f"POST {target} {_short(body)}"
        )

    post_hostile()

    # Bodies that are not a form at all: the view sees an empty or unparsable POST.
    for raw_body, content_type in MALFORMED_BODIES:
        before = fingerprint.take()
        response = client.generic("POST", url, raw_body, content_type=content_type)
        after = fingerprint.take()
        assert_refused_cleanly_or_accepted(
            response, before, after, request_repr=f"POST {url} {content_type} {raw_body[:40]!r}"
        )


MALFORMED_BODIES = [
    (b'{"points": ', "application/json"),
    (b'{"points": NaN, "number": [1, 2]}', "application/json"),
    (bytes(range(256)), "application/octet-stream"),
    (b"points=%%%&number=%ZZ&pin=%00", "application/x-www-form-urlencoded"),
    (
        b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n",
        "multipart/form-data; boundary=x",
    ),
    (b"anything", "multipart/form-data"),  # no boundary at all
]


def _is_login_redirect(response) -> bool:
    location = response.headers.get("Location", "") if response.status_code in (301, 302) else ""
    return "login" in location.split("?")[0]


def _short(body: dict) -> str:
    return repr(
        {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in body.items()}
    )[:600]
