"""The names an order's life is recorded under: its statuses, the payment sources that paid
it and the payment events in its books.

Every app reads these facts, so this module imports nothing: a module that only needs the name
of a status never pulls in the order services (and, through them, payments and the wallet).
"""

ORDER_STATUS_PENDING = "Pending"
ORDER_STATUS_PAID = "Paid"
ORDER_STATUS_SHIPPED = "Shipped"
ORDER_STATUS_COMPLETE = "Complete"
ORDER_STATUS_CANCELLED = "Cancelled"
ORDER_STATUS_REFUNDED = "Refunded"
# Statuses an order can only reach after it was paid.
PAID_STATUSES = frozenset(
    {ORDER_STATUS_PAID, ORDER_STATUS_SHIPPED, ORDER_STATUS_COMPLETE, ORDER_STATUS_REFUNDED}
)

# Oscar payment source types, as the checkout, the till and credit record them.
SOURCE_TYPE_STRIPE = "Stripe"
SOURCE_TYPE_WALLET = "Campus wallet"
# Orders bought on a department credit account (credit/): refunds become credit notes.
SOURCE_TYPE_ON_ACCOUNT = "On account"
# Paid in cash at the in-store till.
SOURCE_TYPE_CASH = "Cash"

PAYMENT_EVENT_PAID = "Paid"
PAYMENT_EVENT_REFUNDED = "Refunded"
