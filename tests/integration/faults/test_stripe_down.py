"""The card processor (localstripe) down while a member pays by card and campus wallet.

Stripe is called after the attempt row is committed and before any order row: the shopper
gets a clear message, nothing is charged, and no order, wallet or points ledger row is
written. Once Stripe answers again the same attempt (same idempotency key) goes through.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.conf import settings as django_settings
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from deploy.servers import free_loopback_port
from loyalty.models import PointsTransaction
from tests.factories.loyalty import earning_rules, member_card
from tests.factories.payments import CARD_OK, CheckoutDriver, funded_wallet, shop_product
from wallet.models import WalletTransaction

pytestmark = pytest.mark.integration

# How a shopper logs in (named: the first backend in settings may be one that never logs in).
EMAIL_LOGIN_BACKEND = "oscar.apps.customer.auth_backends.EmailBackend"

Order = get_model("order", "Order")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")

WALLET_FUNDS = Decimal("5.00")


def _payment_intents(localstripe) -> list[dict]:
    response = requests.get(
        f"{localstripe.url}/v1/payment_intents",
        headers={"Authorization": f"Bearer {django_settings.STRIPE_SECRET_KEY}"},
        timeout=5,
    )
    response.raise_for_status()
    return response.json()["data"]


def test_stripe_down_shows_a_clear_error_and_writes_nothing(
    transactional_db, localstripe, settings, client
):
    earning_rules(points_per_cny=Decimal("1"), minimum_order_value=Decimal("0"))
    member = UserFactory(email="card-member@campus.example")
    member_card(user=member)
    wallet = funded_wallet(user=member, amount=str(WALLET_FUNDS))
    wallet_rows_before = WalletTransaction.objects.count()
    points_rows_before = PointsTransaction.objects.count()
    intents_before = len(_payment_intents(localstripe))
    client.force_login(member, backend=EMAIL_LOGIN_BACKEND)
    checkout = CheckoutDriver(client)
    checkout.add_to_basket(shop_product(price="12.00"))
    checkout.enter_shipping_address()
    preview = checkout.preview(
        payment_method_id=localstripe.payment_method_create(CARD_OK), use_wallet=True
    )
    assert preview.status_code == 200, [str(m) for m in preview.wsgi_request._messages]

    # Nothing listens there any more: what a crashed or unreachable Stripe looks like.
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_loopback_port()}"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    response = checkout.place_order(preview)

    assert response.status_code == 200
    assert "The card processor did not answer" in response.content.decode()
    assert not Order.objects.exists()
    assert len(_payment_intents(localstripe)) == intents_before  # nothing charged
    assert WalletTransaction.objects.count() == wallet_rows_before
    wallet.refresh_from_db()
    assert wallet.balance == WALLET_FUNDS
    assert PointsTransaction.objects.count() == points_rows_before

    settings.STRIPE_API_BASE = localstripe.url
    retried = checkout.place_order(preview)

    assert retried.status_code == 302, retried.content[:2000]
    order = Order.objects.get()
    assert order.status == "Paid"
    assert CheckoutAttempt.objects.get().order == order
    wallet.refresh_from_db()
    assert wallet.balance == 0
    card = order.sources.get(source_type__name="Stripe")
    assert card.amount_debited == order.total_incl_tax - WALLET_FUNDS
    assert localstripe.get(f"/v1/payment_intents/{card.reference}")["status"] == "succeeded"
    assert len(_payment_intents(localstripe)) == intents_before + 1
