"""Permission matrix: every URL of ours, asked by every role, is answered as the role deserves.

The URLs come from the URLconf (``urls_of_ours``); ``test_every_url_of_ours_has_a_rule`` fails
when a view is added without a rule here. Each rule names the roles that may reach the URL;
every other role must be refused: a redirect to a login page (or, inside /cms/, to the admin
home with Wagtail's "no permission" message), a 403, or a 404 for someone else's object. A
URL that takes POST is also posted to (empty body) by each refused role, which must be
refused the same way and write nothing.

The staff roles are the demo's (``shop.demo`` plus each app's demo grants), so the matrix
checks the permissions the store really ships with, not ones invented for the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.unit.security.fuzz_world import FuzzWorld
from tests.unit.security.fuzzkit import DatabaseFingerprint, fingerprint_diff
from tests.unit.security.urls_of_ours import our_urls

pytestmark = pytest.mark.django_db

User = get_user_model()

ANONYMOUS = "anonymous"
SHOPPER = "shopper"
OTHER_SHOPPER = "other shopper"
CASHIER = "cashier"
MARKETING = "marketing"
MARKETING_MANAGER = "marketing manager"
OPERATOR = "store operator"
SUPERUSER = "superuser"
ROLES = (
    ANONYMOUS,
    SHOPPER,
    OTHER_SHOPPER,
    CASHIER,
    MARKETING,
    MARKETING_MANAGER,
    OPERATOR,
    SUPERUSER,
)
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANONYMOUS}
SHOPPERS = frozenset({SHOPPER, OTHER_SHOPPER})
TILL_STAFF = frozenset({CASHIER, OPERATOR, SUPERUSER})
OPERATORS = frozenset({OPERATOR, SUPERUSER})
CMS_EDITORS = frozenset({MARKETING, MARKETING_MANAGER, SUPERUSER})
MANAGERS = frozenset({MARKETING_MANAGER, SUPERUSER})
SUPERUSER_ONLY = frozenset({SUPERUSER})
NOBODY = frozenset()

# Where a refusal may send the browser.
LOGIN_PATHS = ("/accounts/login/", "/cms/login/", "/dashboard/login/")
CMS_HOME = "/cms/"


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    kwargs: Callable[[FuzzWorld], dict] = lambda world: {}
    # Other places a refused request may be sent (the card lookup for a page that needs it).
    refused_to: tuple[str, ...] = ()
    # No row to point at (a till sale needs a whole till run): allowed roles may get a 404.
    no_object: bool = False


def _pk(attribute: str) -> Callable[[FuzzWorld], dict]:
    return lambda world: {"pk": getattr(world, attribute).pk}


BOGUS_PK = {"pk": 987654}


def _wagtail_model(prefix: str, attribute: str, allowed: frozenset[str], *, view=None):
    """The URLs of a Wagtail ModelViewSet/SnippetViewSet on one of our models."""
    view = allowed if view is None else view
    rules = {
        f"{prefix}:{action}": Rule(view)
        for action in ("index", "index_results", "list", "list_results")
    }
    for action in ("add", "create"):
        rules[f"{prefix}:{action}"] = Rule(allowed)
    for action in ("edit", "delete", "copy"):
        rules[f"{prefix}:{action}"] = Rule(allowed, _pk(attribute))
    # Wagtail shows an object's history and usage to those who may change it.
    for action in ("history", "history_results", "usage"):
        rules[f"{prefix}:{action}"] = Rule(allowed, _pk(attribute))
    return rules


def _snippet(model_name: str, attribute: str, allowed: frozenset[str]) -> dict[str, Rule]:
    rules = _wagtail_model(f"wagtailsnippets_loyalty_{model_name}", attribute, allowed)
    chooser = f"wagtailsnippetchoosers_loyalty_{model_name}"
    # Wagtail's snippet choosers list names to every /cms/ user so editors can pick them in
    # forms; these hold store settings (member types, tiers, multipliers), no personal data.
    rules |= {
        f"{chooser}:choose": Rule(CMS_EDITORS),
        f"{chooser}:choose_results": Rule(CMS_EDITORS),
        f"{chooser}:chosen": Rule(
            CMS_EDITORS, lambda world, a=attribute: {"pk": getattr(world, a).pk}
        ),
        f"{chooser}:chosen_multiple": Rule(CMS_EDITORS),
        # Creating from the chooser is switched off for these snippets: 404 for everyone.
        f"{chooser}:create": Rule(allowed, no_object=True),
    }
    return rules


RULES: dict[str, Rule] = {
    # ------------------------------------------------------------------ public
    "health": Rule(EVERYONE),
    "catalogue:index": Rule(EVERYONE),
    "catalogue:category": Rule(
        EVERYONE, lambda world: {"category_slug": world.category.slug, "pk": world.category.pk}
    ),
    "search:search": Rule(EVERYONE),
    "catalogue:detail": Rule(
        EVERYONE, lambda world: {"product_slug": world.product.slug, "pk": world.product.pk}
    ),
    "marketing:open": Rule(EVERYONE, lambda world: {"token": "not-a-real-token"}),
    # Without a signed target (or a checkout attempt in the session) these answer 404 to all.
    "marketing:click": Rule(EVERYONE, no_object=True),
    # Links in emails: whoever holds the signed token may use it, logged in or not.
    "marketing:unsubscribe": Rule(EVERYONE, lambda world: {"token": world.unsubscribe_token}),
    "crm-support:survey": Rule(EVERYONE, lambda world: {"token": world.survey_token}),
    "preorders:pay-again": Rule(EVERYONE, lambda world: {"token": world.preorder_pay_again_token}),
    "membercard:pin-reset": Rule(EVERYONE, lambda world: {"token": world.pin_reset_token}),
    "membercard:lookup": Rule(EVERYONE),
    "membercard:lookup-end": Rule(EVERYONE),
    "membercard:pin-reset-request": Rule(EVERYONE),
    "membercard:invite": Rule(EVERYONE, lambda world: {"code": "NOSUCHCODE"}),
    # Oscar's checkout allows guests; with an empty basket it sends everyone to the basket.
    "checkout:payment-details": Rule(EVERYONE),
    "checkout:preview": Rule(EVERYONE),
    "checkout:stripe-authenticate": Rule(EVERYONE, no_object=True),
    "checkout:stripe-return": Rule(EVERYONE, no_object=True),
    # Signature-checked instead of a login (test_csrf_posts.py posts a forged one).
    "checkout:stripe-webhook": Rule(EVERYONE),
    # ------------------------------------------------------------------ a shopper's own things
    # The history of a card needs its PIN in this browser session: nobody here has typed it
    # (test_access_objects.py checks that the owner with the PIN gets in).
    "membercard:lookup-result": Rule(NOBODY, refused_to=("/member-card/",)),
    "membercard:claim": Rule(LOGGED_IN),
    "membercard:checkout-points": Rule(LOGGED_IN),
    # PIN change and card settings act on the logged-in member's own card.
    "membercard:pin-change": Rule(SHOPPERS, refused_to=("/member-card/",)),
    "membercard:settings": Rule(LOGGED_IN),
    "loyalty:wallet": Rule(LOGGED_IN),
    "loyalty:wallet-top-up": Rule(LOGGED_IN),
    "loyalty:wallet-top-up-return": Rule(LOGGED_IN),
    "crm-support:ticket-list": Rule(LOGGED_IN),
    "crm-support:ticket-create": Rule(LOGGED_IN),
    "crm-support:ticket": Rule(frozenset({SHOPPER}), _pk("ticket")),
    # The ticket has no photo: even its owner gets a 404; the others must not get more.
    "crm-support:ticket-photo": Rule(frozenset({SHOPPER}), _pk("ticket"), no_object=True),
    "preorders:cancel": Rule(frozenset({SHOPPER}), _pk("preorder")),
    # ------------------------------------------------------------------ Oscar dashboard apps of ours
    "refunds-dashboard:order-refund": Rule(OPERATORS, lambda world: {"number": world.order.number}),
    "operations-reorder": Rule(OPERATORS),
    "operations-reorder-action": Rule(OPERATORS),
    "operations-po-list": Rule(OPERATORS),
    "operations-po-detail": Rule(OPERATORS, _pk("purchase_order")),
    "operations-po-print": Rule(OPERATORS, _pk("purchase_order")),
    "operations-po-action": Rule(
        OPERATORS, lambda world: {"pk": world.purchase_order.pk, "action": "send"}
    ),
    "operations-supplier-list": Rule(OPERATORS),
    "operations-supplier-create": Rule(OPERATORS),
    "operations-supplier-update": Rule(OPERATORS, _pk("supplier")),
    "operations-supplier-product-create": Rule(OPERATORS, _pk("supplier")),
    "operations-supplier-statement": Rule(OPERATORS, _pk("supplier")),
    "operations-supplier-payment-create": Rule(OPERATORS, _pk("supplier")),
    "operations-stock-list": Rule(OPERATORS),
    "operations-stock-detail": Rule(OPERATORS, _pk("stockrecord")),
    "operations-stock-count": Rule(OPERATORS, _pk("stockrecord")),
    "operations-stock-freeze": Rule(OPERATORS, _pk("stockrecord")),
    "operations-calendar-list": Rule(OPERATORS),
    "operations-calendar-create": Rule(OPERATORS),
    "operations-calendar-update": Rule(OPERATORS, _pk("calendar_period")),
    "operations-calendar-delete": Rule(OPERATORS, _pk("calendar_period")),
    "operations-promotion-create": Rule(OPERATORS),
    "operations-finance": Rule(OPERATORS),
    "credit-account-list": Rule(OPERATORS),
    # Opening accounts, setting limits and deciding approvals and write-offs are the credit
    # manager's (separation of duties); operators see accounts, take payments, ask for write-offs.
    "credit-account-create": Rule(SUPERUSER_ONLY),
    "credit-account-detail": Rule(OPERATORS, _pk("credit_account")),
    "credit-account-limit": Rule(SUPERUSER_ONLY, _pk("credit_account")),
    "credit-account-status": Rule(OPERATORS, _pk("credit_account")),
    "credit-payment-create": Rule(OPERATORS, _pk("credit_account")),
    "credit-statement": Rule(OPERATORS, _pk("credit_account")),
    "credit-writeoff-request": Rule(OPERATORS, _pk("invoice")),
    "credit-approval-list": Rule(OPERATORS),
    "credit-approval-decide": Rule(SUPERUSER_ONLY, _pk("approval")),
    "credit-writeoff-list": Rule(OPERATORS),
    "credit-writeoff-decide": Rule(SUPERUSER_ONLY, _pk("write_off")),
    "credit-aging": Rule(OPERATORS),
    "credit-balance-report": Rule(OPERATORS),
    "till-sale": Rule(TILL_STAFF),
    "till-receipt": Rule(TILL_STAFF, lambda world: BOGUS_PK, no_object=True),
    "till-shift-list": Rule(TILL_STAFF),
    "till-shift-open": Rule(TILL_STAFF),
    # The world's shift is the superuser's: a cashier may only see and close their own.
    "till-shift-detail": Rule(OPERATORS, _pk("shift")),
    "till-shift-close": Rule(OPERATORS, _pk("shift")),
    "till-rota": Rule(TILL_STAFF),
    "till-rota-create": Rule(OPERATORS),
    "till-rota-update": Rule(OPERATORS, _pk("rota_assignment")),
    "till-rota-delete": Rule(OPERATORS, _pk("rota_assignment")),
    "till-rota-copy": Rule(OPERATORS),
    "preorders-report": Rule(OPERATORS),
    "preorders-settings-create": Rule(OPERATORS),
    "preorders-product": Rule(OPERATORS, _pk("preorder_settings")),
    "preorders-settings-edit": Rule(OPERATORS, _pk("preorder_settings")),
    "preorders-date-move": Rule(OPERATORS, _pk("preorder_settings")),
    "preorders-cancel-all": Rule(OPERATORS, _pk("preorder_settings")),
    "preorders-cancel": Rule(OPERATORS, _pk("preorder")),
    "preorders-handover": Rule(TILL_STAFF),
    # ------------------------------------------------------------------ /cms/ screens of ours
    "loyalty_members:index": Rule(CMS_EDITORS),
    "loyalty_members:index_results": Rule(CMS_EDITORS),
    "loyalty_members:inspect": Rule(CMS_EDITORS, _pk("card")),
    "loyalty_members:adjust": Rule(frozenset({MARKETING, SUPERUSER}), _pk("card")),
    "loyalty_members:import": Rule(frozenset({MARKETING, SUPERUSER})),
    "loyalty_points_adjustments:index": Rule(CMS_EDITORS),
    "loyalty_points_adjustments:index_results": Rule(CMS_EDITORS),
    **_snippet("membertype", "member_type", SUPERUSER_ONLY),
    **_snippet("tier", "tier", SUPERUSER_ONLY),
    **_snippet("categoryearningmultiplier", "category_multiplier", SUPERUSER_ONLY),
    **_snippet("productearningmultiplier", "product_multiplier", SUPERUSER_ONLY),
    **_snippet("earningcampaign", "earning_campaign", SUPERUSER_ONLY),
    "product_chooser:choose": Rule(CMS_EDITORS),
    "product_chooser:choose_results": Rule(CMS_EDITORS),
    "category_chooser:choose": Rule(CMS_EDITORS),
    "category_chooser:choose_results": Rule(CMS_EDITORS),
    **_wagtail_model("recommendation_rules", "product_rule", SUPERUSER_ONLY),
    "crm_customers:index": Rule(CMS_EDITORS),
    "crm_customers:profile": Rule(CMS_EDITORS, lambda world: {"pk": world.shopper.pk}),
    "crm_customers:duplicates": Rule(CMS_EDITORS),
    "crm_tickets:index": Rule(CMS_EDITORS),
    "crm_tickets:edit": Rule(CMS_EDITORS, _pk("ticket")),
    **_wagtail_model("listentry", "list_entry", MANAGERS, view=CMS_EDITORS),
    "crm_reports:index": Rule(CMS_EDITORS),
    "crm_kpis:index": Rule(CMS_EDITORS),
    **_wagtail_model("ticketcategory", "ticket_category", MANAGERS),
    "crm_privacy_log:index": Rule(MANAGERS),
    **_wagtail_model("marketing_segments", "segment", CMS_EDITORS),
    **_wagtail_model("marketing_campaigns", "campaign", CMS_EDITORS),
    "marketing_campaigns:send": Rule(CMS_EDITORS, _pk("campaign")),
    "marketing_campaigns:results": Rule(CMS_EDITORS, _pk("campaign")),
    "marketing_segment_sizes:index": Rule(CMS_EDITORS),
    "marketing_campaign_results:index": Rule(CMS_EDITORS),
    "marketing_dormant:index": Rule(CMS_EDITORS),
}


def test_every_url_of_ours_has_a_rule():
    names = {url.name for url in our_urls()}
    missing = names - set(RULES)
    assert not missing, f"URLs of ours without an access rule: {sorted(missing)}"


# --------------------------------------------------------------------------- the roles


def demo_roles_install() -> dict[str, User]:
    """The demo's staff accounts with every app's demo grants, exactly as load_demo leaves them."""
    from credit import demo as credit_demo
    from loyalty.demo import loyalty_admin_demo_install
    from marketing.demo import marketing_permissions_grant
    from operations import demo as operations_demo
    from preorders.services import preorders_staff_permissions_grant
    from shop.demo import services as shop_demo_services
    from till.demo import till_demo_install

    shop_demo_services._staff_ensure()
    operations_demo._operators_permissions_ensure()
    credit_demo._operators_permissions_ensure()
    till_demo_install()
    loyalty_admin_demo_install()
    preorders_staff_permissions_grant()
    marketing_permissions_grant()
    by_username = {
        user.username: user
        for user in User.objects.filter(
            username__in=["cashier", "marketing", "marketingmanager", "operator", "admin"]
        )
    }
    return {
        CASHIER: by_username["cashier"],
        MARKETING: by_username["marketing"],
        MARKETING_MANAGER: by_username["marketingmanager"],
        OPERATOR: by_username["operator"],
        SUPERUSER: by_username["admin"],
    }


def client_for(role: str, world: FuzzWorld, staff: dict[str, User]) -> Client:
    # Server errors are collected as findings rather than stopping the whole row.
    client = Client(raise_request_exception=False)
    if role == SHOPPER:
        user = world.shopper
    elif role == OTHER_SHOPPER:
        user = world.other_shopper
    else:
        user = staff.get(role)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --------------------------------------------------------------------------- verdicts


def _is_refusal(response, rule: Rule) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        return path in LOGIN_PATHS or path == CMS_HOME or path in rule.refused_to
    return False


def _verdict(response, rule: Rule, *, allowed: bool) -> str | None:
    """None when the answer fits the role, else what was wrong."""
    status = response.status_code
    where = f" -> {response['Location']}" if status in (301, 302) else ""
    if status >= 500:
        return f"{status} server error"
    if allowed:
        if rule.no_object and status == 404:
            return None
        if _is_refusal(response, rule):
            return f"refused ({status}{where}) but should be allowed"
        return None
    if _is_refusal(response, rule):
        return None
    return f"reached ({status}{where}) but should be refused"


def _urls_with_kwargs(world: FuzzWorld):
    for url in our_urls():
        rule = RULES[url.name]
        path = reverse(url.name, kwargs=rule.kwargs(world))
        yield url, rule, path


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role):
    cache.clear()
    world = FuzzWorld()
    staff = demo_roles_install()
    client = client_for(role, world, staff)
    fingerprint = DatabaseFingerprint()
    problems = []
    asked = 0
    for url, rule, path in _urls_with_kwargs(world):
        allowed = role in rule.allowed
        response = client.get(path)
        asked += 1
        # A POST-only view answers a GET with 405; its POST below is the real check.
        if not (response.status_code == 405 and url.accepts_post):
            problem = _verdict(response, rule, allowed=allowed)
            if problem:
                problems.append(f"GET {path} ({url.name}): {problem}")
        if url.accepts_post and not allowed:
            before = fingerprint.take()
            response = client.post(path, {})
            asked += 1
            problem = _verdict(response, rule, allowed=False)
            changed = fingerprint_diff(before, fingerprint.take())
            if problem:
                problems.append(f"POST {path} ({url.name}): {problem}")
            if changed:
                problems.append(f"POST {path} ({url.name}) by a refused role changed {changed}")
    assert asked >= len(our_urls())
    assert not problems, f"{role}: " + "\n".join(problems)
