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


def _wagtail_model(prefix: str, attribute: str, allowed: frozenset[str], *, view=None, delete=None):
    """The URLs of a Wagtail ModelViewSet/SnippetViewSet on one of our models."""
    view = allowed if view is None else view
    delete = allowed if delete is None else delete
    rules = {
        f"{prefix}:{action}": Rule(view)
        for action in ("index", "index_results", "list", "list_results")
    }
    for action in ("add", "create"):
        rules[f"{prefix}:{action}"] = Rule(allowed)
    for action in ("edit", "copy"):
        rules[f"{prefix}:{action}"] = Rule(allowed, _pk(attribute))
    rules[f"{prefix}:delete"] = Rule(delete, _pk(attribute))
    # Wagtail shows an object's history and usage to those who may change it.
    for action in ("history", "history_results", "usage"):
        rules[f"{prefix}:{action}"] = Rule(allowed, _pk(attribute))
    return rules


def _snippet(
    model_name: str, attribute: str, allowed: frozenset[str], *, delete=None
) -> dict[str, Rule]:
    rules = _wagtail_model(
        f"wagtailsnippets_loyalty_{model_name}", attribute, allowed, delete=delete
    )
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
    "home": Rule(EVERYONE),
    "catalogue:index": Rule(EVERYONE),
    "catalogue:category": Rule(
        EVERYONE, lambda world: {"category_slug": world.category.slug, "pk": world.category.pk}
    ),
    "search:search": Rule(EVERYONE),
    "basket:summary": Rule(EVERYONE),
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
    # Card + PIN or email + password; a signed-in visitor is sent on to their account.
    "customer:login": Rule(EVERYONE),
    # Oscar's checkout allows guests; with an empty basket it sends everyone to the basket.
    "checkout:index": Rule(EVERYONE),
    "checkout:shipping-method": Rule(EVERYONE),
    "checkout:shipping-address": Rule(EVERYONE),
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
    "wallet:wallet": Rule(LOGGED_IN),
    # The signed-in person's own points (staff without a card see how to link one).
    "customer:points": Rule(LOGGED_IN),
    # Sets a first password on a card-only account, changes it otherwise: one's own only.
    "customer:change-password": Rule(LOGGED_IN),
    # Deletes one's own account; staff and members with money or open orders are told why not.
    "customer:profile-delete": Rule(LOGGED_IN),
    "wallet:wallet-top-up": Rule(LOGGED_IN),
    "wallet:wallet-top-up-return": Rule(LOGGED_IN),
    "crm-support:ticket-list": Rule(LOGGED_IN),
    "crm-support:ticket-create": Rule(LOGGED_IN),
    "crm-support:ticket": Rule(frozenset({SHOPPER}), _pk("ticket")),
    # The ticket has no photo: even its owner gets a 404; the others must not get more.
    "crm-support:ticket-photo": Rule(frozenset({SHOPPER}), _pk("ticket"), no_object=True),
    "preorders:cancel": Rule(frozenset({SHOPPER}), _pk("preorder")),
    # ------------------------------------------------------------------ Oscar dashboard apps of ours
    # Oscar's home for staff accounts: operators see the store's figures, a cashier is sent
    # on to the till; marketing has no staff account and is sent to the dashboard login.
    "dashboard:index": Rule(TILL_STAFF),
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
    # The world's sale was rung up by the superuser: a cashier refunds only their own sales,
    # a supervisor (till.change_shift) any.
    "till-refund": Rule(OPERATORS, _pk("till_sale")),
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
    "preorders-release-now": Rule(OPERATORS, _pk("preorder_settings")),
    "preorders-cancel": Rule(OPERATORS, _pk("preorder")),
    "preorders-handover": Rule(TILL_STAFF),
    # ------------------------------------------------------------------ /cms/ screens of ours
    "loyalty_members:index": Rule(CMS_EDITORS),
    "loyalty_members:index_results": Rule(CMS_EDITORS),
    "loyalty_members:inspect": Rule(CMS_EDITORS, _pk("card")),
    # A manager's group holds every marketing permission (staff/roles.py).
    "loyalty_members:adjust": Rule(CMS_EDITORS, _pk("card")),
    # Renewing a card is marketing's (change_membercard), never a cashier's.
    "loyalty_members:renew": Rule(CMS_EDITORS, _pk("card")),
    "loyalty_members:import": Rule(CMS_EDITORS),
    "loyalty_points_adjustments:index": Rule(CMS_EDITORS),
    "loyalty_points_adjustments:index_results": Rule(CMS_EDITORS),
    # The points economy is marketing's; deleting a tier or a member type is a manager's.
    **_snippet("membertype", "member_type", CMS_EDITORS, delete=MANAGERS),
    **_snippet("tier", "tier", CMS_EDITORS, delete=MANAGERS),
    **_snippet("categoryearningmultiplier", "category_multiplier", CMS_EDITORS),
    **_snippet("productearningmultiplier", "product_multiplier", CMS_EDITORS),
    **_snippet("earningcampaign", "earning_campaign", CMS_EDITORS),
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
    "marketing_campaigns:test": Rule(CMS_EDITORS, _pk("campaign")),
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
    """The demo's staff accounts with their roles (staff/roles.py), as load_demo leaves them."""
    from shop.demo import services as shop_demo_services

    shop_demo_services._staff_ensure()
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
    # A URL without a rule is reported once, by test_every_url_of_ours_has_a_rule.
    for url in our_urls():
        rule = RULES.get(url.name)
        if rule is None:
            continue
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
    assert asked >= len([url for url in our_urls() if url.name in RULES])
    assert not problems, f"{role}: " + "\n".join(problems)


