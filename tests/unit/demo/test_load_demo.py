"""`manage.py load_demo` against a small hand-written purchase history."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from oscar.core.loading import get_model

from loyalty.models import PointsTransaction
from operations.models import PurchaseOrderLine, StockMovement
from shop.demo import catalogue_map
from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from shop.demo.models import HistoryShift
from shop.demo.services import history_order_number, member_name
from till.models import TillSale

pytestmark = pytest.mark.django_db

User = get_user_model()
Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
LinePrice = get_model("order", "LinePrice")

# Three members, four baskets; whole milk twice in one basket; one item nobody mapped.
SMALL_HISTORY = """member_number,date,item
1001,2015-01-05,whole milk
1001,2015-01-05,rolls/buns
1001,2015-01-05,whole milk
1001,2015-03-10,yogurt
1002,2015-01-05,whole milk
1002,2015-01-05,dragon fruit jelly
1003,2014-12-31,bottled beer
"""
PASSWORDS = {account.username: account.password for account in DEMO_STAFF_ACCOUNTS}


@pytest.fixture
def small_csv(tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_text(SMALL_HISTORY, encoding="utf-8")
    return path


def _load(csv_path, *extra) -> str:
    out = StringIO()
    call_command("load_demo", "--csv", str(csv_path), *extra, stdout=out)
    return out.getvalue()


def _price(item: str) -> Decimal:
    return catalogue_map.item_price(item)


def _number(member_number: int, csv_day: str) -> str:
    """The number of the order of a CSV basket, whose date load_demo moved (test_demo_dates)."""
    day = dt.date.fromisoformat(csv_day) + dt.timedelta(weeks=HistoryShift.objects.get().weeks)
    return history_order_number(member_number=member_number, date=day)


def _snapshot():
    return {
        "products": sorted(Product.objects.values_list("code", "title", "upc")),
        "stock": sorted(StockRecord.objects.values_list("partner_sku", "price", "num_in_stock")),
        "members": User.objects.filter(username__startswith="member").count(),
        "orders": sorted(
            Order.objects.values_list("id", "number", "total_incl_tax", "date_placed")
        ),
        "lines": sorted(Line.objects.values_list("id", "order_id", "product_id", "quantity")),
        "line_prices": LinePrice.objects.count(),
        "categories": Category.objects.count(),
    }


def test_counts_totals_and_categories(small_csv):
    output = _load(small_csv)

    # Five from the CSV, plus the pre-order demo's textbook and gown (preorders.demo).
    assert Product.objects.exclude(code__startswith="preorder-").count() == 5
    assert (
        StockRecord.objects.filter(partner__name="Campus Store")
        .exclude(product__code__startswith="preorder-")
        .count()
        == 5
    )
    assert User.objects.filter(username__startswith="member").count() == 3
    assert Order.objects.count() == 4
    assert Line.objects.count() == 6
    assert LinePrice.objects.count() == 6
    # The slice's aisles, and the pre-orders' own.
    assert sorted(Category.objects.values_list("name", flat=True)) == [
        "Bakery",
        "Beer, wine & spirits",
        "Books & campus wear",
        "Dairy & eggs",
        "Other",
    ]
    assert "Demo data loaded" in output
    assert "took" in output

    order = Order.objects.get(number=_number(1001, "2015-01-05"))
    assert order.total_incl_tax == 2 * _price("whole milk") + _price("rolls/buns")
    assert order.total_incl_tax == order.total_excl_tax == Decimal("42.50")
    assert order.shipping_incl_tax == Decimal("0.00")
    assert order.currency == settings.OSCAR_DEFAULT_CURRENCY
    assert order.status == "Complete"
    assert order.user.email == "member1001@campus.example"
    # A person's name, the same on every run: the real file has member numbers only.
    assert (order.user.first_name, order.user.last_name) == member_name(1001)
    assert not User.objects.filter(username__startswith="member", first_name="").exists()
    for any_order in Order.objects.all():
        assert any_order.total_incl_tax == sum(
            line.line_price_incl_tax for line in any_order.lines.all()
        )


def test_repeated_item_becomes_one_line_of_quantity_two(small_csv):
    _load(small_csv)

    milk = Line.objects.get(order__number=_number(1001, "2015-01-05"), product__code="whole milk")
    assert milk.quantity == 2
    assert milk.unit_price_incl_tax == _price("whole milk")
    assert milk.line_price_incl_tax == 2 * _price("whole milk")
    assert milk.status == "Complete"
    assert milk.num_allocated == 0  # consumed long ago: nothing left to take off the shelf
    assert milk.partner.name == "Campus Store"
    assert milk.stockrecord.product_id == milk.product_id
    assert milk.partner_sku == "DAI-WHOLE-MILK" == milk.stockrecord.partner_sku
    assert milk.upc == milk.product.upc == catalogue_map.item_ean13("whole milk")
    assert milk.title == "Whole Milk"
    assert LinePrice.objects.get(line=milk).quantity == 2


def test_products_are_deterministic_and_categorised(small_csv):
    _load(small_csv)

    milk = Product.objects.get(code="whole milk")
    assert milk.title == "Whole Milk"
    assert milk.product_class.name == "Grocery"
    assert milk.upc == "2062881536052"
    assert catalogue_map.ean13_is_valid(milk.upc)
    assert [category.name for category in milk.categories.all()] == ["Dairy & eggs"]
    record = milk.stockrecords.get()
    assert record.price == Decimal("13.40")
    assert record.price_currency == "CNY"
    # The deterministic opening level, moved only by what the stock ledger records (the
    # operations demo counts best sellers down so that reorder suggestions appear).
    recorded_changes = sum(record.movements.values_list("quantity", flat=True))
    assert catalogue_map.item_stock_level("whole milk") == 92
    assert record.num_in_stock == 92 + recorded_changes

    unknown = Product.objects.get(code="dragon fruit jelly")
    assert unknown.title == "Dragon Fruit Jelly"
    assert [category.name for category in unknown.categories.all()] == ["Other"]
    assert catalogue_map.ean13_is_valid(unknown.upc)


def test_orders_are_placed_on_their_date_in_opening_hours(small_csv):
    _load(small_csv)

    store_time = ZoneInfo(settings.TIME_ZONE)
    for order in Order.objects.all():
        _prefix, date_text, _member = order.number[0], *order.number[1:].split("-")
        local = order.date_placed.astimezone(store_time)
        assert local.date() == dt.datetime.strptime(date_text, "%Y%m%d").date()
        assert 8 <= local.hour < 22


def test_second_run_changes_nothing_and_says_so(small_csv):
    _load(small_csv)
    before = _snapshot()

    output = _load(small_csv)

    assert _snapshot() == before
    assert "already loaded" in output


def test_second_run_tops_up_what_is_missing(small_csv):
    _load(small_csv)
    # The points ledger and the till's sale record protect an order: drop those rows with it,
    # as if the order had never been loaded.
    lost_order = _number(1001, "2015-03-10")
    PointsTransaction.objects.filter(order__number=lost_order).delete()
    TillSale.objects.filter(order__number=lost_order).delete()
    Order.objects.filter(number=lost_order).delete()
    # Purchase orders and the stock ledger protect a stock record: remove those rows first,
    # as if the record had never been created.
    lost_record = StockRecord.objects.get(product__code="bottled beer")
    StockMovement.objects.filter(stockrecord=lost_record).delete()
    PurchaseOrderLine.objects.filter(stockrecord=lost_record).delete()
    lost_record.delete()

    output = _load(small_csv)

    assert Order.objects.count() == 4
    assert Order.objects.get(number=lost_order).lines.get().product.code == "yogurt"
    assert Product.objects.get(code="bottled beer").stockrecords.count() == 1
    assert "1 new" in output


def test_quiet_prints_nothing(small_csv):
    assert _load(small_csv, "--quiet") == ""
    assert Order.objects.count() == 4


def test_missing_csv_is_a_clear_error_and_writes_nothing(tmp_path):
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError) as error:
        _load(missing)

    message = str(error.value)
    assert str(missing) in message
    assert "member_number,date,item" in message
    assert "README" in message
    assert Product.objects.count() == 0
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("1004,2015-13-45,whole milk", "line 4: date '2015-13-45'"),
        ("abc,2015-01-05,whole milk", "line 4: member_number 'abc'"),
        ("1004,2015-01-05,", "line 4: item is empty"),
        ("1004,2015-01-05", "line 4: expected 3 columns"),
    ],
)
def test_malformed_row_names_its_line_and_writes_nothing(tmp_path, bad_line, expected):
    path = tmp_path / "bad.csv"
    lines = SMALL_HISTORY.splitlines()
    lines.insert(3, bad_line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        _load(path)

    assert expected in str(error.value)
    assert Product.objects.count() == 0
    assert Order.objects.count() == 0
    assert not User.objects.exists()
    assert not Category.objects.exists()


def test_wrong_header_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Member_number,Date,itemDescription\n1000,2015-01-05,milk\n", encoding="utf-8")

    with pytest.raises(CommandError, match="line 1: expected the header"):
        _load(path)
    assert Product.objects.count() == 0


def test_members_have_no_usable_password(small_csv):
    _load(small_csv)

    member = User.objects.get(username="member1002")
    assert member.email == "member1002@campus.example"
    assert not member.has_usable_password()
    assert not member.is_staff


def test_staff_roles(small_csv):
    _load(small_csv)

    admin = User.objects.get(username="admin")
    marketing = User.objects.get(username="marketing")
    operator = User.objects.get(username="operator")
    assert admin.is_superuser and admin.is_staff
    assert admin.email == "admin@campus.example"
    assert not marketing.is_staff and not marketing.is_superuser
    assert marketing.has_perm("wagtailadmin.access_admin")
    assert operator.is_staff and not operator.is_superuser
    assert not operator.has_perm("wagtailadmin.access_admin")
    assert operator.has_perm("order.view_order")
    for account in DEMO_STAFF_ACCOUNTS:
        assert User.objects.get(username=account.username).check_password(account.password)


def test_marketing_gets_wagtail_but_not_the_oscar_dashboard(client, small_csv):
    _load(small_csv)
    assert client.login(username="marketing", password=PASSWORDS["marketing"])

    assert client.get("/cms/").status_code == 200
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/orders/").status_code == 403


def test_operator_gets_the_oscar_dashboard_but_not_wagtail(client, small_csv):
    _load(small_csv)
    assert client.login(username="operator", password=PASSWORDS["operator"])

    assert client.get("/dashboard/").status_code == 200
    orders_page = client.get("/dashboard/orders/")
    assert orders_page.status_code == 200
    assert _number(1001, "2015-01-05") in orders_page.content.decode()
    assert client.get("/dashboard/catalogue/").status_code == 200
    cms = client.get("/cms/")
    assert cms.status_code == 302
    assert "/cms/login/" in cms["Location"]


def test_admin_gets_both(client, small_csv):
    _load(small_csv)
    assert client.login(username="admin", password=PASSWORDS["admin"])

    assert client.get("/cms/").status_code == 200
    assert client.get("/dashboard/").status_code == 200


def test_home_page_features_best_sellers_and_dairy(small_csv):
    from wagtail.models import Site

    _load(small_csv)

    home = Site.objects.get(is_default_site=True).root_page.specific
    assert type(home).__name__ == "HomePage"
    product_lists = [
        block["value"] for block in home.body.raw_data if block["type"] == "product_list"
    ]
    # Most units first (whole milk: 3), ties by CSV item name.
    best_sellers = ["whole milk", "bottled beer", "dragon fruit jelly", "rolls/buns", "yogurt"]
    expected_ids = [Product.objects.get(code=item).pk for item in best_sellers]
    assert any(value.get("products") == expected_ids for value in product_lists)
    dairy = Category.objects.get(name="Dairy & eggs")
    assert any(value.get("category") == dairy.pk for value in product_lists)
