"""Receipts, shift reports, the handover form and the rota name the person, not the login."""

from decimal import Decimal

import pytest
from django.urls import reverse

from staff.selectors import staff_name
from tests.factories import till as f
from till import services

pytestmark = pytest.mark.django_db

Line = services.TillLineInput


@pytest.fixture
def sale():
    cashier = f.cashier(username="till-login-7", first_name="Mei", last_name="Chen")
    shift = f.open_shift(user=cashier)
    return services.till_sale_create(
        cashier=cashier,
        shift_id=shift.pk,
        card_number="",
        lines=[Line(product_id=f.product(price="4.00").pk, quantity=1)],
        payment_method="cash",
        cash_tendered=Decimal("5.00"),
    )


def test_staff_name_is_the_full_name_and_the_username_only_without_one():
    assert staff_name(user=f.cashier(username="c1", first_name="Wei", last_name="Zhang")) == (
        "Wei Zhang"
    )
    assert staff_name(user=f.cashier(username="c2", first_name="", last_name="")) == "c2"


def test_receipt_shift_report_and_till_show_the_cashiers_name(client, sale):
    client.force_login(sale.cashier)
    shift = sale.shift
    pages = {
        "receipt": reverse("till-receipt", args=[sale.pk]),
        "report": reverse("till-shift-detail", args=[shift.pk]),
        "list": reverse("till-shift-list"),
        "till": reverse("till-sale"),
        "close": reverse("till-shift-close", args=[shift.pk]),
    }
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert "Mei Chen" in html, name
        assert "till-login-7" not in html, name


def test_handover_lists_and_announces_the_next_cashier_by_name(client, sale):
    f.cashier(username="next-login", first_name="Wei", last_name="Zhang", password="pw-next-9")
    client.force_login(sale.cashier)
    url = reverse("till-shift-close", args=[sale.shift_id])
    form = client.get(url).content.decode()
    assert "Wei Zhang" in form and "next-login" not in form

    refused = client.post(
        url,
        {
            "counted_cash": "104.00",
            "next_cashier": sale.shift.cashier.__class__.objects.get(username="next-login").pk,
            "next_cashier_password": "wrong",
        },
    ).content.decode()
    assert "Wei Zhang must type their own password" in refused

    done = client.post(
        url,
        {
            "counted_cash": "104.00",
            "next_cashier": sale.shift.cashier.__class__.objects.get(username="next-login").pk,
            "next_cashier_password": "pw-next-9",
        },
        follow=True,
    ).content.decode()
    assert "Mei Chen handed the till over to Wei Zhang" in done
    assert "Handed over to Wei Zhang" in done
