"""Fixed names and demo credentials, kept in one place so `make run` and the docs agree."""

from dataclasses import dataclass

from shop.apps.order.constants import ORDER_STATUS_COMPLETE
from staff import roles

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
# Demo members' names, in pinyin as the campus card system prints them: the real purchase file
# has member numbers only, and a CRM, a till and a points page read better with a person's name.
MEMBER_SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
    "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo",
)  # fmt: skip
MEMBER_GIVEN_NAMES = (
    "Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yang", "Jie", "Tao", "Yan",
    "Hui", "Qiang", "Xin", "Yu", "Ming", "Chao", "Ting", "Hao", "Lan", "Jun",
    "Xiaoyu", "Zihan", "Yutong", "Haoran", "Yichen", "Siyu", "Jiahui", "Zhiwei",
)  # fmt: skip
# "H" for history: keeps demo order numbers apart from Oscar's numeric checkout numbers.
HISTORY_ORDER_NUMBER_PREFIX = "H"
HISTORY_ORDER_STATUS = ORDER_STATUS_COMPLETE
HISTORY_SHIPPING_METHOD = "In-store purchase"
HISTORY_SHIPPING_CODE = "in-store"
# Purchases are spread over opening hours, local time (settings.TIME_ZONE).
STORE_OPENS_HOUR = 8
STORE_CLOSES_HOUR = 22
FEATURED_PRODUCT_COUNT = 8
# The home page's "This week's picks" shows FEATURED_PRODUCT_COUNT cards, two full rows; the
# list holds a few more best sellers so a sold-out pick is replaced instead of leaving a hole.
FEATURED_PRODUCT_RESERVES = 4


@dataclass(frozen=True)
class DemoStaffAccount:
    username: str
    password: str
    role: str
    # The account's staff role (staff/roles.py); None for the superuser.
    staff_role: str | None
    # Receipts, shift reports and the rota name the person, not the login.
    first_name: str
    last_name: str

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# Demo-only credentials, printed by load_demo and `make run` (shop.demo.selectors); never use
# this data set in production. Two cashiers, so a till can be handed over from one to the other.
DEMO_STAFF_ACCOUNTS: tuple[DemoStaffAccount, ...] = (
    DemoStaffAccount(
        "admin", "campus-admin-demo", "superuser: Oscar dashboard and Wagtail", None, "Jian", "Zhou"
    ),  # noqa: S106
    DemoStaffAccount(
        "marketing",
        "campus-marketing-demo",
        "marketing: Wagtail (/cms/) only",
        roles.MARKETING,
        "Xiaoyu",
        "Lin",
    ),
    DemoStaffAccount(
        "operator",
        "campus-operator-demo",
        "store operator: Oscar dashboard only",
        roles.OPERATOR,
        "Hao",
        "Wang",
    ),
    DemoStaffAccount(
        "cashier",
        "campus-cashier-demo",
        "cashier: the till and shifts only",
        roles.CASHIER,
        "Mei",
        "Chen",
    ),
    DemoStaffAccount(
        "cashier2",
        "campus-cashier2-demo",
        "cashier: the till and shifts only",
        roles.CASHIER,
        "Wei",
        "Zhang",
    ),
    DemoStaffAccount(
        "marketingmanager",
        "campus-mktmanager-demo",
        "marketing + CRM export, merge",
        roles.MARKETING_MANAGER,
        "Yan",
        "Liu",
    ),
)
