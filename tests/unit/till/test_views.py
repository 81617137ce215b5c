"""The till pages: who may use them, and a sale rung up with plain form posts (no JavaScript)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.test.factories import UserFactory

from tests.factories import till as f
from tests.factories.loyalty import paid_order
from till import selectors
from till.models import RotaAssignment, Shift, TillSale
from wallet.models import WalletTransaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashier(client):
    user = f.cashier(username="casey")
    client.force_login(user)
    return user


def test_anonymous_is_sent_to_log_in(client):
    for name in ("till-sale", "till-shift-list", "till-rota", "till-shift-open"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_staff_without_the_till_permission_is_kept_out(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("till-sale")).status_code == 403
    assert client.get(reverse("till-shift-list")).status_code == 403


def test_cashier_may_not_refund_adjust_points_or_run_operations(client, cashier):
    order = paid_order(user=UserFactory())
    refund_url = reverse("refunds-dashboard:order-refund", args=[order.number])
    assert client.get(refund_url).status_code == 403
    assert client.post(refund_url, {"amount": "1.00", "reason": "x"}).status_code == 403
    assert client.get(reverse("dashboard:order-list")).status_code == 403
    assert client.get(reverse("operations-reorder")).status_code == 403
    # Points are adjusted in the Wagtail admin, which a cashier cannot enter at all.
    assert client.get("/cms/").status_code == 302
    assert not cashier.has_perm("wagtailadmin.access_admin")
    assert not cashier.has_perm("order.change_order")
    assert not Permission.objects.filter(group__user=cashier, content_type__app_label="loyalty")


def test_cashier_without_an_open_shift_is_sent_to_open_one(client, cashier):
    response = client.get(reverse("till-sale"))
    assert response.status_code == 302 and response["Location"] == reverse("till-shift-open")


def test_a_whole_sale_with_form_posts(client, cashier):
    till = f.register("Till 1")
    response = client.post(
        reverse("till-shift-open"), {"register": till.pk, "opening_float": "150.00"}
    )
    assert response.status_code == 302
    shift = Shift.objects.get(cashier=cashier, closed_at__isnull=True)
    _user, card = f.member(member_type_code="staff", wallet="100.00")
    milk = f.product(title="Oat milk 1 l", price="10.00")

    # Scan: the barcode adds the product; the member price shows at once.
    page = client.post(
        reverse("till-sale"), {"card_number": card.number, "scan": milk.upc, "action": "scan"}
    )
    html = page.content.decode()
    assert reverse("preorders-handover") in html  # members collect pre-orders at the till
    assert "Oat milk 1 l" in html and "¥9.50" in html and "Member price" in html
    # Scan again and change nothing else: two units.
    page = client.post(
        reverse("till-sale"),
        {
            "card_number": card.number,
            "scan": milk.upc,
            "line_product": [milk.pk],
            "line_quantity": ["1"],
        },
    )
    assert "¥19.00" in page.content.decode()
    # An unknown barcode: a clear message, the sale in progress is kept.
    page = client.post(
        reverse("till-sale"),
        {
            "card_number": card.number,
            "scan": "0000000000000",
            "line_product": [milk.pk],
            "line_quantity": ["2"],
        },
    )
    assert "No product matches" in page.content.decode() and "¥19.00" in page.content.decode()

    response = client.post(
        reverse("till-sale"),
        {
            "card_number": card.number,
            "line_product": [milk.pk],
            "line_quantity": ["2"],
            "action": "pay_wallet",
        },
    )

    sale = TillSale.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "till-receipt", args=[sale.pk]
    )
    assert (sale.shift, sale.cashier, sale.total) == (shift, cashier, Decimal("19.00"))
    receipt = client.get(response["Location"]).content.decode()
    assert sale.order.number in receipt and "Campus-card wallet" in receipt
    assert "¥81.00" in receipt  # the wallet balance left


def test_refused_payment_shows_why_and_keeps_the_sale(client, cashier):
    f.open_shift(user=cashier)
    _user, card = f.member(member_type_code="staff", wallet="5.00")
    milk = f.product(price="10.00")

    page = client.post(
        reverse("till-sale"),
        {
            "card_number": card.number,
            "line_product": [milk.pk],
            "line_quantity": ["1"],
            "action": "pay_wallet",
        },
    )

    assert page.status_code == 200
    assert "does not cover" in page.content.decode()
    assert not TillSale.objects.exists() and not WalletTransaction.objects.filter(
        order__isnull=False
    )


def test_cash_sale_form_and_close_with_handover_report(client, cashier):
    shift = f.open_shift(user=cashier, opening_float="100.00")
    bread = f.product(price="12.30")
    response = client.post(
        reverse("till-sale"),
        {
            "line_product": [bread.pk],
            "line_quantity": ["1"],
            "cash_tendered": "20",
            "action": "pay_cash",
        },
    )
    assert response.status_code == 302
    assert "¥7.70" in client.get(response["Location"]).content.decode()

    assert (
        "1 sale so far" in client.get(reverse("till-shift-close", args=[shift.pk])).content.decode()
    )
    assert client.get(reverse("till-shift-list")).status_code == 200
    response = client.post(
        reverse("till-shift-close", args=[shift.pk]), {"counted_cash": "112.00", "note": ""}
    )

    assert response["Location"] == reverse("till-shift-detail", args=[shift.pk])
    report = client.get(response["Location"]).content.decode()
    assert "¥112.30" in report and "¥112.00" in report and "−¥0.30" in report


def test_cashier_sees_own_shifts_only_and_the_rota_but_cannot_edit_it(client, cashier):
    mine = f.open_shift(user=cashier)
    theirs = f.open_shift(till=f.register("Till 2"))
    assert client.get(reverse("till-shift-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("till-shift-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("till-receipt", args=[987])).status_code == 404

    assert client.get(reverse("till-rota")).status_code == 200
    assert client.get(reverse("till-rota-create")).status_code == 403


def test_operator_edits_the_rota(client):
    operator = UserFactory(is_staff=True)
    operator.user_permissions.add(*Permission.objects.filter(content_type__app_label="till"))
    client.force_login(operator)
    post, anna = f.rota_post("Deli"), f.cashier(username="anna")

    response = client.post(
        reverse("till-rota-create"),
        {
            "post": post.pk,
            "staff": anna.pk,
            "day": "2026-11-24",
            "starts_at": "09:00",
            "ends_at": "13:00",
        },
    )

    assert response.status_code == 302
    slot = RotaAssignment.objects.get()
    week = client.get(response["Location"]).content.decode()
    assert "09:00–13:00" in week and "Deli" in week
    assert selectors.rota_week(monday=dt.date(2026, 11, 23)).rows[0][1][1] == [slot]
    client.post(reverse("till-rota-delete", args=[slot.pk]))
    assert not RotaAssignment.objects.exists()
