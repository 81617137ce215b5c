"""Factories for the loyalty tests: cards are issued through the service, as staff would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_product

from loyalty.models import EarningRules, MemberCard
from loyalty.services.cards import card_issue
from loyalty.services.ledger import points_adjust

Order = get_model("order", "Order")

CARD_PIN = "4321"


def member_card(*, user=None, member_type_code: str = "student", pin: str = CARD_PIN) -> MemberCard:
    return card_issue(member_type_code=member_type_code, pin=pin, user=user)


def member_with_points(*, user, points: int) -> MemberCard:
    """A "public" card of ``user`` (no member price, so a test's numbers stay round) holding
    ``points``, given by a member of staff."""
    from oscar.test.factories import UserFactory

    card = member_card(user=user, member_type_code="public")
    points_adjust(
        account_id=card.account_id,
        points=points,
        reason="test points",
        created_by=UserFactory(is_staff=True),
    )
    return card


def card_expire(card: MemberCard, *, days_ago: int = 1) -> MemberCard:
    """Move the card's expiry date into the past (the demo's cards, years later)."""
    expires_on = timezone.localdate() - dt.timedelta(days=days_ago)
    card.issued_on, card.expires_on = expires_on - dt.timedelta(days=4 * 365), expires_on
    # Saved, not updated: the member's cached standing is forgotten as a date passing would.
    card.save(update_fields=["issued_on", "expires_on"])
    card.refresh_from_db()
    return card


def earning_rules(**fields) -> EarningRules:
    """The rules singleton with ``fields`` changed (pending period 0 unless told)."""
    rules = EarningRules.load()
    fields.setdefault("pending_days", 0)
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def paid_order(*, user, price: str = "100.00", product=None, quantity: int = 1, placed_at=None):
    """An order of ``user`` marked paid through the one path (order_mark_paid)."""
    from oscar.test.factories import create_basket

    from shop.apps.order.services import order_mark_paid

    product = product or create_product(price=Decimal(price), num_in_stock=1000)
    basket = create_basket(empty=True)
    basket.owner = user
    basket.save()
    basket.add_product(product, quantity)
    order = create_order(user=user, basket=basket, status="Pending")
    if placed_at is not None:
        Order.objects.filter(pk=order.pk).update(date_placed=placed_at)
    order_mark_paid(order_id=order.pk)
    order.refresh_from_db()
    return order


def now():
    return timezone.now()
