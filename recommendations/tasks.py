"""Celery tasks: thin callers of the services, taking ids, safe to run twice."""

from celery import shared_task
from oscar.core.loading import get_model

from recommendations import services
from shop.apps.order.constants import PAID_STATUSES

Order = get_model("order", "Order")


@shared_task(name="recommendations.recompute_all")
def recommendations_recompute_all() -> dict:
    summary = services.recommendations_recompute()
    return summary.__dict__


@shared_task(name="recommendations.update_for_order")
def recommendations_update_for_order(order_id: int) -> bool:
    """Refresh the buy-again and new-for-you rows of the member who paid ``order_id``.

    Re-reads the order: a task queued for an order that was since cancelled, or that belongs
    to a guest, does nothing.
    """
    order = Order.objects.filter(pk=order_id).values("user_id", "status").first()
    if order is None or order["user_id"] is None or order["status"] not in PAID_STATUSES:
        return False
    return services.recommendations_update_customer(user_id=order["user_id"])
