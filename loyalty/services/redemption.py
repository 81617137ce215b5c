"""Spending points: the member's choice at checkout, the debit when the order is placed and
the points given back when it is cancelled or refunded in full."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model

from loyalty import economy, selectors
from loyalty.models import BasketPointsRedemption, EarningRules, PointsTransaction
from loyalty.services.ledger import (
    PointsBalanceInsufficient,
    points_account_lock,
    points_credit,
    points_debit,
)

Order = get_model("order", "Order")


def _redemption_limits_check(
    *, points: int, balance: int, order_total: Decimal, rules: EarningRules
) -> None:
    """The limits of every redemption, refused with the reason: the minimum balance, the
    balance itself and the rules' maximum share of the order."""
    if balance < rules.minimum_balance_to_redeem:
        raise ValidationError(
            _("You need at least %(minimum)s points to redeem them.")
            % {"minimum": rules.minimum_balance_to_redeem},
            code="points_below_minimum",
        )
    if points > balance:
        raise PointsBalanceInsufficient(
            ngettext(
                "You have %(balance)s point, fewer than %(points)s.",
                "You have %(balance)s points, fewer than %(points)s.",
                balance,
            )
            % {"balance": balance, "points": points},
            code="points_insufficient",
        )
    maximum = economy.points_redeemable_maximum(
        order_total=order_total,
        maximum_share_percent=rules.maximum_order_share_percent,
        points_per_cny=rules.points_per_cny_redeemed,
    )
    if points > maximum:
        raise ValidationError(
            _("At most %(maximum)s points can be used on this order.") % {"maximum": maximum},
            code="points_above_order_share",
        )


@transaction.atomic
def points_redeem(
    *,
    account_id: int,
    points: int,
    order_total: Decimal,
    order_id: int | None = None,
    created_by=None,
) -> PointsTransaction:
    """Spend points as a discount on an order worth ``order_total``; all or nothing.

    Refused (with the reason, changing nothing) below the minimum balance, beyond the
    balance, or beyond the maximum share of the order the rules allow.
    """
    if points <= 0:
        raise ValidationError(_("Choose a positive number of points."), code="points_not_positive")
    rules = EarningRules.load()
    account = points_account_lock(account_id=account_id)
    if not account.cards.usable().exists():
        raise ValidationError(
            _("Points can only be spent with an active card."), code="card_not_active"
        )
    _redemption_limits_check(
        points=points, balance=account.balance, order_total=order_total, rules=rules
    )
    return points_debit(
        account=account,
        kind=PointsTransaction.Kind.REDEEM,
        points=points,
        order_id=order_id,
        created_by=created_by,
    )


@transaction.atomic
def points_redeem_release(*, redemption_id: int) -> PointsTransaction:
    """Give back the points of a redemption whose order failed or was cancelled (once)."""
    redemption = PointsTransaction.objects.get(pk=redemption_id, kind=PointsTransaction.Kind.REDEEM)
    account = points_account_lock(account_id=redemption.account_id)
    existing = PointsTransaction.objects.filter(reverses_id=redemption.pk).first()
    if existing is not None:
        return existing
    return points_credit(
        account=account,
        kind=PointsTransaction.Kind.REVERSE,
        points=-redemption.points,
        available_at=timezone.now(),
        expires_at=redemption.expires_at,
        reverses=redemption,
        order_id=redemption.order_id,
        reason=_("Redemption released"),
    )


class PointsRedemptionRefused(ValidationError):
    """Points could not be held for an order: the order must not be placed."""


@transaction.atomic
def points_redemption_choose(
    *, user, basket, points: int, goods_value: Decimal
) -> BasketPointsRedemption | None:
    """Record how many points the member wants to spend on ``basket``; 0 removes the choice.

    Nothing is held here: the points are taken when the order is placed. Every refusal
    raises ValidationError with the reason and leaves the earlier choice as it was.
    """
    if not getattr(user, "is_authenticated", False) or basket.owner_id != user.pk:
        raise ValidationError(_("Sign in to spend your points."), code="not_signed_in")
    if points is None or isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError(_("Enter a whole number of points."), code="points_not_integer")
    if points < 0:
        raise ValidationError(_("Enter a number of points of 0 or more."), code="points_negative")
    if points == 0:
        BasketPointsRedemption.objects.filter(basket=basket).delete()
        return None
    card = selectors.card_get_for_user(user=user)
    if card is None:
        raise ValidationError(
            _("Link a member card to your account to spend points."), code="no_card"
        )
    if not card.is_usable():
        raise ValidationError(selectors.card_unusable_reason(card=card), code="card_not_active")
    rules = EarningRules.load()
    _redemption_limits_check(
        points=points, balance=card.account.balance, order_total=goods_value, rules=rules
    )
    if selectors.points_discount_value(points=points, rules=rules) <= 0:
        raise ValidationError(
            ngettext(
                "%(points)s point is worth less than 0.01: choose more.",
                "%(points)s points are worth less than 0.01: choose more.",
                points,
            )
            % {"points": points},
            code="points_worth_nothing",
        )
    choice, _created = BasketPointsRedemption.objects.update_or_create(
        basket=basket, defaults={"points": points}
    )
    return choice


@transaction.atomic
def points_redeem_for_order(
    *, order_id: int, discount: Decimal, goods_value: Decimal
) -> PointsTransaction:
    """Hold the points behind the points discount of a just-written order (once per order).

    Called from the points offer's ``apply_deferred`` inside Oscar's order transaction, so
    a refusal (balance spent elsewhere, card frozen since the choice) raises
    PointsRedemptionRefused and no order exists without its points.
    """
    existing = selectors.order_points_redemption(order_id=order_id)
    if existing is not None:
        return existing
    order = Order.objects.select_related("user").get(pk=order_id)
    card = selectors.card_usable_for_user(user=order.user) if order.user_id else None
    if card is None:
        raise PointsRedemptionRefused(
            _("Points can only be spent with an active card."), code="card_not_active"
        )
    rules = EarningRules.load()
    points = economy.money_points_cost(
        amount=discount, points_per_cny=rules.points_per_cny_redeemed
    )
    try:
        with transaction.atomic():
            return points_redeem(
                account_id=card.account_id,
                points=points,
                order_total=goods_value,
                order_id=order.pk,
                created_by=order.user,
            )
    except PointsRedemptionRefused:
        raise
    except ValidationError as exc:
        raise PointsRedemptionRefused(
            _("Your points could not be used: %(reason)s") % {"reason": exc.messages[0]},
            code="points_redemption_refused",
        ) from exc


def points_redeem_release_for_order(*, order_id: int) -> PointsTransaction | None:
    """Give back the points an order held (cancelled, or fully refunded); once."""
    redemption = selectors.order_points_redemption(order_id=order_id)
    if redemption is None:
        return None
    return points_redeem_release(redemption_id=redemption.pk)
