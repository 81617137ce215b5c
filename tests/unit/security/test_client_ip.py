"""The client address behind every IP-keyed counter (core.throttle.client_ip).

No proxy (TRUSTED_PROXY_COUNT=0): X-Forwarded-For is the client's own and is ignored. One trusted
proxy: the client is the address the proxy appended (the rightmost entry); whatever the client
wrote to the left of it is ignored. The login and PIN throttles key on it, so behind a proxy one
client's wrong passwords or PINs no longer lock everyone else.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from oscar.test.factories import UserFactory

from core.throttle import client_ip
from tests.factories.loyalty import CARD_PIN, member_card
from tests.fixtures.throttle import LOGIN_MAX_FAILURES as MAX_FAILURES
from tests.fixtures.throttle import login_throttle  # noqa: F401  (used by pytestmark)

PROXY = "10.0.0.2"
PASSWORD = "right-horse-battery-staple"  # noqa: S105

pytestmark = pytest.mark.usefixtures("login_throttle")


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize("forwarded", [None, "203.0.113.9", "203.0.113.9, 198.51.100.7"])
def test_without_a_proxy_the_socket_address_is_the_client_and_the_header_is_ignored(
    settings, forwarded
):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("192.0.2.10", forwarded)) == "192.0.2.10"


def test_behind_one_proxy_the_client_is_the_address_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(PROXY, "198.51.100.7")) == "198.51.100.7"
    # A client that writes its own header cannot choose its address: the proxy appends the
    # real one after it.
    assert client_ip(_request(PROXY, "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(PROXY, "1.2.3.4,5.6.7.8 ,  198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(PROXY, "1.2.3.4, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_behind_a_proxy_a_request_without_a_usable_header_falls_back_to_the_socket(
    settings, forwarded
):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("192.0.2.10", forwarded)) == "192.0.2.10"


def test_behind_two_proxies_a_request_that_passed_only_one_is_not_read(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request("192.0.2.10", "1.2.3.4")) == "192.0.2.10"


# ------------------------------------------------------------------ the callers, end to end


def _login(client, username, password, *, client_address):
    return client.post(
        "/accounts/login/",
        {"login-username": username, "login-password": password, "login_submit": "1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}",
    )


@pytest.mark.django_db
def test_behind_a_proxy_a_guesser_locks_only_themselves_out_of_an_account(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="member@campus.example", password=PASSWORD)
    for _attempt in range(MAX_FAILURES):
        _login(client, user.email, "wrong", client_address="198.51.100.66")
    assert _login(client, user.email, PASSWORD, client_address="198.51.100.66").status_code == 429

    # The owner, through the same proxy from another address, still signs in.
    response = _login(client, user.email, PASSWORD, client_address="198.51.100.7")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_without_a_proxy_changing_the_header_does_not_escape_the_lock(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory(email="member@campus.example", password=PASSWORD)
    for attempt in range(MAX_FAILURES):
        _login(client, user.email, "wrong", client_address=f"198.51.100.{attempt}")

    response = _login(client, user.email, PASSWORD, client_address="198.51.100.99")

    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_wrong_pins_from_one_client_do_not_lock_card_lookup_for_others(
    client, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    guessed, other = member_card(), member_card()

    def lookup(card, pin, client_address):
        return client.post(
            reverse("membercard:lookup"),
            {"number": card.number, "pin": pin},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_address,
        )

    # One client tries wrong PINs on several cards: its address is locked after five.
    for attempt in range(5):
        lookup(guessed if attempt % 2 else other, "0000", "198.51.100.66")
    locked = lookup(other, CARD_PIN, "198.51.100.66")
    assert "Too many wrong PINs" in locked.content.decode()

    # Another member behind the same proxy looks up their own card.
    response = lookup(other, CARD_PIN, "198.51.100.7")

    assert response.status_code == 302  # to the card's page
