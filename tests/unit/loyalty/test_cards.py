"""Member cards: numbers with a check digit, hashed PINs, claim, loss, replacement, PIN change."""

from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from oscar.test.factories import UserFactory

from loyalty import economy, selectors
from loyalty.models import MemberCard, MemberType
from loyalty.services.cards import (
    CARD_BLOCKED_STATUSES,
    card_claim,
    card_issue,
    card_pin_change,
    card_replace,
    card_report_lost,
)
from tests.factories.loyalty import CARD_PIN, earning_rules, member_card, paid_order
from tests.factories.payments import funded_wallet
from wallet.selectors import wallet_get_for_user

pytestmark = pytest.mark.django_db


def test_one_mistyped_digit_fails_clean():
    card = member_card()
    wrong = card.number[:-2] + str((int(card.number[-2]) + 1) % 10) + card.number[-1]
    card.number = wrong
    with pytest.raises(ValidationError, match="check digit"):
        card.clean()


def test_member_types_are_data_with_the_five_campus_types():
    assert set(MemberType.objects.values_list("code", flat=True)) >= {
        "student",
        "staff",
        "faculty",
        "alumni",
        "public",
    }


def test_issue_hashes_the_pin_and_creates_an_account():
    card = member_card(pin="123456")
    assert card.pin_hash != "123456"
    assert check_password("123456", card.pin_hash)
    assert card.status == MemberCard.Status.ACTIVE
    assert card.account.balance == 0
    assert card.expires_on > card.issued_on


@pytest.mark.parametrize("pin", ["", "12", "abcd", "123456789"])
def test_issue_refuses_a_bad_pin(pin):
    with pytest.raises(ValidationError, match="4 to 8 digits"):
        member_card(pin=pin)
    assert MemberCard.objects.count() == 0


def test_issue_refuses_an_unknown_member_type():
    with pytest.raises(ValidationError, match="Unknown member type"):
        card_issue(member_type_code="astronaut", pin=CARD_PIN)


def test_claim_links_the_card_to_the_account():
    card = member_card()
    user = UserFactory()
    formatted = " ".join(card.number[i : i + 4] for i in range(0, 16, 4))

    claimed = card_claim(user=user, number=formatted, pin=CARD_PIN)

    assert claimed.pk == card.pk and claimed.user == user
    assert selectors.card_get_for_user(user=user) == card
    # Claiming again is harmless.
    assert card_claim(user=user, number=card.number, pin=CARD_PIN) == card


def test_claim_with_a_wrong_pin_or_number_says_they_do_not_match():
    card = member_card()
    user = UserFactory()
    with pytest.raises(ValidationError, match="do not match"):
        card_claim(user=user, number=card.number, pin="0000")
    other = economy.card_number_for_serial(serial=1)
    with pytest.raises(ValidationError, match="do not match"):
        card_claim(user=user, number=other, pin=CARD_PIN)
    with pytest.raises(ValidationError, match="not a valid card number"):
        card_claim(user=user, number="1234", pin=CARD_PIN)
    card.refresh_from_db()
    assert card.user is None


def test_claim_refuses_a_card_of_someone_else_and_a_second_card():
    owner = UserFactory()
    card = member_card(user=owner)
    with pytest.raises(ValidationError, match="another account"):
        card_claim(user=UserFactory(), number=card.number, pin=CARD_PIN)
    second = member_card()
    with pytest.raises(ValidationError, match="already has a member card"):
        card_claim(user=owner, number=second.number, pin=CARD_PIN)


def test_claim_refuses_a_lost_card():
    card = member_card()
    card_report_lost(card_id=card.pk)
    with pytest.raises(ValidationError, match="cannot be linked"):
        card_claim(user=UserFactory(), number=card.number, pin=CARD_PIN)


def test_report_lost_freezes_the_card():
    card = card_report_lost(card_id=member_card().pk)
    assert card.status == MemberCard.Status.LOST
    assert card.status in CARD_BLOCKED_STATUSES
    with pytest.raises(ValidationError, match="Only an active or frozen card"):
        card_report_lost(card_id=card.pk)


def test_replacement_carries_points_wallet_tier_and_history():
    earning_rules(points_per_cny=Decimal("1"))
    user = UserFactory()
    card = member_card(user=user, member_type_code="staff")
    wallet = funded_wallet(user=user, amount="30.00")
    paid_order(user=user, price="120.00")
    card.account.refresh_from_db()
    history = list(selectors.points_history(account_id=card.account_id))
    assert card.account.balance == 120

    card_report_lost(card_id=card.pk)
    new = card_replace(card_id=card.pk)

    card.refresh_from_db()
    assert card.status == MemberCard.Status.REPLACED and card.replaced_by == new
    assert new.number != card.number and economy.luhn_is_valid(number=new.number)
    assert new.status == MemberCard.Status.ACTIVE
    assert new.account_id == card.account_id
    assert new.account.balance == 120
    assert new.account.tier == card.account.tier
    assert list(selectors.points_history(account_id=new.account_id)) == history
    assert new.member_type.code == "staff" and new.user == user
    assert wallet_get_for_user(user=new.user) == wallet
    assert check_password(CARD_PIN, new.pin_hash)
    assert selectors.card_get_for_user(user=user) == new
    with pytest.raises(ValidationError, match="already replaced"):
        card_replace(card_id=card.pk)


def test_pin_change_needs_the_current_pin():
    card = member_card()
    with pytest.raises(ValidationError, match="current PIN"):
        card_pin_change(card_id=card.pk, old_pin="9999", new_pin="2468")
    with pytest.raises(ValidationError, match="4 to 8 digits"):
        card_pin_change(card_id=card.pk, old_pin=CARD_PIN, new_pin="12")
    card = card_pin_change(card_id=card.pk, old_pin=CARD_PIN, new_pin="2468")
    assert check_password("2468", card.pin_hash)
    assert not check_password(CARD_PIN, card.pin_hash)
