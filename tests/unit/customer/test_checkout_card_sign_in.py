"""Checkout's "returning customer" takes a member card number + PIN as the login page does:
the same backend (loyalty.backends.MemberCardBackend) behind the same login throttle."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from tests.factories.loyalty import CARD_PIN, member_card
from tests.factories.payments import CheckoutDriver, shipping_country, shop_product
from tests.fixtures.throttle import LOGIN_MAX_FAILURES as MAX_FAILURES
from tests.fixtures.throttle import login_throttle  # noqa: F401  (used by pytestmark)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("login_throttle")]

PASSWORD = "right-horse-battery-staple"  # noqa: S105
GATEWAY = reverse("checkout:index")


@pytest.fixture
def basket_client(client):
    """A visitor, not signed in, with something in the basket: the gateway asks who they are."""
    shipping_country()
    CheckoutDriver(client).add_to_basket(shop_product())
    return client


@pytest.fixture
def card_member():
    user = UserFactory(email="member@campus.example")
    user.set_unusable_password()
    user.save()
    return user, member_card(user=user)


def _gateway(client, username, password="", options="existing"):
    return client.post(
        GATEWAY,
        {"username": username, "password": password, "options": options},
        REMOTE_ADDR="10.0.0.1",
    )


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_the_gateway_says_a_card_number_and_pin_will_do(basket_client):
    html = basket_client.get(GATEWAY).content.decode()

    assert "My email address or member card number is" in html
    assert "my password (or my card&#x27;s PIN) is" in html


def test_a_member_signs_in_at_checkout_with_card_number_and_pin(basket_client, card_member):
    user, card = card_member
    typed = " ".join(card.number[i : i + 4] for i in range(0, 16, 4))

    response = _gateway(basket_client, typed, CARD_PIN)

    assert response.status_code == 302
    assert response.url == reverse("checkout:shipping-method")
    assert _signed_in_user_id(basket_client) == str(user.pk)
    # The basket came along: the next step is the member's checkout, not the gateway again.
    assert basket_client.get(GATEWAY).status_code == 302


def test_a_wrong_pin_at_checkout_says_so_and_signs_no_one_in(basket_client, card_member):
    _user, card = card_member

    response = _gateway(basket_client, card.number, "0000")

    assert response.status_code == 200
    assert "member card number and PIN" in response.content.decode()
    assert _signed_in_user_id(basket_client) is None


def test_wrong_pins_at_checkout_count_towards_the_login_lock(basket_client, card_member):
    _user, card = card_member
    for _attempt in range(MAX_FAILURES):
        _gateway(basket_client, card.number, "0000")

    response = _gateway(basket_client, card.number, CARD_PIN)

    assert response.status_code == 429
    assert _signed_in_user_id(basket_client) is None
    # The login page is locked for this card too: one count, wherever the PIN was typed.
    login = basket_client.post(
        "/accounts/login/",
        {"login-username": card.number, "login-password": CARD_PIN, "login_submit": "1"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert login.status_code == 429


def test_wrong_passwords_at_checkout_are_throttled_as_on_the_login_page(basket_client):
    user = UserFactory(email="shopper@campus.example", password=PASSWORD)
    for _attempt in range(MAX_FAILURES):
        _gateway(basket_client, user.email, "wrong")

    response = _gateway(basket_client, user.email, PASSWORD)

    assert response.status_code == 429
    assert _signed_in_user_id(basket_client) is None


def test_email_and_password_still_sign_in_at_checkout(basket_client):
    user = UserFactory(email="shopper@campus.example", password=PASSWORD)

    response = _gateway(basket_client, "Shopper@campus.example", PASSWORD)

    assert response.status_code == 302
    assert _signed_in_user_id(basket_client) == str(user.pk)


@pytest.mark.parametrize("options", ["anonymous", "new"])
def test_a_card_number_is_no_guest_email(basket_client, card_member, options):
    _user, card = card_member

    response = _gateway(basket_client, card.number, options=options)

    assert response.status_code == 200
    assert "choose “returning customer”" in response.content.decode()
    assert basket_client.session.get("checkout_data", {}).get("guest", {}) == {}


def test_a_guest_still_checks_out_with_an_email_address(basket_client):
    response = _gateway(basket_client, "guest@campus.example", options="anonymous")

    assert response.status_code == 302
    assert _signed_in_user_id(basket_client) is None


def test_a_guest_address_that_is_no_email_is_refused(basket_client):
    response = _gateway(basket_client, "not an address", options="anonymous")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
