"""Delete profile: an account without a password confirms with its member card's PIN."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.utils import translation
from oscar.test.factories import UserFactory

from core.throttle import login_attempt_claim
from crm.models import PrivacyLog
from crm.templatetags.crm_privacy_tags import privacy_log_detail
from tests.factories.loyalty import CARD_PIN, member_card
from tests.factories.payments import funded_wallet
from tests.fixtures.throttle import (  # noqa: F401  (login_throttle: used by pytestmark)
    LOGIN_MAX_FAILURES,
    login_throttle,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("login_throttle")]

DELETE = "/accounts/profile/delete/"
PASSWORD = "old-Password-1"  # noqa: S105


@pytest.fixture
def card_only_member():
    user = UserFactory(email="member@campus.example")
    user.set_unusable_password()
    user.save()
    return user, member_card(user=user)


def _exists(user) -> bool:
    return get_user_model().objects.filter(pk=user.pk).exists()


def test_a_card_only_account_is_asked_for_its_card_pin(client, card_only_member):
    user, card = card_only_member
    client.force_login(user)

    page = client.get(DELETE)

    assert list(page.context["form"].fields) == ["pin"]
    html = page.content.decode()
    assert "confirm with your member card's PIN" in html
    assert f"ending in {card.number[-4:]}" in html


def test_a_card_only_account_is_deleted_with_the_right_pin(client, card_only_member):
    user, _card = card_only_member
    client.force_login(user)

    response = client.post(DELETE, {"pin": CARD_PIN})

    assert response.status_code == 302
    assert not _exists(user)
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert "Your profile has now been deleted. Thanks for using the site." in messages


def test_a_wrong_pin_deletes_nothing_and_counts_towards_the_card_lock(client, card_only_member):
    user, card = card_only_member
    client.force_login(user)

    response = client.post(DELETE, {"pin": "0000"}, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 200
    assert "do not match (4 tries left)" in response.content.decode()
    assert _exists(user)
    for _attempt in range(4):
        client.post(DELETE, {"pin": "0000"}, REMOTE_ADDR="10.0.0.9")
    # Locked: even the right PIN is refused, as on the login form and the card lookup.
    locked = client.post(DELETE, {"pin": CARD_PIN}, REMOTE_ADDR="10.0.0.9")
    assert "Too many wrong PINs" in locked.content.decode()
    assert _exists(user)


def test_an_account_with_a_password_still_confirms_with_it(client, card_only_member):
    user, _card = card_only_member
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)

    assert list(client.get(DELETE).context["form"].fields) == ["password"]
    # Not with the PIN: the password is the account's secret now.
    client.post(DELETE, {"password": CARD_PIN, "pin": CARD_PIN})
    assert _exists(user)

    client.post(DELETE, {"password": PASSWORD})
    assert not _exists(user)


def test_wrong_passwords_count_with_the_login_throttle_and_lock_the_deletion(client):
    user = UserFactory(email="pw@campus.example")
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)

    for _attempt in range(LOGIN_MAX_FAILURES):
        wrong = client.post(DELETE, {"password": "not-it"}, REMOTE_ADDR="10.0.0.7")
        assert "The entered password is not valid!" in wrong.content.decode()
    # Locked: the right password is refused too, here and on the login form.
    locked = client.post(DELETE, {"password": PASSWORD}, REMOTE_ADDR="10.0.0.7")

    assert "Too many wrong passwords for this account" in locked.content.decode()
    assert _exists(user)
    assert not login_attempt_claim(username=user.email, ip="10.0.0.7")
    # Another network is not locked out by these guesses.
    client.post(DELETE, {"password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert not _exists(user)


def test_deleting_an_account_is_written_to_the_privacy_log(client, card_only_member):
    user, _card = card_only_member
    user_id = user.pk
    client.force_login(user)

    client.post(DELETE, {"pin": CARD_PIN})

    entry = PrivacyLog.objects.get()
    assert entry.action == PrivacyLog.Action.ACCOUNT_DELETE
    assert entry.actor is None and entry.subject_user_id == user_id
    assert entry.detail == {"kept_unlinked": {"loyalty.MemberCard": 1}}
    with translation.override("en"):
        assert privacy_log_detail(entry) == [
            f"Customer #{user_id} deleted their account from the shop.",
            "Kept by the store, no longer linked to anyone: Member cards: 1.",
        ]


def test_an_account_with_neither_password_nor_card_is_sent_to_set_a_password(client):
    user = UserFactory(email="sso@campus.example")
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    response = client.post(DELETE, {"password": "", "pin": ""}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/change-password/"
    assert "Set a password first" in response.content.decode()
    assert _exists(user)


def test_deleting_keeps_the_card_and_its_points_unlinked(client, card_only_member):
    user, card = card_only_member
    client.force_login(user)
    assert "is not cancelled" in client.get(DELETE).content.decode()

    client.post(DELETE, {"pin": CARD_PIN})

    card.refresh_from_db()
    assert not _exists(user)
    assert card.user is None  # an unclaimed card again, usable at the till
    assert card.account_id is not None


def test_a_wallet_holding_money_refuses_the_deletion_and_says_why(client, card_only_member):
    user, _card = card_only_member
    funded_wallet(user=user, amount="12.50")
    client.force_login(user)

    response = client.post(DELETE, {"pin": CARD_PIN}, follow=True)

    assert _exists(user)
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "wallet holds ¥12.50" in response.content.decode()


def test_an_empty_wallet_stays_as_a_record_unlinked(client, card_only_member):
    user, _card = card_only_member
    wallet = funded_wallet(user=user, amount="0.00")
    client.force_login(user)

    client.post(DELETE, {"pin": CARD_PIN})

    wallet.refresh_from_db()
    assert not _exists(user)
    assert wallet.user_id is None
