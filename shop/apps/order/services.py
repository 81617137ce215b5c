"""Write-side services for orders (HackSoft style: services write, selectors read)."""

from django.db import transaction
from oscar.core.loading import get_model

from shop.apps.order.signals import order_paid

Order = get_model("order", "Order")

ORDER_STATUS_PENDING = "Pending"
ORDER_STATUS_PAID = "Paid"
ORDER_STATUS_SHIPPED = "Shipped"
ORDER_STATUS_COMPLETE = "Complete"
ORDER_STATUS_CANCELLED = "Cancelled"
# Statuses an order can only reach after it was paid.
PAID_STATUSES = frozenset({ORDER_STATUS_PAID, ORDER_STATUS_SHIPPED, ORDER_STATUS_COMPLETE})


@transaction.atomic
def order_mark_paid(*, order_id: int) -> bool:
    """Move a pending order to Paid and fan out to loyalty, wallet, recommendations, stock.

    Idempotent: the order row is locked and an order that is already paid is left alone, so
    a replayed webhook or a retried task does nothing the second time. Returns whether this
    call did the transition.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status in PAID_STATUSES:
        return False
    order.set_status(ORDER_STATUS_PAID)
    order_paid.send(sender=Order, order=order)
    return True
