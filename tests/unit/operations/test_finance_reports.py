"""Finance reports: takings by payment method, margin by category, stock value, sellers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from operations import selectors
from shop.apps.order.constants import SOURCE_TYPE_STRIPE, SOURCE_TYPE_WALLET
from shop.apps.order.services import order_mark_paid
from tests.factories.operations import place_order, stocked_product

pytestmark = pytest.mark.django_db

Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")


def in_category(product, name: str):
    category = Category.objects.filter(name=name).first() or Category.add_root(name=name)
    ProductCategory.objects.create(product=product, category=category)


@pytest.fixture
def shop():
    """Snacks sell 3 at 10.00 (cost 6.00); drinks 2 at 5.00 (no cost price); soap never sells."""
    snack, snack_record = stocked_product(title="Crisps", price="10.00", cost="6.00", stock=100)
    drink, drink_record = stocked_product(title="Cola", price="5.00", cost=None, stock=50)
    soap, soap_record = stocked_product(title="Soap", price="4.00", cost="2.50", stock=8)
    in_category(snack, "Snacks")
    in_category(drink, "Drinks")
    in_category(soap, "Household")
    paid = place_order(items=[(snack, 3), (drink, 2)])
    order_mark_paid(order_id=paid.pk)
    place_order(items=[(snack, 7)])  # still pending: not a sale
    return {"snack": snack, "drink": drink, "soap": soap, "paid": paid}


def today_period():
    today = timezone.localdate()
    return {"start": today - timedelta(days=1), "end": today}


def test_takings_are_split_by_payment_source_and_unrecorded_orders_still_count(shop):
    card, wallet = (
        SourceType.objects.create(name=SOURCE_TYPE_STRIPE),
        SourceType.objects.create(name=SOURCE_TYPE_WALLET),
    )
    Source.objects.create(
        order=shop["paid"], source_type=card, amount_allocated=30, amount_debited=30
    )
    Source.objects.create(
        order=shop["paid"],
        source_type=wallet,
        amount_allocated=10,
        amount_debited=10,
        amount_refunded=Decimal("2.50"),
    )
    other = place_order(items=[(shop["soap"], 1)])
    order_mark_paid(order_id=other.pk)

    rows = selectors.takings_daily(**today_period())

    # Methods read as the shopper's receipt names them: a bank card, not the gateway "Stripe".
    by_method = {str(r["method"]): r["amount"] for r in rows}
    assert by_method == {
        "Campus card wallet": Decimal("7.50"),
        "Bank card": Decimal("30.00"),
        "Not recorded": Decimal("4.00"),
    }


def test_margin_by_category_leaves_products_without_cost_out_of_the_margin(shop):
    rows = {r["category"]: r for r in selectors.margin_by_category(**today_period())}

    assert set(rows) == {"Snacks", "Drinks"}
    snacks = rows["Snacks"]
    assert (
        snacks["units"],
        snacks["revenue"],
        snacks["cost"],
        snacks["margin"],
        snacks["margin_percent"],
    ) == (
        3,
        Decimal("30.00"),
        Decimal("18.00"),
        Decimal("12.00"),
        Decimal("40.0"),
    )
    drinks = rows["Drinks"]
    assert (drinks["revenue"], drinks["units_without_cost"], drinks["margin_percent"]) == (
        Decimal("10.00"),
        2,
        None,
    )


def test_stock_value_is_units_on_hand_at_cost(shop):
    rows = {r["category"]: r for r in selectors.stock_value_by_category()}
    assert rows["Snacks"]["units"] == 97  # 100 − 3 paid (the pending 7 are only allocated)
    assert rows["Snacks"]["value"] == Decimal("582.00")
    assert rows["Household"]["value"] == Decimal("20.00")
    assert rows["Drinks"]["units_without_cost"] == 48


def test_best_and_worst_sellers(shop):
    best = selectors.sellers_ranked(**today_period())
    worst = selectors.sellers_ranked(**today_period(), worst=True)
    assert [r["title"] for r in best] == ["Crisps", "Cola"]
    assert worst[0]["title"] == "Soap"
    assert worst[0]["units"] == 0


def test_slow_movers_are_stock_that_has_not_sold_for_a_while(shop):
    rows = selectors.slow_movers(as_of=timezone.localdate(), idle_days=30)
    assert [r["product__title"] for r in rows] == ["Soap"]
    assert rows[0]["value"] == Decimal("20.00")
    assert rows[0]["last_sold"] is None


def test_each_report_renders_and_exports_csv(client, shop):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("operations-finance")
    for report in (
        "takings",
        "margin",
        "stock_value",
        "best_sellers",
        "worst_sellers",
        "slow_movers",
    ):
        page = client.get(url, {"report": report})
        assert page.status_code == 200, report
    export = client.get(url, {"report": "margin", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("Category,Units")
    # Every Decimal of a CSV is written with two places (core.csv_export).
    assert "Snacks,3,30.00,18.00,12.00,40.00,0" in lines