# --------------------------------------------------------------------------- screens that save
#
# The matrix above asks every URL of ours; these are the staff screens a role must also be
# able to *save* (or be refused saving, with nothing written): the points economy, the card
# import and the campaign test email. The earning rules are a Wagtail setting, served by
# Wagtail's own settings view, so they are asked here.

EARNING_RULES_PATH = "/cms/settings/loyalty/earningrules/"


def _form_data(instance, **changes) -> dict:
    from django.forms.models import model_to_dict

    data = {
        name: value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else value
        for name, value in model_to_dict(instance).items()
        if value is not None and name != "id"
    }
    data.update(changes)
    return data


@dataclass(frozen=True)
class Save:
    allowed: frozenset[str]
    # (client, world) -> the response of the save.
    post: Callable[[Client, FuzzWorld], object]
    # world -> True when the save took effect.
    saved: Callable[[FuzzWorld], bool]


def _earning_rules_post(client, world):
    from loyalty.models import EarningRules

    # The settings view redirects its bare URL to the one naming the row: post to that.
    rules = EarningRules.load()
    return client.post(f"{EARNING_RULES_PATH}{rules.pk}/", _form_data(rules, points_per_cny="2.50"))


def _earning_rules_saved(world) -> bool:
    from decimal import Decimal

    from loyalty.models import EarningRules

    return EarningRules.load().points_per_cny == Decimal("2.50")


def _snippet_url(model_name: str, action: str, pk: int | None = None) -> str:
    args = [pk] if pk is not None else []
    return reverse(f"wagtailsnippets_loyalty_{model_name}:{action}", args=args)


