"""Order emails, sent by Celery after the transaction that caused them committed.

Both tasks take ids and are idempotent: each email is recorded as an Oscar
CommunicationEvent on the order, and a retried task that finds it sends nothing.
"""

import logging

from celery import shared_task
from oscar.core.loading import get_class, get_model

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")
CommunicationEvent = get_model("order", "CommunicationEvent")
CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

ORDER_REFUNDED_EVENT_CODE = "ORDER_REFUNDED"


@shared_task
def order_confirmation_email_send(order_id: int) -> None:
    order = Order._default_manager.get(pk=order_id)
    event_type, _created = CommunicationEventType._default_manager.get_or_create(
        code=OrderDispatcher.ORDER_PLACED_EVENT_CODE,
        defaults={"name": "Order placed", "category": CommunicationEventType.ORDER_RELATED},
    )
    if CommunicationEvent._default_manager.filter(order=order, event_type=event_type).exists():
        return
    context = {"user": order.user, "order": order, "lines": order.lines.all()}
    OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)


@shared_task
def order_refund_email_send(refund_id: int) -> None:
    refund = OrderRefund._default_manager.select_related("order").get(pk=refund_id)
    order = refund.order
    if order.user is None and not order.guest_email:
        # A till sale without a member card: nobody to write to (the cash was handed over).
        return
    event_type, _created = CommunicationEventType._default_manager.get_or_create(
        code=ORDER_REFUNDED_EVENT_CODE,
        defaults={"name": "Order refunded", "category": CommunicationEventType.ORDER_RELATED},
    )
    # One refund notice per succeeded refund: count notices against refunds done so far.
    refunds_done = order.refunds.filter(
        status=OrderRefund.Status.SUCCEEDED, pk__lte=refund.pk
    ).count()
    if (
        CommunicationEvent._default_manager.filter(order=order, event_type=event_type).count()
        >= refunds_done
    ):
        return
    dispatcher = OrderDispatcher(logger=logger)
    messages = dispatcher.dispatcher.get_messages(
        ORDER_REFUNDED_EVENT_CODE, {"order": order, "refund": refund, "user": order.user}
    )
    dispatcher.dispatch_order_messages(order, messages, ORDER_REFUNDED_EVENT_CODE)
