"""Signal receivers: thin callers of preorders.services."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from operations.models import StockMovement
from preorders import services
from shop.apps.order.services import ORDER_STATUS_COMPLETE, ORDER_STATUS_SHIPPED


@receiver(order_status_changed, dispatch_uid="preorders.preorder_shipped_with_order")
def preorder_shipped_with_order(sender, order, old_status, new_status, **kwargs):
    # Operators ship released delivery pre-orders from Oscar's order page as usual.
    if new_status in (ORDER_STATUS_SHIPPED, ORDER_STATUS_COMPLETE):
        services.preorder_mark_shipped_for_order(order_id=order.pk)


@receiver(post_save, sender=StockMovement, dispatch_uid="preorders.preorders_take_arrived_stock")
def preorders_take_arrived_stock(sender, instance, created, raw=False, **kwargs):
    # Released pre-orders waiting for stock take what arrives before it goes back on sale.
    if created and not raw and instance.quantity > 0:
        services.preorders_waiting_stock_fill(product_id=instance.stockrecord.product_id)
