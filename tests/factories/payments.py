"""Factories and a checkout driver for the payments tests (unit, integration, browser)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from decimal import Decimal

import factory
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from wallet import services as wallet_services
from wallet.models import Wallet

Country = get_model("address", "Country")

CARD_OK = "4242424242424242"
# localstripe declines this one when charging (its 4000000000000002 only fails on attach).
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002500003155"


class WalletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wallet

    user = factory.SubFactory(UserFactory)


def shipping_country() -> None:
    Country.objects.update_or_create(
        iso_3166_1_a2="CN",
        defaults={"name": "China", "printable_name": "China", "is_shipping_country": True},
    )


def shop_product(*, price: str = "12.00", title: str = "Rice 1kg"):
    return create_product(price=Decimal(price), title=title, num_in_stock=1000)


def funded_wallet(*, user, amount: str, staff=None):
    """A wallet with ``amount`` on it, put there the way staff would (a ledger row)."""
    wallet = wallet_services.wallet_get_or_create_for_user(user=user)
    if Decimal(amount):
        wallet_services.wallet_adjust(
            wallet_id=wallet.pk, amount=Decimal(amount), created_by=staff, note="test funds"
        )
    wallet.refresh_from_db()
    return wallet


HIDDEN_INPUT = re.compile(r'<input type="hidden" name="(?P<name>[a-z_]+)" value="(?P<value>[^"]*)"')


def hidden_inputs(html: str) -> dict[str, str]:
    return {m["name"]: m["value"] for m in HIDDEN_INPUT.finditer(html)}


class CheckoutDriver:
    """Walks Oscar's checkout with a Django test client, as a browser would."""

    def __init__(self, client):
        self.client = client

    def add_to_basket(self, product, quantity: int = 1) -> None:
        response = self.client.post(
            reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity}
        )
        assert response.status_code == 302, response

    def enter_shipping_address(self, *, delivery: bool = False) -> None:
        """The checkout's first step: pick-up in store (free, no address) by default, or campus
        delivery to a building and room in the first open round (a pre-order's from its
        release day)."""
        shipping_country()
        response = self.client.get(reverse("checkout:shipping-method"))
        if response.status_code == 302:
            return
        assert response.status_code == 200, response
        if delivery:
            self.choose_campus_delivery()
            return
        response = self.client.post(reverse("checkout:shipping-method"), {"method_code": "pick-up"})
        assert response.status_code == 302, response.content[:2000]

    def choose_campus_delivery(
        self, *, building: str = "Dormitory 3", room: str = "201", round_code: str = ""
    ):
        page = self.client.get(reverse("checkout:shipping-address"))
        assert page.status_code == 200, page
        rounds = page.context["form"].fields["delivery_round"].choices
        response = self.client.post(
            reverse("checkout:shipping-address"),
            {
                "building": building,
                "room": room,
                "phone_number": "",
                "notes": "",
                "delivery_round": round_code or rounds[0][0],
            },
        )
        assert response.status_code == 302, response.content[:2000]
        return response

    def preview(self, *, payment_method_id: str = "", use_wallet: bool = False):
        data = {"payment_method_id": payment_method_id}
        if use_wallet:
            data["use_wallet"] = "on"
        return self.client.post(reverse("checkout:preview"), data)

    def place_order(self, preview_response, **overrides):
        data = hidden_inputs(preview_response.content.decode())
        data["action"] = "place_order"
        data.update(overrides)
        return self.client.post(reverse("checkout:preview"), data)


def signed_webhook(
    payload: dict, *, secret: str | None = None, timestamp: int | None = None
) -> tuple[bytes, str]:
    """A Stripe event body and its ``Stripe-Signature`` header, as Stripe (or localstripe) signs it."""
    body = json.dumps(payload).encode()
    timestamp = timestamp or int(time.time())
    signature = hmac.new(
        (secret or settings.STRIPE_WEBHOOK_SECRET).encode(),
        f"{timestamp}.".encode() + body,
        hashlib.sha256,
    ).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def stripe_event(event_type: str, data_object: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": data_object},
    }
