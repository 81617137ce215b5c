"""One rule for a usable card (active and in date) and its status as people see it, applied by
every caller: member price, earning, redemption, the till, the lookup, campus sign-on, the CMS;
and the staff renewal that makes an expired card usable again."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from campus_sso import services as sso_services
from campus_sso.services import CardLinkOutcome
from loyalty import selectors
from loyalty.models import (
    MemberCard,
    MemberCardRenewal,
    MemberType,
    PointsAccount,
    PointsTransaction,
)
from loyalty.services.cards import card_claim, card_issue, card_renew, card_report_lost
from loyalty.services.ledger import points_adjust
from loyalty.services.redemption import points_redeem
from tests.factories.loyalty import (
    CARD_PIN,
    card_expire,
    earning_rules,
    member_card,
    paid_order,
)
from tests.factories.loyalty_admin import cashier_user, marketing_user, viewer_user
from till.selectors import till_card_get

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)


def _card(*, status: str, expires_on: dt.date) -> MemberCard:
    card = member_card()
    MemberCard.objects.filter(pk=card.pk).update(
        status=status, issued_on=expires_on - dt.timedelta(days=1000), expires_on=expires_on
    )
    card.refresh_from_db()
    return card


@pytest.mark.parametrize(
    ("status", "days", "usable", "shown"),
    [
        ("active", 30, True, "active"),
        ("active", 0, True, "active"),  # valid through its expiry date
        ("active", -1, False, "expired"),
        ("frozen", 30, False, "frozen"),
        ("lost", 30, False, "lost"),
        ("replaced", 30, False, "replaced"),
        ("expired", 30, False, "expired"),
        ("frozen", -1, False, "frozen"),
    ],
)
def test_the_rule_in_python_and_in_sql_agree(status, days, usable, shown):
    card = _card(status=status, expires_on=TODAY + dt.timedelta(days=days))

    assert card.is_usable(on=TODAY) is usable
    assert card.status_shown(on=TODAY) == shown
    assert MemberCard.objects.usable(on=TODAY).filter(pk=card.pk).exists() is usable
    assert MemberCard.objects.status_shown_in([shown], on=TODAY).filter(pk=card.pk).exists()
    others = [s for s in MemberCard.Status.values if s != shown]
    assert not MemberCard.objects.status_shown_in(others, on=TODAY).filter(pk=card.pk).exists()


def test_an_expired_card_is_still_the_members_card_but_not_usable():
    user = UserFactory()
    card = card_expire(member_card(user=user))

    assert selectors.card_get_for_user(user=user) == card
    assert selectors.card_usable_for_user(user=user) is None
    assert card.get_status_shown_display() == "Expired"
    reason = selectors.card_unusable_reason(card=card)
    assert reason.startswith("This card expired on ")
    assert "renewed at the store's service desk" in reason


# --------------------------------------------------------------------------- every caller


@pytest.fixture
def expired_member():
    MemberType.objects.filter(code="staff").update(discount_percent=Decimal("10.00"))
    earning_rules(points_per_cny=Decimal("1"))
    user = UserFactory(email="expired@campus.example")
    card = card_expire(member_card(user=user, member_type_code="staff"))
    return user, card


def test_expired_card_gets_no_member_price(expired_member):
    user, _card = expired_member
    assert selectors.member_discount_percent_for_user(user=user) == Decimal("0")


def test_expired_card_earns_no_points(expired_member):
    user, card = expired_member

    paid_order(user=user, price="100.00")

    assert not PointsTransaction.objects.filter(account_id=card.account_id, kind="earn").exists()


def test_expired_card_cannot_spend_points(expired_member):
    user, card = expired_member
    points_adjust(account_id=card.account_id, points=900, reason="test", created_by=UserFactory())

    with pytest.raises(ValidationError, match="Points can only be spent with an active card"):
        points_redeem(account_id=card.account_id, points=500, order_total=Decimal("100"))
    assert PointsAccount.objects.get(pk=card.account_id).balance == 900


def test_the_till_refuses_an_expired_card_and_says_where_to_renew(expired_member):
    _user, card = expired_member

    with pytest.raises(ValidationError) as caught:
        till_card_get(card_number=card.number)

    assert caught.value.code == "card_expired"
    (message,) = caught.value.messages
    assert message.startswith(f"Card {card.number} cannot be used. This card expired on ")
    assert "renewed at the store's service desk" in message


def test_an_expired_card_is_not_linked_by_pin_or_by_campus_sign_on():
    with pytest.raises(ValidationError, match="cannot be linked. This card expired on"):
        card_claim(user=UserFactory(), number=card_expire(member_card()).number, pin=CARD_PIN)

    card = card_expire(card_issue(member_type_code="student", pin="4321", campus_id="2023009"))
    login = sso_services.campus_login(campus_id="2023009", email="li@campus.example")
    assert login.card_link.outcome == CardLinkOutcome.CARD_NOT_ACTIVE
    assert "This card expired on" in login.card_link.message
    card.refresh_from_db()
    assert card.user is None


def test_lookup_and_account_page_show_expired(client, expired_member):
    user, card = expired_member

    client.post(reverse("membercard:lookup"), {"number": card.number, "pin": CARD_PIN})
    html = client.get(reverse("membercard:lookup-result")).content.decode()
    assert 'id="card_status">Expired' in html
    assert "renewed at the store&#x27;s service desk" in html

    client.force_login(user)
    html = client.get(reverse("customer:profile-view")).content.decode()
    assert 'id="member_card_status">Expired<' in html
    assert 'id="member_card_unusable"' in html and 'id="member_card_qr"' not in html


def test_cms_member_list_shows_and_filters_expired(client, expired_member):
    _user, expired = expired_member
    in_date = member_card(user=UserFactory())
    client.force_login(marketing_user())
    index = reverse("loyalty_members:index")

    html = client.get(index).content.decode()
    row = html.split(expired.number, 1)[1].split("</tr>", 1)[0]
    assert "Expired" in row and "Active" not in row

    html = client.get(index, {"status": "expired"}).content.decode()
    assert expired.number in html and in_date.number not in html
    html = client.get(index, {"status": "active"}).content.decode()
    assert in_date.number in html and expired.number not in html


# --------------------------------------------------------------------------- renewal


def test_renewal_uses_the_member_type_validity_and_records_who(expired_member):
    user, card = expired_member
    MemberType.objects.filter(code="staff").update(card_validity_years=2)
    staff = marketing_user()
    previous = card.expires_on

    renewal = card_renew(card_id=card.pk, renewed_by=staff)

    card.refresh_from_db()
    today = timezone.localdate()
    assert card.expires_on == today.replace(year=today.year + 2)
    assert card.is_usable() and card.get_status_shown_display() == "Active"
    assert (renewal.previous_expires_on, renewal.expires_on) == (previous, card.expires_on)
    assert renewal.renewed_by == staff and renewal.renewed_at is not None
    # Usable again: the member price is back.
    assert selectors.member_discount_percent_for_user(user=user) == Decimal("10.00")


def test_renewal_to_a_chosen_date_and_early_renewal_keeps_the_remaining_days():
    card = member_card()
    chosen = card.expires_on + dt.timedelta(days=30)
    card_renew(card_id=card.pk, renewed_by=marketing_user(), expires_on=chosen)
    card.refresh_from_db()
    assert card.expires_on == chosen
    assert selectors.card_renewal_expiry_default(card=card) == chosen.replace(year=chosen.year + 4)


@pytest.mark.parametrize("days", [0, -5])
def test_renewal_to_a_past_date_is_refused_and_changes_nothing(expired_member, days):
    _user, card = expired_member
    with pytest.raises(ValidationError, match="after today"):
        card_renew(
            card_id=card.pk,
            renewed_by=marketing_user(),
            expires_on=timezone.localdate() + dt.timedelta(days=days),
        )
    assert MemberCard.objects.get(pk=card.pk).expires_on == card.expires_on
    assert not MemberCardRenewal.objects.exists()


def test_a_lost_card_is_replaced_not_renewed():
    card = card_report_lost(card_id=member_card().pk)
    with pytest.raises(ValidationError, match="cannot be renewed"):
        card_renew(card_id=card.pk, renewed_by=marketing_user())
    assert not MemberCardRenewal.objects.exists()


@pytest.mark.parametrize("who", [viewer_user, cashier_user])
def test_only_marketing_may_renew(expired_member, who):
    _user, card = expired_member
    with pytest.raises(PermissionDenied):
        card_renew(card_id=card.pk, renewed_by=who())
    assert MemberCard.objects.get(pk=card.pk).is_expired()


def test_renew_button_on_the_member_page(client, expired_member):
    _user, card = expired_member
    staff = marketing_user(username="mkt")
    client.force_login(staff)
    detail = reverse("loyalty_members:inspect", args=[card.pk])

    html = client.get(detail).content.decode()
    assert 'data-testid="card-status">Expired<' in html and 'data-testid="renew-form"' in html

    response = client.post(reverse("loyalty_members:renew", args=[card.pk]), {"expires_on": ""})

    assert response.status_code == 302 and response.url == detail
    html = client.get(detail).content.decode()
    assert 'data-testid="card-status">Active<' in html
    renewals = html.split('data-testid="renewals"', 1)[1].split("</table>", 1)[0]
    assert "mkt" in renewals
    assert MemberCardRenewal.objects.get(card=card).renewed_by == staff

    client.force_login(viewer_user())
    assert 'data-testid="renew-form"' not in client.get(detail).content.decode()
    response = client.post(reverse("loyalty_members:renew", args=[card.pk]), {})
    assert response.status_code in (302, 403)
    assert MemberCardRenewal.objects.count() == 1
