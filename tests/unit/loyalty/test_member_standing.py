"""A member's standing (card, member type discount, tier) is cached across requests: every
change of a row it comes from shows on the member's next request, and no member is ever
priced as another."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from loyalty import selectors
from loyalty.models import MemberCard, MemberType, Tier
from loyalty.services.cards import card_replace, card_report_lost
from loyalty.services.tiers import tier_recompute_for_account
from tests.factories.loyalty import card_expire, member_card, paid_order

ConditionalOffer = get_model("offer", "ConditionalOffer")
User = get_user_model()

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def discounts():
    # Saved, as marketing edits them, so the catalogue version moves on as it does live.
    for code, percent in (("student", "10.00"), ("staff", "5.00")):
        member_type = MemberType.objects.get(code=code)
        member_type.discount_percent = Decimal(percent)
        member_type.save()


@pytest.fixture
def product():
    return create_product(price=Decimal("20.00"), num_in_stock=10)


def your_member_price(client, product) -> str | None:
    """The "Your member price" amount the product page shows the signed-in member, or None."""
    html = client.get(product.get_absolute_url()).content.decode()
    marker = 'member-price--yours" data-member-price="'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split('"', 1)[0]


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def test_a_member_sees_their_own_price_and_a_frozen_card_takes_it_away_next_request(
    client, discounts, product
):
    user = UserFactory()
    card = member_card(user=user, member_type_code="student")
    signed_in(client, user)
    assert your_member_price(client, product) == "18.00"

    card.status = MemberCard.Status.FROZEN
    card.save()

    assert your_member_price(client, product) is None


def test_a_card_reported_lost_then_replaced_shows_on_the_next_requests(client, discounts, product):
    user = UserFactory()
    card = member_card(user=user, member_type_code="student")
    signed_in(client, user)
    assert your_member_price(client, product) == "18.00"

    card_report_lost(card_id=card.pk)
    assert your_member_price(client, product) is None

    card_replace(card_id=card.pk)
    assert your_member_price(client, product) == "18.00"


def test_an_expired_card_gives_no_member_price_on_the_next_request(client, discounts, product):
    user = UserFactory()
    card = member_card(user=user, member_type_code="student")
    signed_in(client, user)
    assert your_member_price(client, product) == "18.00"

    card_expire(card)

    assert your_member_price(client, product) is None


def test_a_member_type_discount_change_shows_on_the_next_request(client, discounts, product):
    user = UserFactory()
    member_card(user=user, member_type_code="student")
    signed_in(client, user)
    assert your_member_price(client, product) == "18.00"

    student = MemberType.objects.get(code="student")
    student.discount_percent = Decimal("25.00")
    student.save()

    assert your_member_price(client, product) == "15.00"


def test_an_offer_change_shows_on_the_next_request(client, discounts, product):
    user = UserFactory()
    member_card(user=user, member_type_code="student")
    signed_in(client, user)
    assert your_member_price(client, product) == "18.00"

    offer = ConditionalOffer.objects.get(name="Member price")
    offer.status = ConditionalOffer.SUSPENDED
    offer.save()

    assert your_member_price(client, product) is None


def test_a_tier_change_shows_in_the_standing_read_for_the_next_request():
    user = UserFactory()
    card = member_card(user=user)
    top = Tier.objects.order_by("-minimum_spend").first()
    # Placed over a year ago, so the tier worked out at payment leaves it out.
    placed_at = timezone.now() - dt.timedelta(days=400)
    paid_order(user=user, price=str(top.minimum_spend + 1), placed_at=placed_at)
    before = selectors.member_standing_for_user(user=User.objects.get(pk=user.pk))

    # The nightly job as it ran the day after the order: the order counts, the tier moves.
    tier_recompute_for_account(account_id=card.account_id, now=placed_at + dt.timedelta(days=1))

    after = selectors.member_standing_for_user(user=User.objects.get(pk=user.pk))
    assert before.tier_id != top.pk
    assert after.tier_id == top.pk
    assert after.card_id == card.pk


def test_the_standing_is_read_once_and_then_served_from_the_cache(django_assert_num_queries):
    user = UserFactory()
    card = member_card(user=user, member_type_code="student")

    # One request's user, then the next request's.
    this_user, next_user = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        selectors.member_standing_for_user(user=this_user)
    with django_assert_num_queries(0):
        standing = selectors.member_standing_for_user(user=next_user)
    assert standing.card_id == card.pk
    assert standing.discount_percent == MemberType.objects.get(code="student").discount_percent


def test_no_member_is_priced_as_another(client, discounts, product):
    student, staff, visitor_like = UserFactory(), UserFactory(), UserFactory()
    member_card(user=student, member_type_code="student")
    member_card(user=staff, member_type_code="staff")

    assert your_member_price(signed_in(client, student), product) == "18.00"
    assert your_member_price(signed_in(client, staff), product) == "19.00"
    # An account without a card: what members pay, never someone's own price.
    assert your_member_price(signed_in(client, visitor_like), product) is None
    assert your_member_price(signed_in(client, student), product) == "18.00"


def test_a_card_handed_to_another_account_holder_moves_the_price_with_it(
    client, discounts, product
):
    first, second = UserFactory(), UserFactory()
    card = member_card(user=first, member_type_code="student")
    assert your_member_price(signed_in(client, first), product) == "18.00"
    assert your_member_price(signed_in(client, second), product) is None

    card.user = second
    card.save()

    assert your_member_price(signed_in(client, first), product) is None
    assert your_member_price(signed_in(client, second), product) == "18.00"
