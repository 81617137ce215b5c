"""PostgreSQL drops the checkout's connection at the moment the order is written.

Another connection calls ``pg_terminate_backend`` on the web request's connection right after
the first order line was inserted (a ``post_save`` hook of this test), inside the transaction
that places the order. What must hold: nothing of the half-written order survives (no order,
lines, payment, points, wallet debit or stock movement), the shopper sees a clear page rather
than a stack trace, and placing the order again succeeds.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from loyalty.models import PointsTransaction
from operations.models import StockMovement
from tests.factories.loyalty import earning_rules, member_card
from tests.factories.payments import CheckoutDriver, funded_wallet, shop_product
from wallet.models import WalletTransaction

pytestmark = pytest.mark.integration

# How a shopper logs in (named: the first backend in settings may be one that never logs in).
EMAIL_LOGIN_BACKEND = "oscar.apps.customer.auth_backends.EmailBackend"

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
Source = get_model("payment", "Source")
StockRecord = get_model("partner", "StockRecord")


def _terminate_backend(pid: int) -> None:
    params = connection.get_connection_params()
    with psycopg.connect(
        host=params.get("host"),
        port=params.get("port"),
        user=params.get("user"),
        dbname=params["dbname"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def drop_connection_at_first_order_line():
    dropped = []

    def drop(sender, instance, created, **kwargs):
        if created and not dropped:
            dropped.append(connection.connection.info.backend_pid)
            _terminate_backend(dropped[0])

    post_save.connect(drop, sender=Line, dispatch_uid="faults.drop_connection")
    try:
        yield dropped
    finally:
        post_save.disconnect(sender=Line, dispatch_uid="faults.drop_connection")


def _order_rows() -> dict[str, int]:
    return {
        "orders": Order.objects.count(),
        "lines": Line.objects.count(),
        "payment sources": Source.objects.count(),
        "payment events": PaymentEvent.objects.count(),
        "points": PointsTransaction.objects.count(),
        "wallet": WalletTransaction.objects.count(),
        "stock movements": StockMovement.objects.count(),
    }


def test_connection_dropped_mid_order_leaves_nothing_half_written_and_a_retry_succeeds(
    transactional_db, settings, client, drop_connection_at_first_order_line
):
    settings.DEBUG = False  # what a shopper sees in production, never a traceback
    earning_rules(points_per_cny=Decimal("1"), minimum_order_value=Decimal("0"))
    member = UserFactory(email="dropped@campus.example")
    member_card(user=member)
    wallet = funded_wallet(user=member, amount="50.00")
    product = shop_product(price="12.00")
    stock_before = StockRecord.objects.get(product=product).num_in_stock
    client.force_login(member, backend=EMAIL_LOGIN_BACKEND)
    client.raise_request_exception = False
    checkout = CheckoutDriver(client)
    checkout.add_to_basket(product)
    checkout.enter_shipping_address()
    preview = checkout.preview(use_wallet=True)
    assert preview.status_code == 200, [str(m) for m in preview.wsgi_request._messages]
    rows_before = _order_rows()

    response = checkout.place_order(preview)

    assert drop_connection_at_first_order_line, "the hook never dropped the connection"
    page = response.content.decode()
    assert response.status_code in (200, 500), response.status_code
    assert "Traceback" not in page and "OperationalError" not in page
    assert "could not be placed" in page or "went wrong" in page, page[:3000]
    assert _order_rows() == rows_before
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("50.00")
    assert StockRecord.objects.get(product=product).num_in_stock == stock_before

    retried = checkout.place_order(checkout.preview(use_wallet=True))

    assert retried.status_code == 302, retried.content[:3000]
    order = Order.objects.get()
    assert order.status == "Paid" and order.lines.count() == 1
    assert PointsTransaction.objects.filter(order=order, kind="earn").count() == 1
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("50.00") - order.total_incl_tax


def test_database_gone_shows_our_error_page_not_a_traceback(database_unreachable, settings, client):
    settings.DEBUG = False
    client.raise_request_exception = False

    response = client.get(reverse("catalogue:index"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side." in page
    assert "Traceback" not in page and "OperationalError" not in page
