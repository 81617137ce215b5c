"""Credit's answers to order signals: refunds of orders bought on account become credit notes.

Thin callers; the rules are in ``selectors.onaccount_refund_refusal`` and
``services.credit_note_issue_for_refund``.
"""

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from credit import selectors, services
from shop.apps.order.services import order_refund_account_amount
from shop.apps.order.signals import order_refund_requested, order_refunded


@receiver(order_refund_requested, dispatch_uid="credit_refund_check")
def credit_refund_check(sender, order, refund, **kwargs):
    amount = order_refund_account_amount(refund=refund)
    if amount <= 0:
        return
    refusal = selectors.onaccount_refund_refusal(order=order, amount=amount)
    if refusal:
        # Raised inside the reservation's transaction: the refund row is rolled back.
        raise ValidationError(refusal, code="refund_too_large")


@receiver(order_refunded, dispatch_uid="credit_note_for_refund")
def credit_note_for_refund(sender, order, refund, **kwargs):
    services.credit_note_issue_for_refund(refund_id=refund.pk)
