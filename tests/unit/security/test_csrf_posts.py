"""CSRF: every POST view of ours refuses a POST without a token, and writes nothing.

The URLs are the URLconf's (``urls_of_ours``), their arguments the permission matrix's, and
each is posted by a role the matrix lets in, so the refusal is the CSRF check's and not a
login redirect. The one exception is Stripe's webhook: Stripe cannot send our token, so it is
CSRF-exempt and signature-checked instead; a forged signature gets 400 and changes nothing.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import resolve, reverse

from shop.apps.payment.models import StripeWebhookEvent
from tests.factories.payments import signed_webhook, stripe_event
from tests.unit.security.fuzz_world import FuzzWorld
from tests.unit.security.fuzzkit import DatabaseFingerprint, fingerprint_diff
from tests.unit.security.test_access_matrix import (
    ANONYMOUS,
    RULES,
    SHOPPER,
    SUPERUSER,
    client_for,
    demo_roles_install,
)
from tests.unit.security.urls_of_ours import our_post_urls

pytestmark = pytest.mark.django_db

CSRF_EXEMPT = {"checkout:stripe-webhook"}
# A PaymentIntent no checkout of ours started: the event is stored, nothing else happens.
UNKNOWN_PAYMENT_INTENT = {
    "id": "pi_not_ours",
    "object": "payment_intent",
    "status": "succeeded",
    "amount": 1200,
    "currency": "cny",
    "metadata": {},
}
CONVERTER_SAMPLES = (
    ("<int:pk>", "1"),
    ("<str:number>", "1"),
    ("<str:token>", "t"),
    ("<str:code>", "c"),
    ("<slug:action>", "send"),
)


def _poster(allowed: frozenset[str]) -> str:
    for role in (SUPERUSER, SHOPPER, ANONYMOUS):
        if role in allowed:
            return role
    raise AssertionError(f"no role may reach this URL: {allowed}")


def test_every_post_view_of_ours_refuses_a_post_without_a_csrf_token():
    cache.clear()
    world = FuzzWorld()
    staff = demo_roles_install()
    fingerprint = DatabaseFingerprint()
    clients = {}
    problems = []
    checked = 0
    for url in our_post_urls():
        if url.name in CSRF_EXEMPT:
            continue
        rule = RULES[url.name]
        role = _poster(rule.allowed)
        if role not in clients:
            clients[role] = client_for(role, world, staff)
            # client_for builds a relaxed client; this one checks CSRF like a browser's server.
            strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
            strict.cookies = clients[role].cookies
            clients[role] = strict
        path = reverse(url.name, kwargs=rule.kwargs(world))
        before = fingerprint.take()
        response = clients[role].post(path, {"name": "csrf probe", "body": "x"})
        changed = fingerprint_diff(before, fingerprint.take())
        checked += 1
        if response.status_code != 403 or b"CSRF" not in response.content:
            problems.append(f"POST {path} as {role}: {response.status_code}, not a CSRF refusal")
        if changed:
            problems.append(f"POST {path} as {role} without a token changed {changed}")
    assert checked == len(our_post_urls()) - len(CSRF_EXEMPT)
    assert not problems, "\n".join(problems)


def test_the_csrf_exempt_list_holds_only_the_stripe_webhook():
    exempt = {
        url.name
        for url in our_post_urls()
        if getattr(resolve(_path(url)).func, "csrf_exempt", False)
    }
    assert exempt == CSRF_EXEMPT


def _path(url) -> str:
    # Any value fits the route's converters: only the view it resolves to matters here.
    route = url.route
    for converter, value in CONVERTER_SAMPLES:
        route = route.replace(converter, value)
    return "/" + route


def test_stripe_webhook_with_a_forged_signature_is_400_and_changes_nothing(client):
    event = stripe_event("payment_intent.succeeded", UNKNOWN_PAYMENT_INTENT)
    body, forged = signed_webhook(event, secret="whsec_not_ours")
    fingerprint = DatabaseFingerprint()
    before = fingerprint.take()

    response = client.post(
        reverse("checkout:stripe-webhook"),
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=forged,
    )

    assert response.status_code == 400
    assert not StripeWebhookEvent.objects.exists()
    assert fingerprint_diff(before, fingerprint.take()) == {}
    # No signature at all: the same.
    response = client.post(
        reverse("checkout:stripe-webhook"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert not StripeWebhookEvent.objects.exists()


def test_stripe_webhook_with_stripes_signature_is_accepted_without_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    event = stripe_event("payment_intent.succeeded", UNKNOWN_PAYMENT_INTENT)
    body, signature = signed_webhook(event)

    response = client.post(
        reverse("checkout:stripe-webhook"),
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert response.status_code == 200
    assert StripeWebhookEvent.objects.filter(event_id=event["id"]).count() == 1
