"""PIN change and PIN reset by email (signed, expiring, single-use link; no hints; throttled)."""

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.test.factories import UserFactory

from loyalty.models import MemberCard
from loyalty.services.cards import (
    PIN_RESET_MAX_REQUESTS,
    PIN_RESET_SALT,
    card_pin_change,
    card_pin_reset_card_for_token,
    card_pin_reset_confirm,
    card_pin_reset_token_make,
)
from tests.factories.loyalty import CARD_PIN, member_card

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/member-card/pin/reset/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def card():
    return member_card(user=UserFactory(email="holder@campus.example"))


def request_reset(client, number, ip="10.0.0.1"):
    return client.post(reverse("membercard:pin-reset-request"), {"number": number}, REMOTE_ADDR=ip)


def reset_link(mail) -> str:
    return LINK.search(mail.body).group(1)


def test_reset_link_is_emailed_to_the_holder_and_sets_a_new_pin(client, card, mailoutbox):
    response = request_reset(client, card.number)

    assert "If this card is linked to an account" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["holder@campus.example"]]
    link = reset_link(mailoutbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_pin": "97531", "new_pin_again": "97531"})

    assert response.status_code == 302 and response.url == reverse("membercard:lookup")
    card.refresh_from_db()
    assert check_password("97531", card.pin_hash)


def test_the_link_works_once(client, card, mailoutbox):
    request_reset(client, card.number)
    link = reset_link(mailoutbox[0])
    client.post(link, {"new_pin": "97531", "new_pin_again": "97531"})

    again = client.post(link, {"new_pin": "11111", "new_pin_again": "11111"})

    assert "invalid, has expired or was already used" in again.content.decode()
    card.refresh_from_db()
    assert check_password("97531", card.pin_hash)


def test_the_link_expires(card, monkeypatch):
    token = card_pin_reset_token_make(card=card)
    card_pin_reset_card_for_token(token=token)  # valid now

    # As if the hour had passed: any age is now too old.
    monkeypatch.setattr("loyalty.services.cards.PIN_RESET_MAX_AGE_SECONDS", -1)
    with pytest.raises(ValidationError, match="has expired"):
        card_pin_reset_confirm(token=token, new_pin="97531")
    card.refresh_from_db()
    assert check_password(CARD_PIN, card.pin_hash)


def test_a_forged_or_tampered_link_is_refused(card):
    token = card_pin_reset_token_make(card=card)
    other = member_card(user=UserFactory(email="other@campus.example"))
    # Another card's id with this card's fingerprint, even correctly signed, is refused.
    payload = signing.loads(token, salt=PIN_RESET_SALT)
    forged = signing.dumps({**payload, "card": other.pk}, salt=PIN_RESET_SALT)

    for bad in (forged, token[:-2] + "xx", "nonsense"):
        with pytest.raises(ValidationError, match="invalid"):
            card_pin_reset_confirm(token=bad, new_pin="97531")


def test_changing_the_pin_another_way_kills_an_outstanding_link(card):
    token = card_pin_reset_token_make(card=card)
    card_pin_change(card_id=card.pk, old_pin=CARD_PIN, new_pin="2468")

    with pytest.raises(ValidationError, match="invalid"):
        card_pin_reset_card_for_token(token=token)


def test_the_page_gives_the_same_answer_whether_or_not_the_card_exists(client, card, mailoutbox):
    known = request_reset(client, card.number).content.decode()
    unclaimed = member_card()  # no account, so no email address
    without_email = request_reset(client, unclaimed.number, ip="10.0.0.2").content.decode()
    unknown = request_reset(client, "8860000000000000", ip="10.0.0.3").content.decode()

    def answer(html):
        return re.search(r'id="pin_reset_sent">(.*?)</div>', html, re.S).group(1).strip()

    assert answer(known) == answer(without_email) == answer(unknown)
    assert len(mailoutbox) == 1


def test_reset_requests_are_throttled_per_card_and_per_ip(client, card, mailoutbox):
    for attempt in range(PIN_RESET_MAX_REQUESTS):
        request_reset(client, card.number, ip=f"10.0.1.{attempt}")

    refused = request_reset(client, card.number, ip="10.0.2.1").content.decode()
    assert "Too many PIN reset requests" in refused
    assert len(mailoutbox) == PIN_RESET_MAX_REQUESTS

    for attempt in range(PIN_RESET_MAX_REQUESTS):
        request_reset(client, f"88600000000{attempt:05d}", ip="10.0.3.1")
    assert (
        "Too many PIN reset requests"
        in request_reset(client, card.number, ip="10.0.3.1").content.decode()
    )


def test_the_new_pin_must_be_valid_and_typed_twice(client, card, mailoutbox):
    request_reset(client, card.number)
    link = reset_link(mailoutbox[0])

    mismatch = client.post(link, {"new_pin": "97531", "new_pin_again": "97532"})
    too_short = client.post(link, {"new_pin": "12", "new_pin_again": "12"})

    assert "The two new PINs do not match." in mismatch.content.decode()
    assert "A PIN is 4 to 8 digits." in too_short.content.decode()
    card.refresh_from_db()
    assert check_password(CARD_PIN, card.pin_hash)


def test_pin_change_page_from_the_account(client, card):
    client.force_login(card.user)

    wrong = client.post(
        reverse("membercard:pin-change"),
        {"pin": "0000", "new_pin": "8642", "new_pin_again": "8642"},
    )
    assert "do not match" in wrong.content.decode()
    response = client.post(
        reverse("membercard:pin-change"),
        {"pin": CARD_PIN, "new_pin": "8642", "new_pin_again": "8642"},
    )

    assert response.status_code == 302
    assert check_password("8642", MemberCard.objects.get(pk=card.pk).pin_hash)


def test_pin_change_page_needs_a_card(client):
    response = client.get(reverse("membercard:pin-change"))

    assert response.status_code == 302 and response.url == reverse("membercard:lookup")
