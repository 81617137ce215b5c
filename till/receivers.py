"""The till's answers to order signals: cash is only paid back out of an open drawer.

Thin caller; the rule is ``services.till_refund_drawer_check``.
"""

from django.dispatch import receiver

from shop.apps.order.signals import order_refund_requested
from till import services


@receiver(order_refund_requested, dispatch_uid="till_refund_drawer_check")
def till_refund_drawer_check(sender, order, refund, cash_drawer_shift_id=None, **kwargs):
    services.till_refund_drawer_check(shift_id=cash_drawer_shift_id, cash_amount=refund.cash_amount)
