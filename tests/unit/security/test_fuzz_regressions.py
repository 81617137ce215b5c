"""One test per failure the fuzz pass found, with the smallest input that showed it.

Each of these answered 500 (or wrote on a refusal) before its fix; the hypothesis runs in
test_fuzz_forms.py / test_fuzz_json.py would find them again, these pin them down plainly.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.models import Ticket
from marketing.models import Campaign, Segment
from recommendations.models import ProductRule
from shop.apps.payment.models import StripeWebhookEvent
from tests.factories.payments import CheckoutDriver, signed_webhook, stripe_event
from tests.factories.till import register
from tests.unit.security.fuzz_world import FuzzWorld, log_in
from till import services as till_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return FuzzWorld()


@pytest.fixture
def staff_client(client, world):
    log_in(client, world.staff)
    return client


# --------------------------------------------------------------------------- till money


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e999", "123456789012"])
def test_a_till_amount_that_is_no_amount_of_money_is_refused(world, amount):
    with pytest.raises(ValidationError, match="as an amount of money"):
        till_services.shift_open(
            register_id=register("Regression till").pk,
            cashier=world.staff,
            opening_float=Decimal(amount),
        )


# --------------------------------------------------------------------------- crm ticket assignee


def test_assigning_a_ticket_to_a_non_number_says_so_and_changes_nothing(staff_client, world):
    ticket = world.ticket

    response = staff_client.post(
        reverse("crm_tickets:edit", kwargs={"pk": ticket.pk}),
        {"assign": "1", "assignee": "abc"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Choose a member of staff from the list." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assigned_to is None


# --------------------------------------------------------------------------- pre-order hand-over


@pytest.mark.parametrize("preorder_id", ["abc", "NaN", "1.5", "٣x"])
def test_handing_over_a_preorder_id_that_is_not_a_number_is_404(staff_client, preorder_id):
    response = staff_client.post(reverse("preorders-handover"), {"preorder": preorder_id})

    assert response.status_code == 404


# --------------------------------------------------------------------------- Stripe webhook


def _post_signed_bytes(client, body: bytes):
    timestamp = int(time.time())
    signature = hmac.new(
        settings.STRIPE_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return client.post(
        "/checkout/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"[]",
        b"5",
        b'"event"',
        b"{}",
        b'{"id": "evt_1"}',
        b'{"id": 5, "type": "x", "data": {"object": {}}}',
    ],
    ids=["null", "list", "number", "string", "empty-object", "no-type", "id-not-text"],
)
def test_a_signed_body_that_is_no_event_is_400(client, body):
    response = _post_signed_bytes(client, body)

    assert response.status_code == 400
    assert not StripeWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "data_object",
    [
        {"id": "pi_1", "status": "succeeded", "amount": "100", "currency": "cny"},
        {"id": "pi_1", "status": "succeeded", "currency": "cny"},
        {"id": "pi_1", "status": "succeeded", "amount": 100, "currency": "cny", "metadata": [1]},
        {"id": ["pi_1"], "status": "succeeded", "amount": 100, "currency": "cny"},
    ],
    ids=["amount-text", "amount-missing", "metadata-list", "id-list"],
)
def test_a_signed_payment_intent_event_with_a_malformed_object_is_400(client, data_object):
    body, header = signed_webhook(stripe_event("payment_intent.succeeded", data_object))

    response = client.post(
        "/checkout/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert not StripeWebhookEvent.objects.exists()


def test_a_well_formed_event_of_a_type_we_ignore_is_still_accepted(client):
    body, header = signed_webhook(stripe_event("customer.created", {"id": "cus_1"}))

    response = client.post(
        "/checkout/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 200
    assert StripeWebhookEvent.objects.count() == 1


# --------------------------------------------------------------------------- checkout


def test_posting_to_payment_details_says_what_to_do(client, world, localstripe):
    log_in(client, world.shopper)
    driver = CheckoutDriver(client)
    driver.add_to_basket(world.product)
    driver.enter_shipping_address()

    response = client.post(reverse("checkout:payment-details"), {})

    assert response.status_code == 400
    assert b"order preview" in response.content


# --------------------------------------------------------------------------- /cms/ forms


def test_a_segment_post_without_its_rule_rows_is_400_and_saves_nothing(staff_client):
    segments_before = Segment.objects.count()

    response = staff_client.post(
        reverse("marketing_segments:add"), {"name": "Broken", "match": "all"}
    )

    assert response.status_code == 400
    assert b"reload the page" in response.content
    assert Segment.objects.count() == segments_before


@pytest.mark.parametrize("body", ["1", "[]", '{"blocks": 5}', "null"])
def test_a_campaign_body_that_is_not_draftail_content_is_a_form_error(staff_client, world, body):
    response = staff_client.post(
        reverse("marketing_campaigns:add"),
        {"name": "Broken body", "segment": world.segment.pk, "subject": "Hi", "body": body},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Campaign.objects.filter(name="Broken body").exists()


@pytest.mark.parametrize("product", ["abc", "NaN", "0001-01-01"])
def test_a_chooser_value_that_is_not_an_id_is_a_form_error(staff_client, product):
    response = staff_client.post(
        reverse("recommendation_rules:add"),
        {"product": product, "action": "pin", "placement": "home"},
    )

    assert response.status_code == 200
    assert "product" in response.context["form"].errors
    assert not ProductRule.objects.exists()


@pytest.mark.parametrize(
    "model_name",
    [
        "membertype",
        "tier",
        "categoryearningmultiplier",
        "productearningmultiplier",
        "earningcampaign",
    ],
)
def test_the_snippet_choosers_create_url_is_404_without_a_creation_form(staff_client, model_name):
    response = staff_client.post(reverse(f"wagtailsnippetchoosers_loyalty_{model_name}:create"), {})

    assert response.status_code == 404


# --------------------------------------------------------------------------- complaint ticket photo


def test_a_refused_ticket_leaves_no_ticket(client, world):
    log_in(client, world.shopper)

    response = client.post(
        reverse("crm-support:ticket-create"), {"category": "NaN", "subject": "x", "body": "y"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Ticket.objects.exists()
