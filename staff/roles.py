"""The store's staff roles: the one table of who may do what.

Each role is one Django group. ``staff.services.roles_install`` creates the groups and
gives them these permissions after every ``migrate`` (so a fresh database has them) and from
``load_demo``; every other place (the demo loader, the apps' checks, the tests) reads the group
names and permissions from here. docs/architecture.md ("Staff roles") is this table in words:
keep the two together.

Permissions are written ``"app_label.codename"``, or ``"app_label.*"`` for every permission of
an app. Roles add up: someone who does two jobs is put in both groups.

Why marketing and marketing managers split the points economy as they do: the design gives
the economy to marketing, who run the programme day to day. They change the earning rules
(base rate, pending days, expiry, redemption), tier thresholds and member types, run earning
campaigns and category or product multipliers, import cards and adjust a member's points; each
of those changes can be changed back. Deleting a tier or a member type cannot: members lose their
tier at the next recompute, and the design's member types carry the member discount. That,
and everything that hands out members' personal data (member and CRM exports, merges, the
privacy log, the white/grey/black lists), is the marketing manager's. A manager can also do
everything marketing does (their group holds marketing's permissions too) except edit pages,
which stays with Wagtail's "Editors".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    key: str
    group: str
    label: str
    # Oscar's dashboard (and the till in it) lets in staff accounts only (``is_staff``); the
    # Wagtail admin needs ``wagtailadmin.access_admin`` instead.
    dashboard: bool
    # Where the role's work is: staff land there after signing in, and the storefront's top
    # bar links back to it under this name (staff.selectors.staff_workplaces).
    where: str
    where_label: str
    permissions: tuple[str, ...]
    # Roles whose permissions this one holds too.
    includes: tuple[str, ...] = field(default_factory=tuple)


MARKETING = "marketing"
MARKETING_MANAGER = "marketing_manager"
OPERATOR = "operator"
CASHIER = "cashier"

# Wagtail's own group: its migrations give it the page, image and document rights, and
# shop.pages.services adds publishing on the store's pages.
MARKETING_GROUP = "Editors"
MARKETING_MANAGERS_GROUP = "Marketing managers"
OPERATORS_GROUP = "Store operators"
CASHIERS_GROUP = "Cashiers"

# The loyalty screens' model permissions, by model.
_ECONOMY_MODELS = ("membertype", "tier")
_PROMOTION_MODELS = ("categoryearningmultiplier", "productearningmultiplier", "earningcampaign")

ROLES: tuple[Role, ...] = (
    Role(
        key=MARKETING,
        group=MARKETING_GROUP,
        label=_("Marketing"),
        dashboard=False,
        where="/cms/",
        where_label=_("CMS"),
        permissions=(
            "wagtailadmin.access_admin",
            # "Translate" on a page they may edit: its copy in another language to edit and
            # publish (the page rights themselves are Wagtail's, on the Editors group).
            "simple_translation.submit_translation",
            # Loyalty: members, point adjustments, card import and renewal.
            "loyalty.view_membercard",
            "loyalty.add_membercard",
            "loyalty.change_membercard",
            "loyalty.view_pointstransaction",
            "loyalty.change_pointsaccount",
            # The points economy: earning rules (a Wagtail setting), tiers, member types.
            "loyalty.change_earningrules",
            # What the checkout promises: delivery fee, free-delivery threshold, rounds and
            # pick-up times (a Wagtail setting the "Campus delivery" page shows too).
            "shipping.change_deliverysettings",
            *(
                f"loyalty.{action}_{model}"
                for model in _ECONOMY_MODELS
                for action in ("view", "add", "change")
            ),
            # Promotions: earning campaigns and category / product multipliers.
            *(
                f"loyalty.{action}_{model}"
                for model in _PROMOTION_MODELS
                for action in ("view", "add", "change", "delete")
            ),
            # Segments and campaigns (and the test email of a campaign).
            *(
                f"marketing.{action}_{model}"
                for model in ("segment", "campaign", "customervalue")
                for action in ("view", "add", "change", "delete")
            ),
            # CRM: profiles, tickets and the contact log; never export or merge.
            "crm.view_customer_profile",
            "crm.view_ticket",
            "crm.change_ticket",
            "crm.view_contactlogentry",
            "crm.add_contactlogentry",
            "crm.view_listentry",
            "crm.view_surveyinvitation",
        ),
    ),
    Role(
        key=MARKETING_MANAGER,
        group=MARKETING_MANAGERS_GROUP,
        label=_("Marketing manager"),
        dashboard=False,
        where="/cms/",
        where_label=_("CMS"),
        includes=(MARKETING,),
        permissions=(
            "wagtailadmin.access_admin",
            # Deleting a tier or a member type reshapes every member's standing.
            *(f"loyalty.delete_{model}" for model in _ECONOMY_MODELS),
            # Every CRM right: export and merge personal data, lists, ticket categories,
            # the privacy log. Exporting the member list is checked by this group's name
            # (loyalty.selectors.member_export_allowed).
            "crm.*",
        ),
    ),
    Role(
        key=OPERATOR,
        group=OPERATORS_GROUP,
        label=_("Store operator"),
        dashboard=True,
        where="/dashboard/",
        where_label=_("Dashboard"),
        permissions=(
            # Oscar 4.2's dashboard views check these model permissions on top of is_staff.
            "analytics.*",
            "catalogue.*",
            "communication.*",
            "offer.*",
            "order.*",
            "partner.*",
            "reviews.*",
            "shipping.*",
            "voucher.*",
            # Reading customer accounts (orders, the dashboard's user pages).
            "auth.view_user",
            # Stock, reorder, suppliers, purchase orders, finance reports.
            "operations.*",
            # Operators supervise the till: every till right, closing anyone's shift included.
            "till.*",
            # Pre-orders: the screens, the settings, the report and the hand-over.
            "preorders.view_preorder",
            "preorders.change_preorder",
            "preorders.view_preordersettings",
            "preorders.change_preordersettings",
            "preorders.view_preorder_report",
            "preorders.hand_over_preorder",
            # Department credit: see accounts, take payments, ask for write-offs. Limits,
            # approvals and write-off decisions stay with the credit manager (superuser).
            "credit.view_creditaccount",
            "credit.change_creditaccount",
            "credit.add_creditpayment",
            "credit.add_writeoff",
        ),
    ),
    Role(
        key=CASHIER,
        group=CASHIERS_GROUP,
        label=_("Cashier"),
        dashboard=True,
        where="/dashboard/till/",
        where_label=_("Till"),
        permissions=(
            # Ring up sales in their own shift, read their shift reports and the rota; no
            # refunds (order.change_order), never points (loyalty.selectors refuses the group).
            "till.use_till",
            "till.view_shift",
            "till.view_register",
            "till.view_rotapost",
            "till.view_rotaassignment",
            # Members collect their pre-orders at the till.
            "preorders.hand_over_preorder",
        ),
    ),
)

ROLES_BY_KEY: dict[str, Role] = {role.key: role for role in ROLES}


def role_permissions(key: str) -> tuple[str, ...]:
    """The role's own permissions and those of the roles it includes, without repeats."""
    role = ROLES_BY_KEY[key]
    permissions: list[str] = []
    for included in role.includes:
        permissions += role_permissions(included)
    permissions += role.permissions
    return tuple(dict.fromkeys(permissions))
