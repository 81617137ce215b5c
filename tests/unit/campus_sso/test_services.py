"""The campus login rules: which account a campus identity gets, and which member card."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from oscar.test.factories import UserFactory

from campus_sso import selectors, services
from campus_sso.models import CampusIdentity
from campus_sso.services import CardLinkOutcome
from loyalty.models import MemberCard
from loyalty.services.cards import card_issue, card_report_lost

User = get_user_model()

pytestmark = pytest.mark.django_db


def card_for(campus_id: str, *, user=None) -> MemberCard:
    return card_issue(member_type_code="student", pin="4321", campus_id=campus_id, user=user)


def test_first_login_creates_the_account_and_links_the_card():
    card = card_for("2023001")

    login = services.campus_login(
        campus_id=" 2023001 ", email="li.wei@campus.example", first_name="Wei", last_name="Li"
    )

    assert login.first_login
    user = login.user
    assert (user.email, user.first_name, user.last_name) == ("li.wei@campus.example", "Wei", "Li")
    assert not user.has_usable_password()
    assert CampusIdentity.objects.get(user=user).campus_id == "2023001"
    card.refresh_from_db()
    assert card.user == user
    assert login.card_link.outcome == CardLinkOutcome.LINKED and login.card_link.card == card
    assert card.number in login.card_link.message


def test_second_login_reuses_the_account_even_with_a_new_email():
    card_for("2023001")
    first = services.campus_login(campus_id="2023001", email="old@campus.example")

    second = services.campus_login(campus_id="2023001", email="new@campus.example")

    assert not second.first_login and second.user == first.user
    assert second.card_link.outcome == CardLinkOutcome.ALREADY_LINKED
    assert User.objects.count() == 1 and CampusIdentity.objects.count() == 1
    assert list(selectors.campus_users_for_id(campus_id="2023001")) == [first.user]


def test_unknown_campus_id_creates_an_account_with_no_card():
    card_for("2023001")

    login = services.campus_login(campus_id="2099999", email="visitor@campus.example")

    assert login.first_login and login.card_link.outcome == CardLinkOutcome.NO_CARD
    assert not MemberCard.objects.filter(user=login.user).exists()
    assert MemberCard.objects.get().user is None


def test_a_card_issued_after_the_first_login_is_linked_at_the_next():
    first = services.campus_login(campus_id="2023001", email="li.wei@campus.example")
    card = card_for("2023001")

    again = services.campus_login(campus_id="2023001", email="li.wei@campus.example")

    assert again.card_link.outcome == CardLinkOutcome.LINKED
    card.refresh_from_db()
    assert card.user == first.user


def test_a_card_claimed_by_another_account_is_not_taken():
    owner = UserFactory(email="owner@campus.example")
    card = card_for("2023001", user=owner)

    login = services.campus_login(campus_id="2023001", email="someone@campus.example")

    card.refresh_from_db()
    assert card.user == owner
    assert login.user != owner
    assert login.card_link.outcome == CardLinkOutcome.CLAIMED_BY_OTHER
    assert "already linked to another account" in login.card_link.message
    # The message names the card only by its last digits: it is someone else's card.
    assert card.number not in login.card_link.message
    assert card.number[-4:] in login.card_link.message


def test_a_lost_card_is_not_linked():
    card = card_for("2023001")
    card_report_lost(card_id=card.pk)

    login = services.campus_login(campus_id="2023001", email="li.wei@campus.example")

    assert login.card_link.outcome == CardLinkOutcome.CARD_NOT_ACTIVE
    card.refresh_from_db()
    assert card.user is None


def test_an_existing_account_with_the_campus_email_is_kept_and_linked():
    """Someone who registered before SSO keeps their account (orders, wallet) on first login."""
    existing = UserFactory(email="Li.Wei@campus.example")
    card_for("2023001")

    login = services.campus_login(campus_id="2023001", email="li.wei@campus.example")

    assert login.user == existing and login.first_login
    assert MemberCard.objects.get().user == existing


def test_an_email_already_linked_to_another_campus_id_is_refused_and_nothing_changes():
    services.campus_login(campus_id="2023001", email="li.wei@campus.example")

    with pytest.raises(ValidationError, match="linked to a different campus ID"):
        services.campus_login(campus_id="2023002", email="li.wei@campus.example")

    assert User.objects.count() == 1
    assert list(CampusIdentity.objects.values_list("campus_id", flat=True)) == ["2023001"]


@pytest.mark.parametrize("campus_id", ["", "   ", "x" * 65])
def test_missing_or_oversized_campus_id_is_refused(campus_id):
    with pytest.raises(ValidationError):
        services.campus_login(campus_id=campus_id, email="li.wei@campus.example")

    assert not User.objects.exists() and not CampusIdentity.objects.exists()
