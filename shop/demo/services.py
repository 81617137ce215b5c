"""Build the demo store from the real purchase history: catalogue, members, orders, staff.

Idempotent by natural keys (product ``code`` = the CSV item name, member usernames, the
deterministic order numbers): a second run finds everything in place and only tops up what
is missing. History is written with bulk_create and without Oscar's order_placed or our
order_paid signals: these purchases are history, loyalty points and wallet money for them
are replayed by the loyalty demo, not granted again. The history is moved by whole weeks to
end just before today (shop/demo/dates.py), once per database.
"""

import datetime as dt
import hashlib
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sites.models import Site
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model
from oscar.core.utils import slugify as oscar_slugify

from credit.demo import credit_demo_install
from crm.demo import crm_demo_install
from loyalty.demo import loyalty_demo_install
from marketing.demo import marketing_demo_install
from operations.demo import operations_demo_install
from preorders.demo import preorders_demo_install
from recommendations.services import recommendations_recompute
from shop.db import planner_statistics_refresh
from shop.demo import catalogue_map, constants
from shop.demo.dates import DemoDates, demo_dates_build, history_shift_weeks
from shop.demo.history import PurchaseHistory, PurchaseHistoryError, purchase_history_read
from shop.demo.models import HistoryShift
from shop.demo.pages import demo_pages_refresh
from shop.demo.pictures import product_pictures_ensure
from shop.pages.services import site_pages_install, site_pages_translation_install
from staff import roles as staff_roles
from staff import services as staff_services
from till.demo import till_demo_install

User = get_user_model()
Category = get_model("catalogue", "Category")
Country = get_model("address", "Country")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
LinePrice = get_model("order", "LinePrice")

# Large enough to be quick, small enough for PostgreSQL's parameter limit on wide rows.
BULK_BATCH_SIZE = 2000
ZERO = Decimal("0.00")
DAYS_IN_WEEK = 7


@dataclass
class DemoLoadSummary:
    categories_total: int = 0
    products_created: int = 0
    products_total: int = 0
    pictures_created: int = 0
    members_created: int = 0
    members_total: int = 0
    orders_created: int = 0
    orders_total: int = 0
    lines_created: int = 0
    staff_created: int = 0
    csv_rows: int = 0
    seconds: float = 0.0
    dates: DemoDates | None = None

    @property
    def already_loaded(self) -> bool:
        return not (
            self.products_created
            or self.pictures_created
            or self.members_created
            or self.orders_created
            or self.staff_created
        )


@dataclass(frozen=True)
class _ProductEntry:
    product_id: int
    stockrecord_id: int
    title: str
    upc: str
    partner_sku: str
    price: Decimal


def member_username(member_number: int) -> str:
    return f"{constants.MEMBER_USERNAME_PREFIX}{member_number}"


def member_email(member_number: int) -> str:
    return f"{member_username(member_number)}@{constants.EMAIL_DOMAIN}"


def member_name(member_number: int) -> tuple[str, str]:
    """(first name, last name) for a demo member: the same member gets the same name every run."""
    # Seeded by the number: neighbouring numbers get unrelated names, the same one each run.
    pick = random.Random(member_number).choice  # noqa: S311 - demo names, not a secret
    return pick(constants.MEMBER_GIVEN_NAMES), pick(constants.MEMBER_SURNAMES)


def history_order_number(*, member_number: int, date: dt.date) -> str:
    """One order per member per date, so the pair names the order on every run."""
    return f"{constants.HISTORY_ORDER_NUMBER_PREFIX}{date:%Y%m%d}-{member_number}"


