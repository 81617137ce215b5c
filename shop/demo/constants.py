"""Fixed names and demo credentials, kept in one place so `make run` and the docs agree."""

from dataclasses import dataclass

PARTNER_NAME = "Campus Store"
PARTNER_CODE = "campus-store"
PRODUCT_CLASS_NAME = "Grocery"
PRODUCT_CLASS_SLUG = "grocery"
# The one country the store delivers to: Oscar's checkout lists only shipping countries, and
# with none the shipping-address form cannot be filled in, so no online order could be placed.
SHIPPING_COUNTRY_CODE = "CN"
SHIPPING_COUNTRY_NAME = "China"
EMAIL_DOMAIN = "campus.example"
MEMBER_USERNAME_PREFIX = "member"
# "H" for history: keeps demo order numbers apart from Oscar's numeric checkout numbers.
HISTORY_ORDER_NUMBER_PREFIX = "H"
HISTORY_ORDER_STATUS = "Complete"
HISTORY_SHIPPING_METHOD = "In-store purchase"
HISTORY_SHIPPING_CODE = "in-store"
# Purchases are spread over opening hours, local time (settings.TIME_ZONE).
STORE_OPENS_HOUR = 8
STORE_CLOSES_HOUR = 22
FEATURED_PRODUCT_COUNT = 8

# Wagtail's own migrations create this group with access to /cms/.
WAGTAIL_EDITORS_GROUP = "Editors"
STORE_OPERATORS_GROUP = "Store operators"
# Oscar 4.2's dashboard views check model permissions (e.g. order.view_order) on top of
# is_staff, so operators get every permission of the shop's own Oscar apps, plus reading
# customer accounts; nothing from Wagtail.
STORE_OPERATOR_APP_LABELS = (
    "analytics",
    "catalogue",
    "communication",
    "offer",
    "order",
    "partner",
    "reviews",
    "shipping",
    "voucher",
)
STORE_OPERATOR_EXTRA_PERMISSIONS = (("auth", "view_user"),)


@dataclass(frozen=True)
class DemoStaffAccount:
    username: str
    password: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


# Demo-only credentials, printed by load_demo; never use this data set in production.
DEMO_STAFF_ACCOUNTS: tuple[DemoStaffAccount, ...] = (
    DemoStaffAccount("admin", "campus-admin-demo", "superuser: Oscar dashboard and Wagtail"),  # noqa: S106
    DemoStaffAccount("marketing", "campus-marketing-demo", "marketing: Wagtail (/cms/) only"),  # noqa: S106
    DemoStaffAccount("operator", "campus-operator-demo", "store operator: Oscar dashboard only"),  # noqa: S106
    DemoStaffAccount("cashier", "campus-cashier-demo", "cashier: the till and shifts only"),  # noqa: S106
    DemoStaffAccount("marketingmanager", "campus-mktmanager-demo", "CRM + export, merge"),  # noqa: S106
)
