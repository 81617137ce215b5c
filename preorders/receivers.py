"""Signal receivers: thin callers of preorders.services and the catalogue cache."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from operations.models import StockMovement
from preorders import services
from preorders.models import Preorder, PreorderSettings
from shop.apps.catalogue.selectors import catalogue_version_forget
from shop.apps.order.constants import ORDER_STATUS_COMPLETE, ORDER_STATUS_SHIPPED


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


@receiver(
    [post_save, post_delete],
    sender=Preorder,
    dispatch_uid="catalogue_version_forget_preorders.preorder",
)
@receiver(
    [post_save, post_delete],
    sender=PreorderSettings,
    dispatch_uid="catalogue_version_forget_preorders.preordersettings",
)
def catalogue_version_forget_for_preorders(sender, **kwargs):
    # A product card shows its pre-order state: HTML cached under the catalogue version
    # must not outlive a change to a pre-order or to the pre-order settings.
    catalogue_version_forget()