def history_placed_at(*, member_number: int, date: dt.date) -> dt.datetime:
    """A stable time within opening hours, local to the store, for a basket with only a date."""
    opening_seconds = (constants.STORE_CLOSES_HOUR - constants.STORE_OPENS_HOUR) * 3600
    digest = hashlib.sha256(f"time:{member_number}:{date.isoformat()}".encode()).digest()
    offset = int.from_bytes(digest[:8], "big") % opening_seconds
    local_midnight = dt.datetime.combine(date, dt.time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return local_midnight + dt.timedelta(hours=constants.STORE_OPENS_HOUR, seconds=offset)


def _items_check_unique_keys(*, items: list[str]) -> None:
    """Two spellings that slugify alike would share a SKU; say so instead of an IntegrityError."""
    seen: dict[str, str] = {}
    for item in items:
        sku = catalogue_map.item_sku(item)
        if sku in seen:
            raise PurchaseHistoryError(
                _("Items %(first)r and %(second)r would share the SKU %(sku)s; rename one.")
                % {"first": seen[sku], "second": item, "sku": sku}
            )
        seen[sku] = item


def _partner_ensure() -> Partner:
    partner, _created = Partner.objects.get_or_create(
        code=constants.PARTNER_CODE, defaults={"name": constants.PARTNER_NAME}
    )
    return partner


def demo_shipping_country_ensure() -> Country:
    """The store's delivery country, marked as a shipping country (see the constant's note)."""
    country, _created = Country.objects.update_or_create(
        iso_3166_1_a2=constants.SHIPPING_COUNTRY_CODE,
        defaults={
            "name": constants.SHIPPING_COUNTRY_NAME,
            "printable_name": constants.SHIPPING_COUNTRY_NAME,
            "is_shipping_country": True,
        },
    )
    return country


def _product_class_ensure() -> ProductClass:
    product_class, _created = ProductClass.objects.get_or_create(
        slug=constants.PRODUCT_CLASS_SLUG,
        defaults={"name": constants.PRODUCT_CLASS_NAME, "track_stock": True},
    )
    return product_class


def _categories_ensure(*, keys: set[str]) -> dict[str, Category]:
    """Top-level categories, created in the mapping's order so the menu reads like the aisles."""
    existing = {category.name: category for category in Category.get_root_nodes()}
    categories = {}
    for demo_category in catalogue_map.CATEGORIES:
        if demo_category.key not in keys:
            continue
        category = existing.get(demo_category.name)
        if category is None:
            category = Category.add_root(name=demo_category.name)
        categories[demo_category.key] = category
    return categories


def _products_ensure(
    *,
    items: list[str],
    partner: Partner,
    product_class: ProductClass,
    categories: dict[str, Category],
) -> tuple[dict[str, _ProductEntry], int]:
    existing = {product.code: product for product in Product.objects.filter(code__in=items)}
    eans = catalogue_map.items_ean13(items)
    new_products = [
        Product(
            code=item,
            title=catalogue_map.item_title(item),
            slug=oscar_slugify(catalogue_map.item_title(item)) or "product",
            upc=eans[item],
            product_class=product_class,
            structure=Product.STANDALONE,
            is_public=True,
        )
        for item in items
        if item not in existing
    ]
    Product.objects.bulk_create(new_products, batch_size=BULK_BATCH_SIZE)
    ProductCategory.objects.bulk_create(
        [
            ProductCategory(
                product=product, category=categories[catalogue_map.item_category_key(product.code)]
            )
            for product in new_products
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    products = {**existing, **{product.code: product for product in new_products}}

    # A product may exist without our stock record (e.g. deleted by an operator): top it up.
    stocked = {
        record.product_id: record
        for record in StockRecord.objects.filter(
            partner=partner, product_id__in=[product.pk for product in products.values()]
        )
    }
    new_records = [
        StockRecord(
            product=product,
            partner=partner,
            partner_sku=catalogue_map.item_sku(item),
            price_currency=settings.OSCAR_DEFAULT_CURRENCY,
            price=catalogue_map.item_price(item),
            num_in_stock=catalogue_map.item_stock_level(item),
            num_allocated=0,
            low_stock_threshold=10,
        )
        for item, product in products.items()
        if product.pk not in stocked
    ]
    StockRecord.objects.bulk_create(new_records, batch_size=BULK_BATCH_SIZE)
    stocked.update({record.product_id: record for record in new_records})

    entries = {}
    for item, product in products.items():
        record = stocked[product.pk]
        entries[item] = _ProductEntry(
            product_id=product.pk,
            stockrecord_id=record.pk,
            title=product.title,
            upc=product.upc,
            partner_sku=record.partner_sku,
            price=record.price,
        )
    return entries, len(new_products)


def _members_ensure(*, history: PurchaseHistory) -> tuple[dict[int, int], int]:
    """One customer account per member number; returns member number -> user id."""
    wanted = {member_username(number): number for number in history.member_numbers}
    existing = {
        username: user_id
        for username, user_id in User.objects.filter(
            username__startswith=constants.MEMBER_USERNAME_PREFIX
        ).values_list("username", "id")
        if username in wanted
    }
    first_visit: dict[int, dt.datetime] = {}
    for basket in history.baskets:  # sorted by date, so the first seen is the earliest
        first_visit.setdefault(
            basket.member_number,
            history_placed_at(member_number=basket.member_number, date=basket.date),
        )
    new_users = [
        User(
            username=username,
            email=member_email(number),
            first_name=member_name(number)[0],
            last_name=member_name(number)[1],
            # Members sign in with their campus card later; no password works until then.
            password=make_password(None),
            is_active=True,
            date_joined=first_visit[number],
        )
        for username, number in wanted.items()
        if username not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=BULK_BATCH_SIZE)
    user_ids = {wanted[username]: user_id for username, user_id in existing.items()}
    user_ids.update({wanted[user.username]: user.pk for user in new_users})
    return user_ids, len(new_users)


def _history_orders_ensure(
    *,
    history: PurchaseHistory,
    products: dict[str, _ProductEntry],
    user_ids: dict[int, int],
    partner: Partner,
) -> tuple[int, int]:
    existing_numbers = set(
        Order.objects.filter(number__startswith=constants.HISTORY_ORDER_NUMBER_PREFIX).values_list(
            "number", flat=True
        )
    )
    site_id = Site.objects.get_current().pk
    currency = settings.OSCAR_DEFAULT_CURRENCY
    status = constants.HISTORY_ORDER_STATUS

    new_orders = []
    basket_of_order = []
    for basket in history.baskets:
        number = history_order_number(member_number=basket.member_number, date=basket.date)
        if number in existing_numbers:
            continue
        total = sum(
            (products[item].price * quantity for item, quantity in basket.quantities.items()),
            ZERO,
        )
        new_orders.append(
            Order(
                number=number,
                site_id=site_id,
                user_id=user_ids[basket.member_number],
                currency=currency,
                total_incl_tax=total,
                # No tax is modelled (Oscar's default NoTax strategy): both totals agree.
                total_excl_tax=total,
                shipping_incl_tax=ZERO,
                shipping_excl_tax=ZERO,
                shipping_method=constants.HISTORY_SHIPPING_METHOD,
                shipping_code=constants.HISTORY_SHIPPING_CODE,
                status=status,
                date_placed=history_placed_at(member_number=basket.member_number, date=basket.date),
                # Bought at the till ("In-store purchase"): the store channel, like live till sales.
                channel=Order.Channel.STORE,
            )
        )
        basket_of_order.append(basket)
    Order.objects.bulk_create(new_orders, batch_size=BULK_BATCH_SIZE)
    # History loaded before orders had a channel: one UPDATE moves it to the store channel.
    Order.objects.filter(
        number__startswith=constants.HISTORY_ORDER_NUMBER_PREFIX,
        shipping_code=constants.HISTORY_SHIPPING_CODE,
    ).exclude(channel=Order.Channel.STORE).update(channel=Order.Channel.STORE)

    new_lines = []
    for order, basket in zip(new_orders, basket_of_order, strict=True):
        # Sorted by title so a basket's lines read the same on every run.
        for item in sorted(basket.quantities, key=lambda name: products[name].title):
            quantity = basket.quantities[item]
            entry = products[item]
            line_total = entry.price * quantity
            new_lines.append(
                Line(
                    order_id=order.pk,
                    partner_id=partner.pk,
                    partner_name=partner.name,
                    partner_sku=entry.partner_sku,
                    stockrecord_id=entry.stockrecord_id,
                    product_id=entry.product_id,
                    title=entry.title,
                    upc=entry.upc,
                    quantity=quantity,
                    line_price_incl_tax=line_total,
                    line_price_excl_tax=line_total,
                    line_price_before_discounts_incl_tax=line_total,
                    line_price_before_discounts_excl_tax=line_total,
                    unit_price_incl_tax=entry.price,
                    unit_price_excl_tax=entry.price,
                    status=status,
                    # Oscar's num_allocated counts units still reserved on the shelf; these
                    # sales were consumed long ago, so stock consumers must find nothing here.
                    num_allocated=0,
                )
            )
    Line.objects.bulk_create(new_lines, batch_size=BULK_BATCH_SIZE)
    # Oscar's checkout records the unit price of every line as a LinePrice; do the same so
    # history lines look like any other order in the dashboard.
    LinePrice.objects.bulk_create(
        [
            LinePrice(
                order_id=line.order_id,
                line_id=line.pk,
                quantity=line.quantity,
                price_incl_tax=line.unit_price_incl_tax,
                price_excl_tax=line.unit_price_excl_tax,
                shipping_incl_tax=ZERO,
                shipping_excl_tax=ZERO,
            )
            for line in new_lines
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    return len(new_orders), len(new_lines)


def _staff_ensure() -> int:
    """The demo staff, one per role (staff/roles.py) plus the superuser.

    Flags and groups are re-asserted on every run, passwords set only once, names given to
    an account that has none (a name the person changed since is theirs).
    """
    groups = staff_services.roles_install()
    created_count = 0
    for account in constants.DEMO_STAFF_ACCOUNTS:
        role = staff_roles.ROLES_BY_KEY.get(account.staff_role)
        user, created = User.objects.get_or_create(
            username=account.username, defaults={"email": account.email}
        )
        if created:
            user.set_password(account.password)
            created_count += 1
        if not (user.first_name or user.last_name):
            user.first_name, user.last_name = account.first_name, account.last_name
        user.is_superuser = role is None
        user.is_staff = role is None or role.dashboard
        user.is_active = True
        user.save()
        user.groups.set([groups[role.key]] if role else [])
    return created_count


class DemoDatesError(ValueError):
    """The dates asked for contradict the demo already in the database; nothing was loaded."""


def demo_dates_ensure(*, history: PurchaseHistory, keep_dates: bool) -> DemoDates:
    """The one decision on where the history lies (shop.demo.dates), kept for later runs.

    The first load moves the history to end just before today (``keep_dates``: not at all)
    and records the move; a later run reuses it, so it tops the demo up on the same dates.
    A database whose history was loaded before the loader moved it holds the file's dates.
    """
    record = HistoryShift.objects.filter(pk=1).first()
    history_loaded = Order.objects.filter(
        number__startswith=constants.HISTORY_ORDER_NUMBER_PREFIX
    ).exists()
    if record is not None:
        weeks = record.weeks
    elif keep_dates or history_loaded:
        weeks = 0
    else:
        weeks = history_shift_weeks(last_day=history.last_day, today=timezone.localdate())
    if keep_dates and weeks:
        raise DemoDatesError(
            _(
                "This database holds the demo moved forward by %(weeks)d weeks; --keep-dates "
                "loads the file's own dates into an empty database only."
            )
            % {"weeks": weeks}
        )
    if record is None:
        HistoryShift.objects.create(pk=1, weeks=weeks, loaded_on=timezone.localdate())
    last_day = history.last_day + dt.timedelta(weeks=weeks)
    if (timezone.localdate() - last_day).days <= DAYS_IN_WEEK:
        now = timezone.now()
    else:
        # An old history on its own dates: the demo lives at the start of the day after it,
        # where its points, tiers and reorder figures still mean something.
        now = dt.datetime.combine(
            last_day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
    return demo_dates_build(
        original_first_day=history.first_day,
        original_last_day=history.last_day,
        weeks=weeks,
        now=now,
    )


@transaction.atomic
def demo_data_load(*, csv_path: Path, keep_dates: bool = False) -> DemoLoadSummary:
    """Load (or top up) the whole demo store from the purchase-history CSV.

    The CSV is read and validated completely before the first write, and everything is
    written in this one transaction: a bad file or a failure half-way leaves no trace. The
    history is moved to end just before today (shop.demo.dates) unless ``keep_dates``.
    """
    started = time.perf_counter()
    original = purchase_history_read(csv_path=csv_path)
    dates = demo_dates_ensure(history=original, keep_dates=keep_dates)
    history = original.moved(by=dates.shift)
    items = history.items
    _items_check_unique_keys(items=items)

    partner = _partner_ensure()
    demo_shipping_country_ensure()
    product_class = _product_class_ensure()
    categories = _categories_ensure(keys={catalogue_map.item_category_key(item) for item in items})
    products, products_created = _products_ensure(
        items=items, partner=partner, product_class=product_class, categories=categories
    )
    # Each product's emoji picture (shop/demo/pictures.py), instead of "Image Not Available".
    pictures_created = product_pictures_ensure(
        product_ids={item: entry.product_id for item, entry in products.items()}
    )
    user_ids, members_created = _members_ensure(history=history)
    orders_created, lines_created = _history_orders_ensure(
        history=history, products=products, user_ids=user_ids, partner=partner
    )
    staff_created = _staff_ensure()
    # Every later step queries what was just bulk-written, in this same transaction.
    planner_statistics_refresh()

    # A textbook and the graduation gown taking pre-orders, released in the coming weeks of
    # the real today (a release date must be after today); before the pages, whose home page
    # lists their aisle as "Coming soon", and before the reorder figures below, so that they
    # cover every stock record, as "Recompute now" does.
    preorder_settings = preorders_demo_install()
    pictures_created += product_pictures_ensure(
        product_ids={terms.product.code: terms.product_id for terms in preorder_settings}
    )
    coming_soon = preorder_settings[0].product.get_categories().first()
    featured_category = categories.get(catalogue_map.FEATURED_CATEGORY_KEY)
    site_pages_install(
        featured_product_ids=[
            products[item].product_id
            for item in history.best_sellers(
                limit=constants.FEATURED_PRODUCT_COUNT + constants.FEATURED_PRODUCT_RESERVES
            )
        ],
        featured_category_id=featured_category.pk if featured_category else None,
        coming_soon_category_id=coming_soon.pk if coming_soon else None,
    )
    # A page still holding an earlier loader's text (its old delivery promises) gets today's.
    demo_pages_refresh()
    # The pages' Chinese versions, made as marketing's "Translate" makes them.
    site_pages_translation_install(language_code="zh-hans")
    # What derives from the history is computed as of dates.now (today, unless --keep-dates),
    # so cards, points, tiers, segments and reorder figures agree with the nightly jobs.
    # Suppliers, cost prices, the academic calendar, shelf counts and reorder suggestions.
    operations_demo_install(today=dates.today)
    # A member card for every member (a few expired, some expiring this month), the history
    # replayed into the points ledger, tiers from the last 12 months.
    loyalty_demo_install(as_of=dates.now)
    # Live business is dated from the real today, as the services that check dates require:
    # department credit invoices in every aging bucket, this week's till rota, open complaints.
    credit_demo_install()
    # Two tills, the rota posts, this week's rota and the history's last weeks as closed till
    # shifts (after the staff accounts and the member cards exist).
    till_demo_install(as_of=dates.now)
    # Complaints (old ones about history orders), contact notes, survey answers, list
    # entries, a duplicate account.
    crm_demo_install()
    if orders_created:
        # New history changes every stored list; without this the "Recommended for you"
        # blocks would stay empty until the nightly recompute.
        recommendations_recompute()
    # RFM segmentation (monthly runs up to the demo's day), an example rule segment and a
    # sent win-back campaign with its results.
    marketing_demo_install(as_of=dates.today)

    return DemoLoadSummary(
        categories_total=len(categories),
        products_created=products_created,
        products_total=len(products),
        pictures_created=pictures_created,
        members_created=members_created,
        members_total=len(user_ids),
        orders_created=orders_created,
        orders_total=len(history.baskets),
        lines_created=lines_created,
        staff_created=staff_created,
        csv_rows=history.row_count,
        seconds=time.perf_counter() - started,
        dates=dates,
    )
