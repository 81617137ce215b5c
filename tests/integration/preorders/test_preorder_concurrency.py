"""Thirty checkouts at once for a product with ten pre-order units (PostgreSQL row locks)."""

from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from oscar.test.factories import UserFactory

from preorders import selectors, services
from preorders.models import PaymentPolicy, Preorder
from tests.factories.payments import CARD_OK
from tests.factories.preorders import LocalStripePaymentIntents, preorder_product
from tests.integration.concurrency import run_at_once

CHECKOUTS = 30
UNITS = 10

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_thirty_concurrent_checkouts_for_ten_units_make_exactly_ten_reservations(localstripe):
    assert connection.vendor == "postgresql"
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, cap=UNITS, price="35.00")
    shoppers = [UserFactory() for _ in range(CHECKOUTS)]
    cards = [localstripe.payment_method_create(CARD_OK) for _ in range(CHECKOUTS)]
    intents = LocalStripePaymentIntents(localstripe)

    def checkout(index: int) -> None:
        # What the checkout's handle_payment does for a pre-order basket: reserve, then pay.
        preorder = services.preorder_reserve(
            settings_id=settings.pk,
            quantity=1,
            user=shoppers[index],
            email=shoppers[index].email,
            order_number=str(200000 + index),
            amount=Decimal("35.00"),
            currency="CNY",
        )
        services.preorder_payment_secure(preorder_id=preorder.pk, payment_method_id=cards[index])

    outcomes = run_at_once(
        [partial(checkout, index) for index in range(CHECKOUTS)],
        succeeded="reserved",
        refusal=lambda exc: "refused" if "fully pre-ordered" in exc.messages[0] else repr(exc),
        timeout=180,
    )

    assert sorted(outcomes) == ["refused"] * (CHECKOUTS - UNITS) + ["reserved"] * UNITS
    live = Preorder.objects.filter(settings=settings, status__in=Preorder.HOLDING)
    assert live.count() == UNITS
    assert selectors.preorder_units_remaining(settings=settings) == 0
    # Only the ten who got a unit were charged.
    charged = [pi for p in live for pi in intents.for_preorder(p)]
    assert len(charged) == UNITS and {pi["status"] for pi in charged} == {"succeeded"}

    # A cancelled pre-order frees its unit for the next shopper.
    services.preorder_abandon(preorder_id=live.first().pk, reason="test")
    assert selectors.preorder_units_remaining(settings=settings) == 1
