"""A product list fills whole rows of its grid: no hole after the last card."""

import pytest

from shop.pages.blocks import ProductListBlock
from tests.unit.pages.conftest import _product

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyable(db):
    return [_product(f"Pick {number}", price="2.00", stock=5) for number in range(9)]


def _cards(html: str) -> int:
    return html.count('<li class="col-6 col-lg-3">')


@pytest.mark.parametrize(("picked", "shown"), [(7, 4), (8, 8), (9, 8), (3, 3)])
def test_a_list_shows_whole_rows_of_four(buyable, storefront_request, picked, shown):
    block = ProductListBlock()
    value = block.to_python(
        {"title": "Picks", "products": [p.pk for p in buyable[:picked]], "limit": 8}
    )

    html = block.render(value, context={"request": storefront_request()})

    assert _cards(html) == shown


def test_a_sold_out_pick_is_replaced_by_a_reserve(buyable, storefront_request):
    # As the demo's home page lists them: eight to show and a few reserves after them.
    sold_out = _product("Sold out", price="2.00", stock=0)
    block = ProductListBlock()
    value = block.to_python(
        {"products": [sold_out.pk, *(p.pk for p in buyable)], "limit": 8, "title": ""}
    )

    html = block.render(value, context={"request": storefront_request()})

    assert _cards(html) == 8 and "Sold out" not in html
