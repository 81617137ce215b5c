"""Signal receivers: thin callers of operations.services."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from operations import services
from shop.apps.order.services import ORDER_STATUS_CANCELLED, ORDER_STATUS_PENDING
from shop.apps.order.signals import order_paid


@receiver(order_paid, dispatch_uid="operations.stock_consume_for_paid_order")
def stock_consume_for_paid_order(sender, order, **kwargs):
    # Inside order_mark_paid's transaction: the sale movements commit with the payment.
    services.stock_consume_for_order(order_id=order.pk)


@receiver(order_status_changed, dispatch_uid="operations.stock_release_for_cancelled_order")
def stock_release_for_cancelled_order(sender, order, old_status, new_status, **kwargs):
    # An unpaid order that is cancelled never took stock off the shelf: give back its
    # allocation. A paid order's goods come back through returns (stock_return).
    if old_status == ORDER_STATUS_PENDING and new_status == ORDER_STATUS_CANCELLED:
        services.stock_release_for_order(order_id=order.pk)
