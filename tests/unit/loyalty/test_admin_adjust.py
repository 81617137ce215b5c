"""Manual point adjustments from the Wagtail admin: reason, ledger rule, audit trail, who may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from oscar.test.factories import UserFactory

from loyalty import selectors
from loyalty.models import PointsAccount, PointsTransaction
from loyalty.services.ledger import PointsBalanceInsufficient, points_adjust, points_adjust_by_staff
from tests.factories.loyalty import member_card
from tests.factories.loyalty_admin import cashier_user, marketing_user, viewer_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    card = member_card(user=UserFactory(first_name="Wei", last_name="Li"))
    points_adjust(
        account_id=card.account_id,
        points=300,
        reason="opening balance",
        created_by=UserFactory(is_superuser=True),
    )
    return card


def _state(card):
    account = PointsAccount.objects.get(pk=card.account_id)
    return account.balance, PointsTransaction.objects.filter(account_id=card.account_id).count()


def test_adjustment_records_who_and_why(card):
    user = marketing_user()

    movement = points_adjust_by_staff(
        account_id=card.account_id, points=-120, reason="  Duplicate earn  ", user=user
    )

    assert (movement.kind, movement.points, movement.reason) == ("adjust", -120, "Duplicate earn")
    assert movement.created_by == user
    assert _state(card)[0] == 180
    assert list(selectors.points_adjustments(account_id=card.account_id))[0] == movement


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_mandatory_and_nothing_is_written_without_it(card, reason):
    before = _state(card)
    with pytest.raises(ValidationError):
        points_adjust_by_staff(
            account_id=card.account_id, points=10, reason=reason, user=marketing_user()
        )
    assert _state(card) == before


def test_taking_more_than_the_balance_is_refused_and_writes_nothing(card):
    before = _state(card)
    with pytest.raises(PointsBalanceInsufficient, match="only 300 points"):
        points_adjust_by_staff(
            account_id=card.account_id, points=-301, reason="typo", user=marketing_user()
        )
    assert _state(card) == before


@pytest.mark.parametrize("make_user", [viewer_user, cashier_user, UserFactory])
def test_users_without_the_right_cannot_adjust(card, make_user):
    before = _state(card)
    with pytest.raises(PermissionDenied):
        points_adjust_by_staff(
            account_id=card.account_id, points=10, reason="goodwill", user=make_user()
        )
    assert _state(card) == before


def test_cashiers_never_adjust_even_with_the_permission():
    assert selectors.points_adjust_allowed(user=marketing_user())
    assert not selectors.points_adjust_allowed(user=cashier_user())
    assert selectors.points_adjust_allowed(user=UserFactory(is_superuser=True))


def _adjust_url(card):
    return reverse("loyalty_members:adjust", args=[card.pk])


def test_adjust_form_changes_the_balance_and_the_member_page_shows_the_audit_row(client, card):
    user = marketing_user(username="mkt-li")
    client.force_login(user)

    response = client.post(_adjust_url(card), {"points": "50", "reason": "Lost receipt"})

    assert response.status_code == 302
    assert response.url == reverse("loyalty_members:inspect", args=[card.pk])
    page = client.get(response.url).content.decode()
    assert "balance is now 350" in page
    assert "Lost receipt" in page and "mkt-li" in page
    assert _state(card)[0] == 350


def test_adjust_form_refusals_show_the_reason_and_write_nothing(client, card):
    client.force_login(marketing_user())
    before = _state(card)

    no_reason = client.post(_adjust_url(card), {"points": "50", "reason": ""})
    too_many = client.post(_adjust_url(card), {"points": "-999", "reason": "cleanup"})

    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    assert too_many.status_code == 200
    assert "only 300 points" in too_many.content.decode()
    assert _state(card) == before


@pytest.mark.parametrize("make_user", [viewer_user, cashier_user])
def test_adjust_form_is_forbidden_without_the_right(client, card, make_user):
    client.force_login(make_user())
    before = _state(card)

    response = client.post(_adjust_url(card), {"points": "50", "reason": "goodwill"})

    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    assert _state(card) == before


def test_adjustments_have_their_own_filterable_list(client, card):
    other = member_card(user=UserFactory())
    author = marketing_user(username="mkt-zhang")
    points_adjust_by_staff(
        account_id=other.account_id, points=70, reason="Survey reward", user=author
    )
    client.force_login(viewer_user())
    url = reverse("loyalty_points_adjustments:index")

    everything = client.get(url).content.decode()
    assert "opening balance" in everything and "Survey reward" in everything

    for params in ({"card": other.number}, {"created_by": "mkt-zhang"}):
        only_other = client.get(url, params).content.decode()
        assert "Survey reward" in only_other and "opening balance" not in only_other

    points_adjust_by_staff(
        account_id=other.account_id, points=-20, reason="Correction", user=author
    )
    taken = client.get(url, {"direction": "taken"}).content.decode()
    assert "Correction" in taken and "Survey reward" not in taken


def test_superuser_sees_the_adjustments_list_without_an_add_button(client, card):
    # A superuser holds every permission, "add" included, but adjustments are only ever made
    # from a member's page: the list must not try to link to an add view that does not exist.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("loyalty_points_adjustments:index"))

    assert response.status_code == 200
    assert "opening balance" in response.content.decode()
