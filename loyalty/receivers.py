"""Signal receivers: thin callers of loyalty.services."""

from django.dispatch import receiver

from loyalty import services
from shop.apps.order.signals import order_paid, order_refunded


@receiver(order_paid, dispatch_uid="loyalty.points_earn_for_paid_order")
def points_earn_for_paid_order(sender, order, **kwargs):
    # Inside order_mark_paid's transaction: the points commit (or roll back) with the payment.
    services.points_earn_for_order(order_id=order.pk)
    account = services.points_account_for_user(user=order.user) if order.user_id else None
    if account is not None:
        services.tier_recompute_for_account(account_id=account.pk)


@receiver(order_refunded, dispatch_uid="loyalty.points_reverse_for_refund")
def points_reverse_for_refund(sender, order, refund, **kwargs):
    services.points_reverse_for_refund(refund_id=refund.pk)
    account = services.points_account_for_user(user=order.user) if order.user_id else None
    if account is not None:
        services.tier_recompute_for_account(account_id=account.pk)
