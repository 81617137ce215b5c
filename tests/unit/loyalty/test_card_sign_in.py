"""Members sign in on Oscar's login form with their card number and PIN (MemberCardBackend)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from oscar.test.factories import UserFactory

from loyalty.models import MemberCard
from loyalty.services.cards import CARD_LOOKUP_MAX_FAILURES, card_authenticate, card_report_lost
from tests.factories.loyalty import CARD_PIN, member_card

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "right-horse-battery-staple"  # noqa: S105
MAX_FAILURES = 3


@pytest.fixture(autouse=True)
def _throttle(settings):
    settings.LOGIN_THROTTLE_MAX_FAILURES = MAX_FAILURES
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 600
    # Failure counters (login and PIN) live in the process-wide local-memory cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member():
    # As the demo loader and the till create them: no usable password, only the card.
    user = UserFactory(email="member@campus.example", password=None)
    user.set_unusable_password()
    user.save()
    return user, member_card(user=user)


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        LOGIN,
        {"login-username": username, "login-password": password, "login_submit": "1"},
        REMOTE_ADDR=ip,
    )


def _signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def _form_errors(response) -> list[str]:
    return response.context["login_form"].non_field_errors()


def test_card_number_and_pin_sign_the_member_in(client, member):
    user, card = member

    response = _login(client, card.number, CARD_PIN)

    assert response.status_code == 302
    # Straight to their account: the card, its points, setting a password.
    assert response["Location"] == "/accounts/profile/"
    assert _signed_in_as(client) == user
    assert client.session["_auth_user_backend"] == "loyalty.backends.MemberCardBackend"
    # The session keeps working on the next request (the backend loads the user back).
    assert client.get("/accounts/profile/").status_code == 200


def test_a_card_sign_in_goes_where_the_login_page_was_asked_to(client, member):
    _user, card = member

    response = client.post(
        LOGIN + "?next=/basket/",
        {
            "login-username": card.number,
            "login-password": CARD_PIN,
            "login-redirect_url": "/basket/",
            "login_submit": "1",
        },
    )

    assert response["Location"] == "/basket/"


def test_card_number_typed_in_groups_is_accepted(client, member):
    user, card = member
    grouped = " ".join(card.number[i : i + 4] for i in range(0, 16, 4))

    _login(client, grouped, CARD_PIN)

    assert _signed_in_as(client) == user


def test_wrong_pin_is_refused_and_counted_by_the_login_throttle(client, member):
    _user, card = member

    for _attempt in range(MAX_FAILURES):
        response = _login(client, card.number, "0000")
        assert response.status_code == 200
        assert _signed_in_as(client) is None
        assert "card number and PIN" in _form_errors(response)[0]

    # The login throttle (same counters as passwords) now refuses even the right PIN.
    response = _login(client, card.number, CARD_PIN)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert _signed_in_as(client) is None


def test_a_card_locked_by_wrong_pins_elsewhere_does_not_sign_in(client, member):
    # The card's own counter (lookup page, any address) guards the login form too.
    _user, card = member
    for attempt in range(CARD_LOOKUP_MAX_FAILURES):
        with pytest.raises(ValidationError):  # a mismatch, then the lock
            card_authenticate(number=card.number, pin="0000", ip=f"10.9.9.{attempt}")

    response = _login(client, card.number, CARD_PIN, ip="10.1.1.1")

    assert response.status_code == 429
    assert _signed_in_as(client) is None


def test_email_and_password_still_sign_in(client):
    user = UserFactory(email="shopper@campus.example", password=PASSWORD)
    member_card(user=user)

    response = _login(client, "shopper@campus.example", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"  # Oscar's, as before
    assert _signed_in_as(client) == user


def test_the_pin_is_not_a_password_for_the_email(client, member):
    user, _card = member

    response = _login(client, user.email, CARD_PIN)

    assert response.status_code == 200
    assert _signed_in_as(client) is None


def test_staff_password_logins_are_unaffected(client):
    staff = get_user_model().objects.create_user(
        username="operator", email="operator@campus.example", password=PASSWORD, is_staff=True
    )

    assert _login(client, "operator@campus.example", PASSWORD).status_code == 302
    assert _signed_in_as(client) == staff
    client.logout()
    response = client.post("/cms/login/", {"username": "operator", "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(client) == staff


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_card_never_opens_a_staff_account(client, flag):
    staff = UserFactory(email="staff@campus.example", password=PASSWORD, **{flag: True})
    card = member_card(user=staff)

    response = _login(client, card.number, CARD_PIN)

    assert response.status_code == 200
    assert _signed_in_as(client) is None
    assert "Staff accounts sign in with their password" in _form_errors(response)[0]
    # ...nor on the staff login pages.
    response = client.post("/cms/login/", {"username": card.number, "password": CARD_PIN})
    assert _signed_in_as(client) is None


def test_a_frozen_card_says_why_it_cannot_sign_in(client, member):
    user, card = member
    card_report_lost(card_id=card.pk)

    response = _login(client, card.number, CARD_PIN)

    assert _signed_in_as(client) is None
    assert "This card is frozen" in _form_errors(response)[0]


def test_an_expired_card_does_not_sign_in_and_says_where_to_renew(client, member):
    _user, card = member
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    MemberCard.objects.filter(pk=card.pk).update(issued_on=yesterday, expires_on=yesterday)

    response = _login(client, card.number, CARD_PIN)

    assert _signed_in_as(client) is None
    error = _form_errors(response)[0]
    assert "This card cannot sign in" in error and "expired" in error and "renewed" in error


def test_a_card_valid_through_today_still_signs_in(client, member):
    user, card = member
    MemberCard.objects.filter(pk=card.pk).update(expires_on=timezone.localdate())

    _login(client, card.number, CARD_PIN)

    assert _signed_in_as(client) == user


def test_a_card_not_linked_to_an_account_says_how_to_link_it(client):
    card = member_card(user=None)

    response = _login(client, card.number, CARD_PIN)

    assert _signed_in_as(client) is None
    assert "not linked to an online account" in _form_errors(response)[0]


def test_the_login_form_says_both_ways_to_sign_in(client):
    html = client.get(LOGIN).content.decode()

    assert "Email address or member card number" in html
    assert "Password or card PIN" in html
