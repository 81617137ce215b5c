"""Twenty wallet payments at once against one wallet that covers five (PostgreSQL row locks)."""

from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from oscar.core.loading import get_class, get_model
from oscar.test.factories import UserFactory

from shop.apps.checkout import services as checkout_services
from tests.factories.payments import funded_wallet, shipping_country, shop_product
from tests.integration.concurrency import run_at_once
from wallet import selectors
from wallet.models import Wallet, WalletTransaction

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")
Repository = get_class("shipping.repository", "Repository")
Selector = get_class("partner.strategy", "Selector")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")

PAYMENTS = 20
AFFORDABLE = 5
PRICE = Decimal("12.00")

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wallet_attempt(*, user, product, wallet) -> CheckoutAttempt:
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(product, 1)
    address = ShippingAddress(
        first_name="Li", last_name="Wei", line1="Dorm 3", line4="Campus", country_id="CN"
    )
    quote = checkout_services.checkout_quote_build(
        basket=basket,
        user=user,
        shipping_address=address,
        shipping_method=Repository().get_default_shipping_method(
            basket=basket, shipping_addr=address
        ),
    )
    assert quote.total == PRICE
    return checkout_services.checkout_attempt_start(
        basket=basket,
        user=user,
        guest_email="",
        order_number=str(OrderNumberGenerator().order_number(basket)),
        quote=quote,
        wallet=wallet,
        wallet_amount=PRICE,
        card_amount=Decimal("0.00"),
        payment_method_id="",
    )


def test_twenty_concurrent_wallet_payments_make_exactly_five_orders():
    assert connection.vendor == "postgresql"
    shipping_country()
    user = UserFactory()
    product = shop_product(price=str(PRICE))
    wallet = funded_wallet(user=user, amount=str(PRICE * AFFORDABLE))
    attempts = [_wallet_attempt(user=user, product=product, wallet=wallet) for _ in range(PAYMENTS)]

    outcomes = run_at_once(
        [
            partial(checkout_services.checkout_attempt_place_order, attempt_id=attempt.pk)
            for attempt in attempts
        ],
        succeeded="placed",
        refused=UnableToPlaceOrder,
    )

    assert sorted(outcomes) == ["placed"] * AFFORDABLE + ["refused"] * (PAYMENTS - AFFORDABLE)
    assert Order.objects.count() == AFFORDABLE
    assert set(Order.objects.values_list("status", flat=True)) == {"Paid"}
    wallet = Wallet.objects.get(pk=wallet.pk)
    assert wallet.balance == Decimal("0.00")
    assert selectors.wallet_ledger_sum(wallet_id=wallet.pk) == wallet.balance
    debits = WalletTransaction.objects.filter(
        wallet=wallet, kind=WalletTransaction.Kind.ORDER_PAYMENT
    )
    assert debits.count() == AFFORDABLE
    assert set(debits.values_list("order_id", flat=True)) == set(
        Order.objects.values_list("pk", flat=True)
    )
    assert (
        CheckoutAttempt.objects.filter(status=CheckoutAttempt.Status.FAILED).count()
        == PAYMENTS - AFFORDABLE
    )
    # The refused baskets are open again for their owner; the paid ones are submitted.
    assert Basket.objects.filter(status=Basket.SUBMITTED).count() == AFFORDABLE
