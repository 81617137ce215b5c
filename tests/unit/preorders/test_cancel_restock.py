"""A pre-order cancelled after release puts its unit back through its refund, once."""

import datetime as dt
from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from operations.models import StockMovement
from preorders import services
from preorders.models import Preorder
from tests.factories.preorders import collection_preorder_product, release_today
from tests.unit.preorders.test_policies import place_preorder

OrderRefund = get_model("order", "OrderRefund")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def released_collection(checkout, localstripe, run_on_commit):
    """A paid store-collection pre-order released from a shelf that had the goods delivered."""
    settings = collection_preorder_product()
    place_preorder(checkout, localstripe, settings)
    StockRecord.objects.filter(product=settings.product).update(num_in_stock=10)
    release_today(settings)
    with run_on_commit():
        services.preorders_release_due()
    return Preorder.objects.get()


def test_a_released_preorder_cancelled_with_a_refund_restocks_through_that_refund(
    released_collection,
    run_on_commit,
):
    preorder = released_collection
    stockrecord = StockRecord.objects.get(pk=preorder.line.stockrecord_id)
    on_shelf = stockrecord.num_in_stock
    assert on_shelf == 9  # the released unit left the shelf
    after_deadline = preorder.pickup_deadline + dt.timedelta(days=1)

    with run_on_commit():
        services.preorders_release_due(today=after_deadline)

    refund = OrderRefund.objects.get()
    assert refund.amount == Decimal("55.00")
    assert refund.restock_quantities == {str(preorder.line_id): 1}
    (back,) = StockMovement.objects.filter(reason=StockMovement.Reason.RETURN)
    assert back.order_line_id == preorder.line_id and back.quantity == 1
    stockrecord.refresh_from_db()
    assert stockrecord.num_in_stock == on_shelf + 1
    assert Preorder.objects.get().status == Preorder.Status.CANCELLED
