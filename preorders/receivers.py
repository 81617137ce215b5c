"""Signal receivers: thin callers of preorders.services."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from preorders import services
from shop.apps.order.services import ORDER_STATUS_COMPLETE, ORDER_STATUS_SHIPPED


@receiver(order_status_changed, dispatch_uid="preorders.preorder_shipped_with_order")
def preorder_shipped_with_order(sender, order, old_status, new_status, **kwargs):
    # Operators ship released delivery pre-orders from Oscar's order page as usual.
    if new_status in (ORDER_STATUS_SHIPPED, ORDER_STATUS_COMPLETE):
        services.preorder_mark_shipped_for_order(order_id=order.pk)
