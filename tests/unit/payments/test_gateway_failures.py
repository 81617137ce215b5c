"""Stripe unreachable or slow: a clear message, no order, and no double charge on retry."""

import socket
import threading

import pytest
from oscar.core.loading import get_model

from shop.apps.payment import stripe_gateway
from tests.factories.payments import CARD_OK

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: a hung card processor."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("outage", ["unreachable", "timeout"])
def test_outage_shows_a_message_and_a_retry_reuses_the_attempt(
    at_payment, localstripe, settings, silent_server, outage
):
    payment_method_id = localstripe.payment_method_create(CARD_OK)
    preview = at_payment.preview(payment_method_id=payment_method_id)
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    settings.STRIPE_API_BASE = _closed_port_url() if outage == "unreachable" else silent_server

    response = at_payment.place_order(preview)

    assert response.status_code == 200
    assert "The card processor did not answer" in response.content.decode()
    assert not Order.objects.exists()
    assert Basket.objects.get().status == Basket.OPEN
    first = CheckoutAttempt.objects.get()
    assert first.status == CheckoutAttempt.Status.STARTED and first.payment_intent_id is None

    settings.STRIPE_API_BASE = localstripe.url
    retried = at_payment.place_order(preview)

    assert retried.status_code == 302
    attempt = CheckoutAttempt.objects.get()  # the same row, hence the same idempotency key
    assert attempt.pk == first.pk and attempt.idempotency_key == first.idempotency_key
    assert Order.objects.get() == attempt.order


def test_errors_translate_into_our_exceptions(settings):
    settings.STRIPE_API_BASE = _closed_port_url()
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    with pytest.raises(stripe_gateway.GatewayUnavailable):
        stripe_gateway.payment_intent_retrieve(payment_intent_id="pi_nothing")


def test_unknown_payment_intent_is_a_rejection(localstripe):
    with pytest.raises(stripe_gateway.GatewayRejected):
        stripe_gateway.payment_intent_retrieve(payment_intent_id="pi_doesnotexist")


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.00", "CNY", 1200), ("0.01", "cny", 1), ("1999.99", "CNY", 199999), ("500", "JPY", 500)],
)
def test_minor_units(amount, currency, minor):
    from decimal import Decimal

    assert stripe_gateway.amount_to_minor_units(Decimal(amount), currency) == minor
    assert stripe_gateway.amount_from_minor_units(minor, currency) == Decimal(amount).quantize(
        Decimal("0.01")
    )
