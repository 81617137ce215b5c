"""Accounts without a password (members who sign in with card + PIN): set one, reset honestly."""

import re

import pytest
from django.conf import settings
from django.core import mail
from oscar.test.factories import UserFactory

from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Campus-store-2026!"  # noqa: S105
RESET = "/password-reset/"


@pytest.fixture
def card_only_member():
    user = UserFactory(email="member@campus.example")
    user.set_unusable_password()
    user.save()
    member_card(user=user)
    return user


@pytest.fixture
def password_member():
    return UserFactory(email="shopper@campus.example", password="old-Password-1")


def test_profile_offers_a_card_only_account_to_set_a_password(client, card_only_member):
    client.force_login(card_only_member)

    html = client.get("/accounts/profile/").content.decode()

    assert 'id="set_password_notice"' in html
    # Only the button that applies: there is no password to change.
    assert "Change password" not in html


def test_profile_of_an_account_with_a_password_has_no_such_notice(client, password_member):
    client.force_login(password_member)

    html = client.get("/accounts/profile/").content.decode()

    assert 'id="set_password_notice"' not in html and "Set a password" not in html
    assert 'id="change_password_link"' in html and 'id="delete_profile"' in html


def test_card_only_account_sets_a_password_without_an_old_one(client, card_only_member):
    client.force_login(card_only_member)
    page = client.get("/accounts/change-password/")
    assert "old_password" not in page.context["form"].fields
    assert page.context["page_title"] == "Set a password"

    response = client.post(
        "/accounts/change-password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    card_only_member.refresh_from_db()
    assert card_only_member.check_password(NEW_PASSWORD)
    # Still signed in (the session hash follows the new password)...
    assert response.context["user"] == card_only_member
    assert "also log in with member@campus.example" in response.content.decode()
    # ...and the email + password login works from now on.
    client.logout()
    login = client.post(
        "/accounts/login/",
        {
            "login-username": "member@campus.example",
            "login-password": NEW_PASSWORD,
            "login_submit": "1",
        },
    )
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(card_only_member.pk)


def test_set_password_refuses_a_weak_or_mismatched_one_and_changes_nothing(
    client, card_only_member
):
    client.force_login(card_only_member)

    response = client.post(
        "/accounts/change-password/", {"new_password1": "12345678", "new_password2": "12345679"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    card_only_member.refresh_from_db()
    assert not card_only_member.has_usable_password()


def test_changing_an_existing_password_still_needs_the_old_one(client, password_member):
    client.force_login(password_member)

    response = client.post(
        "/accounts/change-password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert "old_password" in response.context["form"].errors
    password_member.refresh_from_db()
    assert password_member.check_password("old-Password-1")


def test_password_reset_of_a_card_only_account_sends_a_link_to_set_one(client, card_only_member):
    response = client.post(RESET, {"email": "Member@Campus.Example"}, follow=True)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@campus.example"]
    assert "Setting a password" in message.subject
    assert "no password yet" in message.body
    assert "member card number and its PIN" in message.body
    # The link works: it opens the form to choose a password for this account.
    link = next(word for word in message.body.split() if "/password-reset/confirm/" in word)
    path = link.split("://", 1)[-1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    card_only_member.refresh_from_db()
    assert card_only_member.check_password(NEW_PASSWORD)
    # The page after the request tells the truth, and mentions the card sign-in.
    html = response.content.decode()
    assert "Email sent" not in html
    assert "card number and PIN" in html


def test_password_reset_of_an_account_with_a_password_is_oscars(client, password_member):
    client.post(RESET, {"email": "shopper@campus.example"})

    assert len(mail.outbox) == 1
    assert "Resetting your password" in mail.outbox[0].subject
    assert "no password yet" not in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_sends_nothing_and_does_not_claim_it_did(client):
    response = client.post(RESET, {"email": "nobody@campus.example"}, follow=True)

    assert mail.outbox == []
    html = response.content.decode()
    assert "Email sent" not in html
    assert "If an account is registered with the address you entered" in html


def test_password_reset_skips_closed_accounts(client, card_only_member):
    card_only_member.is_active = False
    card_only_member.save()

    client.post(RESET, {"email": "member@campus.example"})

    assert mail.outbox == []


def test_the_account_menu_marks_the_page_shown_in_the_store_green():
    # Bootstrap's pills are blue; the account pages' side menu is a nav-pills list.
    css = (settings.BASE_DIR / "static" / "css" / "shop.css").read_text()

    rule = re.search(r"\.nav-pills \.nav-link\.active[^{]*\{(?P<body>[^}]*)\}", css)

    assert rule is not None
    assert "background-color: var(--shop-green)" in rule["body"]
