"""Signal receivers: queue work after the transaction that caused it has committed."""

from django.db import transaction
from django.dispatch import receiver

from recommendations.tasks import recommendations_update_for_order
from shop.apps.order.signals import order_paid


@receiver(order_paid, dispatch_uid="recommendations.order_paid")
def order_paid_update_recommendations(sender, order, **kwargs):
    # order_paid is sent inside the payment transaction: queue only once it committed, so
    # the task sees the paid order (and never runs for a payment that rolled back).
    if order.user_id is None:
        return
    order_id = order.pk
    transaction.on_commit(lambda: recommendations_update_for_order.delay(order_id))
