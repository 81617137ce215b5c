"""Signal receivers: thin callers of operations.services."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed
from oscar.apps.partner import receivers as oscar_partner_receivers
from oscar.core.loading import get_model

from operations import services
from shop.apps.order.constants import ORDER_STATUS_CANCELLED, ORDER_STATUS_PENDING
from shop.apps.order.signals import order_paid, order_refund_requested, order_refunded

StockRecord = get_model("partner", "StockRecord")

# Oscar opens a low-stock alert strictly below the threshold and knows nothing of the reorder
# point or of goods on order; the store's alerts follow the reorder rule instead, so an open
# alert and a reorder suggestion always say the same thing.
post_save.disconnect(oscar_partner_receivers.update_stock_alerts, sender=StockRecord)


@receiver(post_save, sender=StockRecord, dispatch_uid="operations.stock_alerts_follow_reorder")
def stock_alerts_follow_reorder_rule(sender, instance, created, raw=False, **kwargs):
    # A new record is picked up by the next reorder computation, as in Oscar.
    if created or raw:
        return
    services.stock_alerts_sync(stockrecord_ids=[instance.pk])


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


@receiver(order_refund_requested, dispatch_uid="operations.stock_return_check_for_refund")
def stock_return_check_for_refund(sender, order, refund, **kwargs):
    # Before any money moves: a refund never puts back more than left the shelf.
    services.stock_return_check_for_refund(refund=refund)


@receiver(order_refunded, dispatch_uid="operations.stock_return_for_refund")
def stock_return_for_refund(sender, order, refund, **kwargs):
    # The mirror of stock_consume_for_paid_order, in the transaction that records the refund.
    services.stock_return_for_refund(refund=refund)
