"""Thirty checkouts at once for a product with ten pre-order units (PostgreSQL row locks)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from oscar.test.factories import UserFactory

from preorders import selectors, services
from preorders.models import PaymentPolicy, Preorder
from tests.factories.payments import CARD_OK
from tests.factories.preorders import LocalStripePaymentIntents, preorder_product

CHECKOUTS = 30
UNITS = 10

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_thirty_concurrent_checkouts_for_ten_units_make_exactly_ten_reservations(localstripe):
    assert connection.vendor == "postgresql"
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, cap=UNITS, price="35.00")
    shoppers = [UserFactory() for _ in range(CHECKOUTS)]
    cards = [localstripe.payment_method_create(CARD_OK) for _ in range(CHECKOUTS)]
    intents = LocalStripePaymentIntents(localstripe)

    start = threading.Barrier(CHECKOUTS)
    outcomes: list[str] = []
    outcomes_lock = threading.Lock()

    def checkout(index: int) -> None:
        # What the checkout's handle_payment does for a pre-order basket: reserve, then pay.
        try:
            start.wait()
            try:
                preorder = services.preorder_reserve(
                    settings_id=settings.pk,
                    quantity=1,
                    user=shoppers[index],
                    email=shoppers[index].email,
                    order_number=str(200000 + index),
                    amount=Decimal("35.00"),
                    currency="CNY",
                )
                services.preorder_payment_secure(
                    preorder_id=preorder.pk, payment_method_id=cards[index]
                )
                outcome = "reserved"
            except ValidationError as exc:
                outcome = "refused" if "fully pre-ordered" in exc.messages[0] else repr(exc)
            except Exception as exc:  # any other error is a failure of the test
                outcome = f"error: {exc!r}"
            with outcomes_lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(CHECKOUTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

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
