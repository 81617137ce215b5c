"""Someone else's things, and the privileges the issue names, asked for directly.

The matrix (test_access_matrix.py) checks every URL for every role; these cases follow one
object each and check that a refusal also writes nothing, and that the rightful owner or role
does get in (so a refusal is the permission check's, not a broken page's).
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from crm.models import Ticket
from loyalty.models import PointsAccount
from preorders.models import Preorder
from tests.unit.security.fuzz_world import FuzzWorld
from tests.unit.security.fuzzkit import DatabaseFingerprint, fingerprint_diff
from tests.unit.security.test_access_matrix import (
    CASHIER,
    MARKETING,
    MARKETING_MANAGER,
    OPERATOR,
    OTHER_SHOPPER,
    SHOPPER,
    SUPERUSER,
    client_for,
    demo_roles_install,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cache.clear()
    return FuzzWorld()


@pytest.fixture
def staff(world):
    return demo_roles_install()


@pytest.fixture
def as_role(world, staff):
    return lambda role: client_for(role, world, staff)


def _refused(response) -> bool:
    if response.status_code in (403, 404):
        return True
    # Wagtail sends a logged-in editor without the permission to the admin home instead.
    return response.status_code == 302 and (
        "login" in response["Location"] or response["Location"] == "/cms/"
    )


# --------------------------------------------------------------------------- shoppers


def test_another_shoppers_order_detail_and_lines_are_404(world, as_role):
    order = world.order
    line = order.lines.first()
    detail = reverse("customer:order", kwargs={"order_number": order.number})
    line_url = reverse(
        "customer:order-line", kwargs={"order_number": order.number, "line_id": line.pk}
    )

    assert as_role(SHOPPER).get(detail).status_code == 200
    other = as_role(OTHER_SHOPPER)
    assert other.get(detail).status_code == 404
    assert other.get(line_url).status_code == 404
    # Re-ordering someone else's line must not put it in my basket either.
    assert other.post(line_url, {"action": "reorder"}).status_code == 404
    assert order.number not in other.get(reverse("customer:order-list")).content.decode()


def test_card_history_needs_the_cards_pin_in_this_session(world, as_role):
    history = reverse("membercard:lookup-result")
    owner = as_role(SHOPPER)
    owner.post(reverse("membercard:lookup"), {"number": world.card.number, "pin": world.PIN})
    assert owner.get(history).status_code == 200

    other = as_role(OTHER_SHOPPER)
    response = other.get(history)
    assert response.status_code == 302
    assert response["Location"] == reverse("membercard:lookup")
    response = other.post(
        reverse("membercard:lookup"), {"number": world.card.number, "pin": "0000"}
    )
    assert "do not match" in response.content.decode()
    assert other.get(history).status_code == 302


def test_another_shoppers_ticket_cannot_be_read_or_answered(world, as_role):
    ticket = world.ticket
    url = reverse("crm-support:ticket", kwargs={"pk": ticket.pk})
    assert as_role(SHOPPER).get(url).status_code == 200
    other = as_role(OTHER_SHOPPER)
    fingerprint = DatabaseFingerprint()
    before = fingerprint.take()

    assert other.get(url).status_code == 404
    assert other.post(url, {"body": "Not yours", "action": "reply"}).status_code == 404
    photo = other.get(reverse("crm-support:ticket-photo", kwargs={"pk": ticket.pk}))
    assert photo.status_code in (403, 404)
    assert fingerprint_diff(before, fingerprint.take()) == {}
    assert Ticket.objects.get(pk=ticket.pk).status == ticket.status
    # (Listing one's own tickets is allowed, and gives a logged-in shopper a basket row.)
    assert ticket.subject not in other.get(reverse("crm-support:ticket-list")).content.decode()


def test_another_shoppers_pre_order_cannot_be_cancelled(world, as_role):
    preorder = world.preorder
    before = preorder.status

    response = as_role(OTHER_SHOPPER).post(reverse("preorders:cancel", kwargs={"pk": preorder.pk}))

    assert response.status_code == 404
    assert Preorder.objects.get(pk=preorder.pk).status == before


def test_the_wallet_page_shows_only_the_own_wallet(world, as_role):
    own = as_role(SHOPPER).get(reverse("wallet:wallet")).context["wallet"]
    assert own.user == world.shopper
    assert own.balance == 50
    theirs = as_role(OTHER_SHOPPER).get(reverse("wallet:wallet")).context["wallet"]
    assert theirs is None or theirs.user == world.other_shopper


def test_survey_answers_and_profiles_are_not_for_shoppers(world, as_role):
    for url in (
        reverse("crm_customers:profile", kwargs={"pk": world.shopper.pk}),
        reverse("crm_reports:index"),
        reverse("crm_customers:profile", kwargs={"pk": world.shopper.pk}) + "?export=csv",
    ):
        assert _refused(as_role(OTHER_SHOPPER).get(url)), url
        assert _refused(as_role(SHOPPER).get(url)), url


# --------------------------------------------------------------------------- staff roles


def test_marketing_cannot_reach_the_oscar_dashboard(as_role):
    client = as_role(MARKETING)
    for url in (
        reverse("dashboard:index"),
        reverse("dashboard:order-list"),
        reverse("dashboard:catalogue-product-list"),
        reverse("dashboard:users-index"),
        reverse("operations-finance"),
        reverse("credit-account-list"),
        reverse("till-sale"),
    ):
        assert _refused(client.get(url)), url
    assert _refused(as_role(MARKETING_MANAGER).get(reverse("dashboard:index")))
    assert as_role(OPERATOR).get(reverse("dashboard:index")).status_code == 200


def test_cashier_cannot_adjust_points(world, as_role):
    account = PointsAccount.objects.get(pk=world.card.account_id)
    url = reverse("loyalty_members:adjust", kwargs={"pk": world.card.pk})
    data = {"points": 500, "reason": "Goodwill"}

    response = as_role(CASHIER).post(url, data)

    assert _refused(response)
    account.refresh_from_db()
    assert account.balance == 2000
    # The role that may adjust does change the balance: the refusal above was the check's.
    as_role(MARKETING).post(url, data)
    account.refresh_from_db()
    assert account.balance == 2500


def test_cashier_cannot_refund(world, as_role):
    url = reverse("refunds-dashboard:order-refund", kwargs={"number": world.order.number})
    fingerprint = DatabaseFingerprint()
    before = fingerprint.take()

    response = as_role(CASHIER).post(url, {"amount": "30.00", "reason": "Cashier refund"})

    assert response.status_code == 403
    assert fingerprint_diff(before, fingerprint.take()) == {}


@pytest.mark.parametrize(
    "url_of, managers_may",
    [
        (
            lambda world: (
                reverse("crm_customers:profile", kwargs={"pk": world.shopper.pk}) + "?export=csv"
            ),
            True,
        ),
        (lambda world: reverse("crm_privacy_log:index"), True),
        # The member list export is a manager privilege too (loyalty.selectors), but the demo's
        # managers are not given the member list itself (loyalty.view_membercard).
        (lambda world: reverse("loyalty_members:index") + "?export=csv", False),
    ],
    ids=["crm-profile-export", "privacy-log", "loyalty-members-export"],
)
def test_personal_data_exports_are_refused_to_operators_cashiers_and_marketing(
    world, as_role, url_of, managers_may
):
    url = url_of(world)
    for role in (OPERATOR, CASHIER, MARKETING, OTHER_SHOPPER):
        response = as_role(role).get(url)
        assert _refused(response), (role, response.status_code)
    assert as_role(SUPERUSER).get(url).status_code == 200
    if managers_may:
        assert as_role(MARKETING_MANAGER).get(url).status_code == 200


def test_a_member_types_usage_page_lists_its_cards_without_a_server_error(world, as_role):
    # Was a 500: Wagtail linked each card to a "loyalty_members:edit" view that does not exist.
    card = world.card
    url = reverse("wagtailsnippets_loyalty_membertype:usage", kwargs={"pk": card.member_type_id})

    response = as_role(SUPERUSER).get(url)

    assert response.status_code == 200
    assert reverse("loyalty_members:inspect", kwargs={"pk": card.pk}) in response.content.decode()
