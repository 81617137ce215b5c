"""The till sale service: an Oscar order in the store channel, through the one paid path."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from oscar.core.loading import get_model

from loyalty.models import MemberCard, PointsTransaction
from loyalty.services.cards import card_issue
from operations.models import StockMovement
from shop.apps.order.constants import SOURCE_TYPE_CASH, SOURCE_TYPE_WALLET
from tests.factories import till as f
from tests.factories.loyalty import earning_rules
from till import selectors, services
from till.models import TillSale
from wallet.models import Wallet, WalletTransaction

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
Source = get_model("payment", "Source")

pytestmark = pytest.mark.django_db

Line = services.TillLineInput


@pytest.fixture
def shift():
    return f.open_shift()


def sell(shift, *, lines, card_number="", payment_method="cash", cash_tendered="100.00"):
    return services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number=card_number,
        lines=lines,
        payment_method=payment_method,
        cash_tendered=Decimal(cash_tendered) if cash_tendered is not None else None,
    )


def snapshot():
    """Row counts of everything a sale writes: a refused sale must leave them all unchanged."""
    return {
        "orders": Order.objects.count(),
        "baskets": Basket.objects.count(),
        "sales": TillSale.objects.count(),
        "wallet_rows": WalletTransaction.objects.count(),
        "points_rows": PointsTransaction.objects.count(),
        "stock_moves": StockMovement.objects.count(),
        "sources": Source.objects.count(),
        "stock": list(
            StockRecord.objects.order_by("pk").values_list("num_in_stock", "num_allocated")
        ),
        "wallets": list(Wallet.objects.order_by("pk").values_list("balance", flat=True)),
    }


def test_member_card_sale_by_wallet_gets_member_price_pays_from_wallet_and_earns_points(shift):
    earning_rules(pending_days=0, points_per_cny=Decimal("1.00"))
    user, card = f.member(member_type_code="staff", wallet="500.00")  # staff: 5 % off
    milk = f.product(price="10.00", stock=20)

    sale = sell(
        shift,
        lines=[Line(product_id=milk.pk, quantity=3)],
        card_number=card.number,
        payment_method="wallet",
        cash_tendered=None,
    )

    order = sale.order
    assert order.channel == Order.Channel.STORE
    assert order.user == user
    assert order.status == "Paid"
    assert order.shipping_method == "In-store purchase"
    assert order.total_incl_tax == Decimal("28.50")  # 30.00 less the 5 % member price
    assert [d.offer_name for d in order.discounts.all()] == ["Member price"]
    assert (sale.cashier, sale.shift, sale.card) == (shift.cashier, shift, card)
    # Wallet: one ledger row for the order, and the balance moved with it.
    payment = WalletTransaction.objects.get(order=order)
    assert payment.kind == WalletTransaction.Kind.ORDER_PAYMENT
    assert payment.amount == Decimal("-28.50")
    assert Wallet.objects.get(user=user).balance == Decimal("471.50")
    source = order.sources.get()
    assert (source.source_type.name, source.amount_debited) == (
        SOURCE_TYPE_WALLET,
        Decimal("28.50"),
    )
    # Points through order_paid: 28.50 paid, 1 point per CNY, rounded down.
    earned = PointsTransaction.objects.get(order=order, kind=PointsTransaction.Kind.EARN)
    assert earned.points == 28
    card.account.refresh_from_db()
    assert card.account.balance == 28
    # Stock: allocated by OrderCreator, consumed by the paid-order path with a sale movement.
    record = milk.stockrecords.get()
    assert (record.num_in_stock, record.num_allocated) == (17, 0)
    assert StockMovement.objects.get(order_line__order=order).quantity == -3
    # The basket was used and submitted, like an online checkout's.
    assert Basket.objects.get(pk=order.basket_id).status == Basket.SUBMITTED


def test_quote_prices_exactly_like_the_sale_and_leaves_nothing_behind(shift):
    _user, card = f.member(member_type_code="staff", wallet="100.00")
    milk = f.product(price="10.00")
    before = snapshot()

    quote = services.till_sale_quote(
        card_number=card.number, lines=[Line(product_id=milk.pk, quantity=2)]
    )

    assert quote.total == Decimal("19.00")
    assert quote.discounts == [("Member price", Decimal("1.00"))]
    assert quote.wallet_balance == Decimal("100.00")
    assert snapshot() == before


def test_cash_sale_without_card_gives_change_and_no_member_price(shift):
    bread = f.product(price="12.30", stock=5)

    sale = sell(shift, lines=[Line(product_id=bread.pk, quantity=2)], cash_tendered="50.00")

    assert sale.order.user is None
    assert sale.order.total_incl_tax == Decimal("24.60")
    assert (sale.payment_method, sale.cash_tendered, sale.change_given) == (
        TillSale.PaymentMethod.CASH,
        Decimal("50.00"),
        Decimal("25.40"),
    )
    assert sale.order.sources.get().source_type.name == SOURCE_TYPE_CASH
    assert bread.stockrecords.get().num_in_stock == 3
    assert not PointsTransaction.objects.exists()


def test_cash_sale_with_a_card_earns_points_too(shift):
    earning_rules(pending_days=14)
    _user, card = f.member(member_type_code="student", wallet=None)
    tea = f.product(price="20.00")

    sale = sell(shift, lines=[Line(product_id=tea.pk, quantity=1)], card_number=card.number)

    earned = PointsTransaction.objects.get(order=sale.order)
    assert earned.points == 19 and earned.is_pending  # 5 % student price: 19.00 paid
    receipt = selectors.till_receipt(sale_id=sale.pk)
    assert (receipt.points_earned, receipt.points_pending) == (19, True)
    assert receipt.sale.change_given == Decimal("81.00")


def test_card_number_typed_with_spaces_is_found(shift):
    _user, card = f.member()
    tea = f.product()
    spaced = " ".join(card.number[i : i + 4] for i in range(0, 16, 4))

    sale = sell(shift, lines=[Line(product_id=tea.pk, quantity=1)], card_number=spaced)

    assert sale.card == card


def test_same_product_scanned_twice_is_one_line(shift):
    tea = f.product(price="5.00")

    sale = sell(
        shift,
        lines=[Line(product_id=tea.pk, quantity=1), Line(product_id=tea.pk, quantity=2)],
    )

    assert [(line.quantity, line.line_price_incl_tax) for line in sale.order.lines.all()] == [
        (3, Decimal("15.00"))
    ]


def test_scanned_barcode_finds_the_product_and_title_words_search():
    oats = f.product(title="Rolled oats 500 g")
    f.product(title="Oat milk 1 l")

    assert selectors.till_products_find(query=oats.upc) == [oats]
    assert selectors.till_products_find(query="oats rolled") == [oats]
    assert len(selectors.till_products_find(query="oat")) == 2
    assert selectors.till_products_find(query="4006381333931") == []


# --------------------------------------------------------------------------- refusals


def refused(shift, message_part, **kwargs):
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        sell(shift, **kwargs)
    assert message_part in " ".join(caught.value.messages)
    assert snapshot() == before


def test_unknown_card_is_refused_and_nothing_written(shift):
    refused(
        shift,
        "No member card has the number",
        lines=[Line(product_id=f.product().pk, quantity=1)],
        card_number="8860000000000000",
    )


@pytest.mark.parametrize("status", [MemberCard.Status.FROZEN, MemberCard.Status.LOST])
def test_frozen_or_lost_card_is_refused_and_nothing_written(shift, status):
    _user, card = f.member(wallet="100.00")
    MemberCard.objects.filter(pk=card.pk).update(status=status)
    refused(
        shift,
        f"is {status}",
        lines=[Line(product_id=f.product().pk, quantity=1)],
        card_number=card.number,
        payment_method="wallet",
        cash_tendered=None,
    )


def test_unclaimed_card_is_refused_with_the_way_out(shift):
    card = card_issue(member_type_code="staff", pin="1234")
    refused(
        shift,
        "not linked to a customer account",
        lines=[Line(product_id=f.product().pk, quantity=1)],
        card_number=card.number,
    )


def test_insufficient_wallet_balance_is_refused_and_nothing_written(shift):
    _user, card = f.member(member_type_code="staff", wallet="10.00")
    refused(
        shift,
        "does not cover",
        lines=[Line(product_id=f.product(price="20.00").pk, quantity=1)],
        card_number=card.number,
        payment_method="wallet",
        cash_tendered=None,
    )


def test_wallet_payment_without_a_card_is_refused(shift):
    refused(
        shift,
        "needs the member's card",
        lines=[Line(product_id=f.product().pk, quantity=1)],
        payment_method="wallet",
        cash_tendered=None,
    )


def test_cash_short_of_the_total_is_refused(shift):
    refused(
        shift,
        "does not cover the total",
        lines=[Line(product_id=f.product(price="20.00").pk, quantity=1)],
        cash_tendered="19.99",
    )


def test_more_than_the_shelf_holds_is_refused_and_stock_never_negative(shift):
    last = f.product(title="Last yoghurt", stock=1)
    refused(
        shift, "Last yoghurt: only 1 left in stock", lines=[Line(product_id=last.pk, quantity=2)]
    )
    assert last.stockrecords.get().num_in_stock == 1


def test_frozen_product_is_refused(shift):
    frozen = f.product(title="Recalled salad")
    StockRecord.objects.filter(product=frozen).update(is_frozen=True)
    refused(shift, "Recalled salad", lines=[Line(product_id=frozen.pk, quantity=1)])


def test_unknown_product_and_empty_sale_are_refused(shift):
    refused(shift, "not in the catalogue", lines=[Line(product_id=987654, quantity=1)])
    refused(shift, "Scan at least one product", lines=[])
    refused(shift, "whole numbers", lines=[Line(product_id=f.product().pk, quantity=0)])


def test_no_open_shift_is_refused(shift):
    services.shift_close(shift_id=shift.pk, closed_by=shift.cashier, counted_cash=Decimal("100"))
    refused(shift, "no open shift", lines=[Line(product_id=f.product().pk, quantity=1)])


def test_someone_elses_shift_is_refused(shift):
    other = f.cashier()
    tea = f.product()
    before = snapshot()
    with pytest.raises(ValidationError, match="no open shift"):
        services.till_sale_create(
            cashier=other,
            shift_id=shift.pk,
            card_number="",
            lines=[Line(product_id=tea.pk, quantity=1)],
            payment_method="cash",
            cash_tendered=Decimal("50"),
        )
    assert snapshot() == before
