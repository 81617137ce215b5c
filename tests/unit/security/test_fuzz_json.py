"""Fuzz the JSON endpoint of ours that takes a body: the Stripe webhook.

Two kinds of hostile body: unsigned or wrongly signed (anyone on the internet can send these)
and correctly signed but malformed (what a Stripe API change, a replayed test-mode event or a
leaked secret would bring). Both must answer 4xx or 200, never 500, and a 4xx writes nothing.
A 500 matters here more than elsewhere: Stripe retries a failed delivery for three days.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from shop.apps.payment.models import StripeWebhookEvent
from tests.factories.payments import signed_webhook, stripe_event
from tests.unit.security.fuzzkit import (
    FUZZ_SETTINGS,
    HUGE_TEXT,
    NUMBER_TRICKS,
    TEXT_TRICKS,
    DatabaseFingerprint,
    assert_refused_cleanly_or_accepted,
)

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "/checkout/stripe/webhook/"
EVENT_TYPES = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "customer.created",
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(TEXT_TRICKS + NUMBER_TRICKS),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
# Objects shaped like Stripe's, with any field missing, null or of the wrong type.
stripe_objects = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "object": st.just("payment_intent"),
        "amount": json_values,
        "amount_received": json_values,
        "amount_refunded": json_values,
        "currency": st.one_of(st.sampled_from(["cny", "usd", "", "CNY", "xxx"]), json_values),
        "status": st.one_of(st.sampled_from(["succeeded", "requires_action"]), json_values),
        "metadata": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"checkout_attempt": json_values, "kind": json_values}
            ),
            json_values,
        ),
        "payment_intent": json_values,
        "last_payment_error": json_values,
    },
)
events = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(st.text(min_size=1, max_size=30), json_values),
            "type": st.one_of(st.sampled_from(EVENT_TYPES), json_values),
            "data": st.one_of(st.fixed_dictionaries({"object": stripe_objects}), json_values),
            "object": st.just("event"),
        },
    ),
)


def _post_signed(client, body: bytes, *, content_type: str = "application/json"):
    """POST ``body`` with a valid Stripe signature over exactly these bytes."""
    timestamp = int(time.time())
    signature = hmac.new(
        settings.STRIPE_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return client.post(
        WEBHOOK_URL,
        body,
        content_type=content_type,
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


@FUZZ_SETTINGS
@given(
    event=events,
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_signed_but_malformed_events_never_crash_the_webhook(client, event, content_type):
    fingerprint = DatabaseFingerprint()
    body = json.dumps(event).encode()
    before = fingerprint.take()
    response = _post_signed(client, body, content_type=content_type)
    after = fingerprint.take()
    assert response.status_code in (200, 400), response.status_code
    assert_refused_cleanly_or_accepted(
        response, before, after, request_repr=f"webhook {body[:300]!r}"
    )


@FUZZ_SETTINGS
@given(
    body=st.one_of(
        st.binary(max_size=200), st.text(max_size=200).map(str.encode), st.just(b"{" * 5000)
    )
)
def test_signed_bodies_that_are_not_json_are_refused(client, body):
    fingerprint = DatabaseFingerprint()
    before = fingerprint.take()
    response = _post_signed(client, body)
    after = fingerprint.take()
    assert_refused_cleanly_or_accepted(
        response, before, after, request_repr=f"webhook {body[:200]!r}"
    )
    if not _is_json(body):
        assert response.status_code == 400


@FUZZ_SETTINGS
@given(
    body=json_values.map(lambda v: json.dumps(v).encode()),
    signature=st.sampled_from(["", "t=1,v1=00", "garbage", "t=,v1=", "v1=" + "a" * 64]),
)
def test_unsigned_or_forged_bodies_are_refused_and_change_nothing(client, body, signature):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
    response = client.post(WEBHOOK_URL, body, content_type="application/json", **headers)

    assert response.status_code == 400
    assert response.content.strip()
    assert not StripeWebhookEvent.objects.exists()


def test_a_huge_body_is_refused_before_it_is_read(client):
    event = stripe_event("customer.created", {"id": "cus_1", "description": HUGE_TEXT * 40})
    body, header = signed_webhook(event)
    assert len(body) > 2_621_440  # over Django's DATA_UPLOAD_MAX_MEMORY_SIZE default

    response = client.post(
        WEBHOOK_URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )

    assert response.status_code in (400, 413)
    assert not StripeWebhookEvent.objects.exists()


def test_get_and_put_are_not_allowed(client):
    assert client.get(WEBHOOK_URL).status_code == 405
    assert client.put(WEBHOOK_URL, b"{}", content_type="application/json").status_code == 405