def _import_post(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_file = SimpleUploadedFile(
        "cards.csv",
        f"member_type,name,email\n{world.member_type.code},Imported Member,imported@campus.example\n".encode(),
        content_type="text/csv",
    )
    return client.post(reverse("loyalty_members:import"), {"csv_file": csv_file, "import": "1"})


def _campaign_test_post(client, world):
    from django.core import mail

    mail.outbox = []
    return client.post(reverse("marketing_campaigns:test", args=[world.campaign.pk]))


def _campaign_test_sent(world) -> bool:
    from django.core import mail

    return len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("[Test]")


SAVES: dict[str, Save] = {
    "earning rules": Save(CMS_EDITORS, _earning_rules_post, _earning_rules_saved),
    "tier": Save(
        CMS_EDITORS,
        lambda client, world: client.post(
            _snippet_url("tier", "edit", world.tier.pk),
            _form_data(world.tier, name="Platinum"),
        ),
        lambda world: type(world.tier).objects.filter(name="Platinum").exists(),
    ),
    "member type": Save(
        CMS_EDITORS,
        lambda client, world: client.post(
            _snippet_url("membertype", "edit", world.member_type.pk),
            _form_data(world.member_type, discount_percent="7.50"),
        ),
        lambda world: (
            str(type(world.member_type).objects.get(pk=world.member_type.pk).discount_percent)
            == "7.50"
        ),
    ),
    "category multiplier": Save(
        CMS_EDITORS,
        lambda client, world: client.post(
            _snippet_url("categoryearningmultiplier", "add"),
            {"category": world.category.pk, "multiplier": "3"},
        ),
        lambda world: _category_multiplier_exists(world),
    ),
    "earning campaign": Save(
        CMS_EDITORS,
        lambda client, world: client.post(
            _snippet_url("earningcampaign", "add"),
            {
                "name": "Double points week",
                "multiplier": "2",
                "starts_at": "2030-01-06 08:00",
                "ends_at": "2030-01-12 22:00",
            },
        ),
        lambda world: _earning_campaign_exists("Double points week"),
    ),
    "tier delete": Save(
        MANAGERS,
        lambda client, world: client.post(_snippet_url("tier", "delete", world.tier.pk)),
        lambda world: not type(world.tier).objects.filter(pk=world.tier.pk).exists(),
    ),
    "card import": Save(
        CMS_EDITORS,
        _import_post,
        lambda world: _card_imported(),
    ),
    "campaign test email": Save(CMS_EDITORS, _campaign_test_post, _campaign_test_sent),
}


def _category_multiplier_exists(world) -> bool:
    from loyalty.models import CategoryEarningMultiplier

    return CategoryEarningMultiplier.objects.filter(category=world.category, multiplier=3).exists()


def _card_imported() -> bool:
    from loyalty.models import MemberCard

    return MemberCard.objects.filter(user__email="imported@campus.example").exists()


def _earning_campaign_exists(name: str) -> bool:
    from loyalty.models import EarningCampaign

    return EarningCampaign.objects.filter(name=name).exists()


@pytest.mark.parametrize("role", ROLES)
def test_earning_rules_screen_opens_for_marketing_only(role):
    world = FuzzWorld()
    client = client_for(role, world, demo_roles_install())
    response = client.get(EARNING_RULES_PATH)
    rule = Rule(CMS_EDITORS)
    problem = _verdict(response, rule, allowed=role in rule.allowed)
    assert problem is None, f"{role}: GET {EARNING_RULES_PATH}: {problem}"


@pytest.mark.parametrize("screen", SAVES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_saves_the_staff_screens_it_should_and_no_other(role, screen):
    cache.clear()
    world = FuzzWorld()
    staff = demo_roles_install()
    for user in staff.values():
        # Each staff account has its demo email, so a campaign test has somewhere to go.
        assert user.email
    client = client_for(role, world, staff)
    save = SAVES[screen]
    allowed = role in save.allowed
    # Build the world's rows before the save, so the refusal check sees only the save.
    world.tier, world.member_type, world.category, world.campaign  # noqa: B018

    response = save.post(client, world)

    if allowed:
        # A save redirects; the card import answers with its report on the same page.
        assert response.status_code in (200, 302), f"{role} could not save {screen}: {response}"
        assert not _is_refusal(response, Rule(save.allowed)), f"{role} was refused {screen}"
        assert save.saved(world), f"{role} saved {screen} but nothing changed"
    else:
        assert _is_refusal(response, Rule(save.allowed)), (
            f"{role} reached {screen}: {response.status_code}"
        )
        assert not save.saved(world), f"{role} was refused {screen} but it changed"
