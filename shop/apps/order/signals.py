"""Our own order signals, beside Oscar's (``oscar.apps.order.signals``).

``order_paid`` is the single fan-out point of DESIGN.md's "one path for every order":
online checkout, the in-store till and pre-order releases all end in
``order_mark_paid``, which sends it *inside* the transaction that marked the order paid,
so ledger rows written by receivers commit (or roll back) together with their cause.
Receivers that need slow work queue a Celery task with ``transaction.on_commit``.
"""

import django.dispatch

# kwargs: order (the paid Order instance)
order_paid = django.dispatch.Signal()

# kwargs: order, refund (the OrderRefund that just succeeded). Sent inside the transaction
# that recorded the refund, the mirror of order_paid (loyalty takes points back on it).
order_refunded = django.dispatch.Signal()

# kwargs: order, refund (the pending OrderRefund just reserved), cash_drawer_shift_id (the till
# shift whose drawer pays the cash part, or None). Sent inside the transaction that reserved
# it, before any money moves: a receiver that raises ValidationError refuses the refund with
# its message and nothing is written (credit checks the on-account part, the till the drawer).
order_refund_requested = django.dispatch.Signal()
