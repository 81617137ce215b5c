"""Purchase histories for the recommendation tests, built from Oscar's own factories."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from oscar.test.factories import OrderFactory, OrderLineFactory, create_product

from recommendations.models import RecommendationList
from shop.apps.order.constants import ORDER_STATUS_COMPLETE


def product_in_stock(title: str, *, num_in_stock: int = 10, **kwargs):
    # Order lines copy the UPC as their SKU, which must not be empty.
    kwargs.setdefault("upc", "REC-" + title.upper().replace(" ", "-"))
    return create_product(title=title, price=Decimal("5.00"), num_in_stock=num_in_stock, **kwargs)


def paid_order_create(*, user, products, day: dt.date, status: str = ORDER_STATUS_COMPLETE):
    """An order already past payment (as the demo history's orders are), one line per product."""
    placed = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    order = OrderFactory(user=user, status=status, date_placed=placed)
    for product in products:
        OrderLineFactory(order=order, product=product)
    return order


class RecommendationListFactory(factory.django.DjangoModelFactory):
    """A stored list as the nightly recompute leaves it (a member's by default)."""

    class Meta:
        model = RecommendationList

    kind = RecommendationList.Kind.BUY_AGAIN
    owner_id = factory.Sequence(lambda n: n + 1)
    product_ids = factory.LazyFunction(list)
    scores = factory.LazyFunction(list)
    reason_ids = factory.LazyFunction(list)
    computed_at = factory.LazyFunction(timezone.now)
