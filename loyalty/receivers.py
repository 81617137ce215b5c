"""Signal receivers: thin callers of loyalty.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from oscar.apps.customer.signals import user_registered
from oscar.apps.order.signals import order_status_changed

from loyalty import services
from shop.apps.order.constants import ORDER_STATUS_CANCELLED, ORDER_STATUS_REFUNDED
from shop.apps.order.signals import order_paid, order_refunded

# Set by the invitation link (/member-card/invite/<code>/), read once the visitor registers.
REFERRAL_SESSION_KEY = "loyalty_referral_code"


@receiver(order_paid, dispatch_uid="loyalty.points_earn_for_paid_order")
def points_earn_for_paid_order(sender, order, **kwargs):
    # Inside order_mark_paid's transaction: the points commit (or roll back) with the payment.
    services.points_earn_for_order(order_id=order.pk)
    services.referral_reward_for_order(order_id=order.pk)
    account = services.points_account_for_user(user=order.user) if order.user_id else None
    if account is not None:
        services.tier_recompute_for_account(account_id=account.pk)


@receiver(order_refunded, dispatch_uid="loyalty.points_reverse_for_refund")
def points_reverse_for_refund(sender, order, refund, **kwargs):
    services.points_reverse_for_refund(refund_id=refund.pk)
    account = services.points_account_for_user(user=order.user) if order.user_id else None
    if account is not None:
        services.tier_recompute_for_account(account_id=account.pk)


@receiver(order_status_changed, dispatch_uid="loyalty.points_release_for_cancelled_order")
def points_release_for_cancelled_order(sender, order, old_status, new_status, **kwargs):
    # A cancelled order, or one refunded in full, gives back the points it was paid with.
    if new_status in (ORDER_STATUS_CANCELLED, ORDER_STATUS_REFUNDED):
        services.points_redeem_release_for_order(order_id=order.pk)


@receiver(user_registered, dispatch_uid="loyalty.referral_register_on_sign_up")
def referral_register_on_sign_up(sender, request, user, **kwargs):
    code = request.session.pop(REFERRAL_SESSION_KEY, None) if request is not None else None
    if not code:
        return
    try:
        services.referral_register(newcomer=user, code=code)
    except ValidationError as error:
        messages.warning(request, error.messages[0])
