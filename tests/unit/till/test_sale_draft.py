"""The sale being rung up stays on the till while the cashier looks at their shifts, and only
paying or voiding it takes it off. Keeping it touches no stock."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import till as f
from till import services
from till.models import TillSale

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashier(client):
    user = f.cashier(username="casey")
    client.force_login(user)
    return user


def _ring_up(client, card, milk, bread):
    client.post(reverse("till-sale"), {"card_number": card.number, "scan": milk.upc})
    page = client.post(
        reverse("till-sale"),
        {
            "card_number": card.number,
            "scan": bread.upc,
            "line_product": [milk.pk],
            "line_quantity": ["3"],
        },
    )
    assert page.status_code == 200


def _lines(page):
    return {(line.product_id, line.quantity) for line, _title in page.context["plain_lines"]}


def test_the_sale_is_still_there_after_visiting_shifts_and_the_shift_report(client, cashier):
    shift = f.open_shift(user=cashier)
    _user, card = f.member(wallet="100.00")
    milk = f.product(title="Oat milk 1 l", stock=20)
    bread = f.product(title="Rye bread", stock=20)
    _ring_up(client, card, milk, bread)

    assert client.get(reverse("till-shift-list")).status_code == 200
    assert client.get(reverse("till-shift-detail", args=[shift.pk])).status_code == 200
    page = client.get(reverse("till-sale"))

    assert _lines(page) == {(milk.pk, 3), (bread.pk, 1)}
    assert page.context["card"] is not None and page.context["card"].pk == card.pk
    assert "Rye bread" in page.content.decode()
    milk.stockrecords.get().refresh_from_db()
    assert milk.stockrecords.get().num_in_stock == 20 and not TillSale.objects.exists()


def test_paying_or_voiding_takes_the_sale_off_the_till(client, cashier):
    f.open_shift(user=cashier)
    _user, card = f.member(wallet="100.00")
    milk = f.product(title="Oat milk 1 l")
    bread = f.product(title="Rye bread")

    _ring_up(client, card, milk, bread)
    client.post(reverse("till-sale"), {"action": "new", "line_product": [milk.pk]})
    assert _lines(client.get(reverse("till-sale"))) == set()

    _ring_up(client, card, milk, bread)
    response = client.post(
        reverse("till-sale"),
        {
            "card_number": card.number,
            "line_product": [milk.pk, bread.pk],
            "line_quantity": ["3", "1"],
            "action": "pay_wallet",
        },
    )
    assert response.status_code == 302 and TillSale.objects.exists()
    page = client.get(reverse("till-sale"))
    assert _lines(page) == set() and page.context["card"] is None


def test_a_sale_left_in_a_closed_shift_does_not_reappear_in_the_next(client, cashier):
    old_shift = f.open_shift(user=cashier)
    milk = f.product(title="Oat milk 1 l")
    client.post(reverse("till-sale"), {"scan": milk.upc})
    services.shift_close(
        shift_id=old_shift.pk, closed_by=cashier, counted_cash=Decimal("100.00"), note=""
    )

    f.open_shift(user=cashier)
    assert _lines(client.get(reverse("till-sale"))) == set()
