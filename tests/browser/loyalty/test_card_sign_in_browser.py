"""A member with only a card (as the demo loader makes them) signs in with card + PIN, then
sets a password on the account page and signs in with email + password next time."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from loyalty.demo import DEMO_CARD_PIN
from tests.factories.loyalty import member_card

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Campus-store-2026!"  # noqa: S105


@pytest.fixture
def demo_like_member(transactional_db):
    user = get_user_model().objects.create_user(
        username="member1379", email="member1379@campus.example", password=None
    )
    return user, member_card(user=user, pin=DEMO_CARD_PIN)


def _sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login-username").fill(username)
    page.locator("#id_login-password").fill(password)
    page.locator("button[name=login_submit]").click()


def test_member_signs_in_with_card_and_pin_then_sets_a_password(browser_page, demo_like_member):
    user, card = demo_like_member
    page = browser_page

    page.goto("/accounts/login/")
    expect(page.locator("label[for=id_login-username]")).to_contain_text("member card number")
    expect(page.locator("label[for=id_login-password]")).to_contain_text("PIN")
    # As printed on the card: in groups of four.
    _sign_in(page, " ".join(card.number[i : i + 4] for i in range(0, 16, 4)), DEMO_CARD_PIN)
    # Lands in their account: the card, and the offer to set a password.
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.get_by_text("Welcome back")).to_be_visible()
    expect(page.locator("#member_card_number")).to_have_text(card.number)
    expect(page.locator("#set_password_notice")).to_be_visible()

    page.locator("#set_password_link").click()
    expect(page.locator("h1")).to_contain_text("Set a password")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("#change_password_form button[type=submit]").click()
    expect(page.get_by_text("also log in with member1379@campus.example")).to_be_visible()
    expect(page.locator("#set_password_notice")).to_have_count(0)

    page.locator("#logout_link").click()
    _sign_in(page, user.email, NEW_PASSWORD)
    # Oscar's landing page for a password login is the home page; the account opens.
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/accounts/")
    expect(page.locator("#member_card_number")).to_have_text(card.number)


def test_a_wrong_pin_says_so_and_signs_nobody_in(browser_page, demo_like_member):
    _user, card = demo_like_member
    page = browser_page

    _sign_in(page, card.number, "0000")

    expect(page.locator("#login_form")).to_contain_text("card number and PIN")
    expect(page.locator("#logout_link")).to_have_count(0)
