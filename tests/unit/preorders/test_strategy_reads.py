"""The strategy reads which products take pre-orders once, however many products it prices."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_class
from oscar.test.factories import create_product

from preorders import selectors
from preorders.availability import PreorderAvailable
from tests.factories.preorders import preorder_product

Selector = get_class("partner.strategy", "Selector")

pytestmark = pytest.mark.django_db


def test_a_page_of_cards_reads_the_pre_order_ids_once(monkeypatch):
    preorder = preorder_product()
    shelf = [create_product(price=Decimal("2.00"), num_in_stock=5) for _ in range(5)]
    reads = []
    real_read = selectors.preorder_open_product_ids

    def counted_read():
        reads.append(1)
        return real_read()

    monkeypatch.setattr(selectors, "preorder_open_product_ids", counted_read)
    strategy = Selector().strategy()

    infos = [strategy.fetch_for_product(product) for product in [*shelf, preorder.product]]

    assert isinstance(infos[-1].availability, PreorderAvailable)
    assert all(info.availability.is_available_to_buy for info in infos[:-1])
    # Once for the page: the pre-order product's terms come from the same strategy.
    assert len(reads) == 1
