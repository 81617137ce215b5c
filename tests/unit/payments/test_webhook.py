"""The Stripe webhook: signatures, replays, and racing the browser's return."""

import json

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.apps.payment.models import StripeWebhookEvent
from tests.factories.payments import CARD_3DS, signed_webhook, stripe_event

Order = get_model("order", "Order")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")

pytestmark = pytest.mark.django_db
WEBHOOK_URL = "/checkout/stripe/webhook/"


def post_event(client, event, *, secret=None, signature=None):
    body, header = signed_webhook(event, secret=secret)
    return client.post(
        WEBHOOK_URL,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature or header,
    )


def test_webhook_url_is_fixed():
    assert reverse("checkout:stripe-webhook") == WEBHOOK_URL


@pytest.mark.parametrize(
    "signature",
    ["", "t=1,v1=0000", "garbage"],
    ids=["missing", "wrong", "malformed"],
)
def test_forged_or_unsigned_events_are_rejected_and_change_nothing(client, signature):
    event = stripe_event("payment_intent.succeeded", {"id": "pi_forged", "metadata": {}})
    body = b'{"id": "evt_forged"}' if signature == "garbage" else None
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
    response = client.post(
        WEBHOOK_URL,
        body or json.dumps(event),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 400
    assert not StripeWebhookEvent.objects.exists()


def test_event_signed_with_another_secret_is_rejected(client):
    response = post_event(
        client, stripe_event("payment_intent.succeeded", {"id": "pi_x"}), secret="whsec_other"
    )

    assert response.status_code == 400
    assert not StripeWebhookEvent.objects.exists()


def _three_d_secure_checkout_authenticated(at_payment, localstripe):
    """A shopper passed 3-D Secure but the browser has not come back yet."""
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_3DS))
    page = at_payment.client.get(at_payment.place_order(preview).url)
    attempt = CheckoutAttempt.objects.get()
    localstripe.payment_intent_authenticate(
        attempt.payment_intent_id, page.context["client_secret"]
    )
    return attempt, page.context["return_url"]


def test_webhook_before_redirect_places_one_order_and_replays_do_nothing(
    at_payment, localstripe, client
):
    attempt, return_url = _three_d_secure_checkout_authenticated(at_payment, localstripe)
    payment_intent = localstripe.get(f"/v1/payment_intents/{attempt.payment_intent_id}")
    event = stripe_event("payment_intent.succeeded", payment_intent)

    assert post_event(client, event).status_code == 200
    order = Order.objects.get()
    assert order.status == "Paid"

    for _ in range(3):  # Stripe redelivers
        assert post_event(client, event).status_code == 200
    returned = at_payment.client.get(return_url)

    assert returned.status_code == 302 and returned.url == reverse("checkout:thank-you")
    assert Order.objects.count() == 1
    assert at_payment.client.session["checkout_order_id"] == order.pk
    assert StripeWebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert order.sources.get().amount_debited == order.total_incl_tax


def test_webhook_after_redirect_does_nothing(at_payment, localstripe, client):
    attempt, return_url = _three_d_secure_checkout_authenticated(at_payment, localstripe)
    at_payment.client.get(return_url)
    payment_intent = localstripe.get(f"/v1/payment_intents/{attempt.payment_intent_id}")

    assert (
        post_event(client, stripe_event("payment_intent.succeeded", payment_intent)).status_code
        == 200
    )

    assert Order.objects.count() == 1
    assert Order.objects.get().payment_events.count() == 1


def test_payment_failed_event_fails_the_attempt_and_thaws_the_basket(
    at_payment, localstripe, client
):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_3DS))
    at_payment.place_order(preview)
    attempt = CheckoutAttempt.objects.get()
    payment_intent = localstripe.get(f"/v1/payment_intents/{attempt.payment_intent_id}")
    payment_intent["last_payment_error"] = {"message": "Authentication failed."}

    assert (
        post_event(
            client, stripe_event("payment_intent.payment_failed", payment_intent)
        ).status_code
        == 200
    )

    attempt.refresh_from_db()
    assert attempt.status == CheckoutAttempt.Status.FAILED
    assert attempt.basket.status == "Open"
    assert not Order.objects.exists()


def test_forged_success_for_an_unpaid_intent_places_nothing(at_payment, localstripe, client):
    """Even a correctly signed event must carry a succeeded PaymentIntent of the right amount."""
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_3DS))
    at_payment.place_order(preview)
    attempt = CheckoutAttempt.objects.get()
    payment_intent = localstripe.get(f"/v1/payment_intents/{attempt.payment_intent_id}")
    payment_intent["status"] = "succeeded"
    payment_intent["amount"] = 1  # a cent, not 12.00

    post_event(client, stripe_event("payment_intent.succeeded", payment_intent))

    assert not Order.objects.exists()
