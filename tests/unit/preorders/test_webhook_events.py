"""Stripe's payment_intent.succeeded for a pre-order's payment is recognised, not "unknown"."""

import logging

import pytest

from preorders.models import PaymentPolicy, Preorder
from shop.apps.payment.services import stripe_webhook_event_process
from tests.factories.payments import stripe_event
from tests.factories.preorders import preorder_product
from tests.unit.preorders.test_policies import place_preorder

pytestmark = pytest.mark.django_db


def test_a_pre_orders_payment_event_is_logged_against_the_pre_order(
    checkout, localstripe, run_on_commit, caplog
):
    with run_on_commit():
        place_preorder(checkout, localstripe, preorder_product(policy=PaymentPolicy.PAY_NOW))
    preorder = Preorder.objects.get()
    payment_intent = localstripe.get(f"/v1/payment_intents/{preorder.payment_intent_id}")
    status_before = preorder.status

    with caplog.at_level(logging.INFO):
        assert stripe_webhook_event_process(
            event=stripe_event("payment_intent.succeeded", payment_intent)
        )

    assert "unknown PaymentIntent" not in caplog.text
    assert f"pre-order {preorder.pk}" in caplog.text
    preorder.refresh_from_db()
    assert preorder.status == status_before


def test_an_event_naming_a_missing_pre_order_is_a_warning(caplog):
    payment_intent = {
        "id": "pi_missing",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": 100,
        "currency": "cny",
        "metadata": {"kind": "preorder", "preorder": "999999"},
    }

    with caplog.at_level(logging.INFO):
        stripe_webhook_event_process(event=stripe_event("payment_intent.succeeded", payment_intent))

    assert any(
        record.levelno == logging.WARNING and "999999" in record.getMessage()
        for record in caplog.records
    )
