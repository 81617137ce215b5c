"""Write-side services of the campus-card wallet: top-ups, order payments, refunds, adjustments.

Every movement locks the wallet row (select_for_update), checks the new balance, writes one
append-only WalletTransaction and updates the balance, all in one transaction, so the
balance always equals the sum of the ledger and concurrent payments cannot overdraw it
(the CHECK constraint is the last line of defence, not the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from oscar.templatetags.currency_filters import currency

from core.money import money_round
from shop.apps.payment import stripe_gateway
from wallet.models import Wallet, WalletTransaction

# Top-up choices offered as buttons, and the bounds of a custom amount.
WALLET_TOP_UP_PRESETS = (Decimal("50.00"), Decimal("100.00"), Decimal("200.00"))
WALLET_TOP_UP_MIN = Decimal("10.00")
WALLET_TOP_UP_MAX = Decimal("2000.00")
# A wallet may not hold more than this: stored value is a liability of the shop.
WALLET_BALANCE_MAX = Decimal("5000.00")
WALLET_TOP_UP_METADATA_KIND = "wallet_top_up"


class WalletBalanceInsufficient(ValidationError):
    pass


@dataclass(frozen=True)
class WalletTopUpResult:
    payment_intent: stripe_gateway.PaymentIntentResult
    transaction: WalletTransaction | None


def _wallet_move(
    *,
    wallet_id: int,
    kind: str,
    amount: Decimal,
    created_by=None,
    note: str = "",
    **links,
) -> WalletTransaction:
    wallet = Wallet.objects.select_for_update().get(pk=wallet_id)
    new_balance = wallet.balance + amount
    if new_balance < 0:
        raise WalletBalanceInsufficient(
            _("Your campus-card balance (%(balance)s) does not cover %(amount)s.")
            % {"balance": currency(wallet.balance), "amount": currency(-amount)},
            code="wallet_balance_insufficient",
        )
    if amount > 0 and new_balance > WALLET_BALANCE_MAX:
        raise ValidationError(
            _("A campus card can hold at most %(max)s.") % {"max": currency(WALLET_BALANCE_MAX)},
            code="wallet_balance_max",
        )
    movement = WalletTransaction.objects.create(
        wallet=wallet,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        created_by=created_by,
        note=note,
        **links,
    )
    wallet.balance = new_balance
    wallet.save(update_fields=["balance", "updated_at"])
    return movement


@transaction.atomic
def wallet_get_or_create_for_user(*, user) -> Wallet:
    wallet, _created = Wallet.objects.get_or_create(user=user)
    return wallet


@transaction.atomic
def wallet_top_up(
    *, wallet_id: int, amount: Decimal, payment_intent_id: str, created_by=None
) -> WalletTransaction:
    """Credit a top-up paid by the card PaymentIntent ``payment_intent_id``.

    Idempotent on the PaymentIntent: the browser return and the webhook both call this, and
    whichever comes second gets the existing row back.
    """
    existing = WalletTransaction.objects.filter(
        kind=WalletTransaction.Kind.TOP_UP, payment_intent_id=payment_intent_id
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _wallet_move(
                wallet_id=wallet_id,
                kind=WalletTransaction.Kind.TOP_UP,
                amount=money_round(amount),
                payment_intent_id=payment_intent_id,
                created_by=created_by,
            )
    except IntegrityError:
        # Lost a race with the other caller for the same PaymentIntent.
        return WalletTransaction.objects.get(
            kind=WalletTransaction.Kind.TOP_UP, payment_intent_id=payment_intent_id
        )


@transaction.atomic
def wallet_pay_order(
    *, wallet_id: int, amount: Decimal, order_id: int, created_by=None
) -> WalletTransaction:
    """Debit ``amount`` for an order; raises WalletBalanceInsufficient and changes nothing if short."""
    if amount <= 0:
        raise ValidationError(_("The amount to pay must be positive."), code="amount_not_positive")
    return _wallet_move(
        wallet_id=wallet_id,
        kind=WalletTransaction.Kind.ORDER_PAYMENT,
        amount=-money_round(amount),
        order_id=order_id,
        created_by=created_by,
    )


@transaction.atomic
def wallet_refund(
    *, wallet_id: int, amount: Decimal, order_id: int, refund_id: int, created_by=None
) -> WalletTransaction:
    """Credit a refund of a wallet-paid order back to the wallet (once per refund)."""
    if amount <= 0:
        raise ValidationError(
            _("The amount to refund must be positive."), code="amount_not_positive"
        )
    existing = WalletTransaction.objects.filter(
        kind=WalletTransaction.Kind.ORDER_REFUND, refund_id=refund_id
    ).first()
    if existing is not None:
        return existing
    wallet = Wallet.objects.select_for_update().get(pk=wallet_id)
    movement = WalletTransaction.objects.create(
        wallet=wallet,
        kind=WalletTransaction.Kind.ORDER_REFUND,
        amount=money_round(amount),
        balance_after=wallet.balance + money_round(amount),
        order_id=order_id,
        refund_id=refund_id,
        created_by=created_by,
    )
    # No WALLET_BALANCE_MAX check: money that came from the wallet always goes back to it.
    wallet.balance += money_round(amount)
    wallet.save(update_fields=["balance", "updated_at"])
    return movement


@transaction.atomic
def wallet_adjust(*, wallet_id: int, amount: Decimal, created_by, note: str) -> WalletTransaction:
    """A staff correction, with who and why; refused if it would make the balance negative."""
    if not note.strip():
        raise ValidationError(_("Say why the balance is adjusted."), code="note_missing")
    if amount == 0:
        raise ValidationError(_("The adjustment cannot be zero."), code="amount_zero")
    return _wallet_move(
        wallet_id=wallet_id,
        kind=WalletTransaction.Kind.ADJUSTMENT,
        amount=money_round(amount),
        created_by=created_by,
        note=note.strip(),
    )


def wallet_top_up_amount_validate(*, amount: Decimal | None) -> Decimal:
    if amount is None:
        raise ValidationError(_("Choose or enter an amount to top up."), code="amount_missing")
    amount = money_round(amount)
    if not WALLET_TOP_UP_MIN <= amount <= WALLET_TOP_UP_MAX:
        raise ValidationError(
            _("Top-ups must be between %(min)s and %(max)s.")
            % {"min": WALLET_TOP_UP_MIN, "max": WALLET_TOP_UP_MAX},
            code="amount_out_of_range",
        )
    return amount


def wallet_top_up_by_card(
    *, wallet_id: int, amount: Decimal, payment_method_id: str, request_token: str, user=None
) -> WalletTopUpResult:
    """Charge a card for a top-up and credit the wallet once the payment succeeded.

    Not atomic on purpose: the Stripe call must not hold a database transaction open.
    ``request_token`` is a one-off token rendered into the form, so a double-submitted form
    reuses the idempotency key and real Stripe charges once. A card that needs 3-D Secure
    comes back with ``transaction=None`` and is credited by the return page or the webhook.
    """
    amount = wallet_top_up_amount_validate(amount=amount)
    wallet = Wallet.objects.get(pk=wallet_id)
    if wallet.balance + amount > WALLET_BALANCE_MAX:
        raise ValidationError(
            _("A campus card can hold at most %(max)s.") % {"max": currency(WALLET_BALANCE_MAX)},
            code="wallet_balance_max",
        )
    if not stripe_gateway.is_payment_method_id(payment_method_id):
        raise ValidationError(_("Please enter your card details."), code="payment_method_missing")
    payment_intent = stripe_gateway.payment_intent_create(
        amount=amount,
        currency=wallet.currency,
        payment_method_id=payment_method_id,
        idempotency_key=f"wallet-top-up-{wallet.pk}-{request_token}",
        metadata={"kind": WALLET_TOP_UP_METADATA_KIND, "wallet_id": str(wallet.pk)},
    )
    movement = None
    if payment_intent.succeeded:
        movement = wallet_top_up_from_payment_intent(payment_intent=payment_intent, created_by=user)
    return WalletTopUpResult(payment_intent=payment_intent, transaction=movement)


def wallet_top_up_from_payment_intent(
    *, payment_intent: stripe_gateway.PaymentIntentResult, created_by=None
) -> WalletTransaction | None:
    """Credit a succeeded top-up PaymentIntent (from the return page or the webhook)."""
    if (
        payment_intent.metadata.get("kind") != WALLET_TOP_UP_METADATA_KIND
        or not payment_intent.succeeded
    ):
        return None
    # The amount is the one Stripe charged, never one a client posted.
    return wallet_top_up(
        wallet_id=int(payment_intent.metadata["wallet_id"]),
        amount=payment_intent.amount,
        payment_intent_id=payment_intent.id,
        created_by=created_by,
    )
