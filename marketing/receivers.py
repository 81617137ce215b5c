"""Signal receivers: thin callers of marketing.services."""

from django.dispatch import receiver

from marketing import services
from shop.apps.order.signals import order_paid


@receiver(order_paid, dispatch_uid="marketing.campaign_multiplier_for_paid_order")
def campaign_multiplier_for_paid_order(sender, order, **kwargs):
    # Connected after loyalty's receiver (INSTALLED_APPS order): the order's earn row exists,
    # and the extra points commit or roll back with the payment.
    services.campaign_multiplier_award_for_order(order_id=order.pk)
