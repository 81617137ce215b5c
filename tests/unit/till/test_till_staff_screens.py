"""The cashier's screens for voids, refunds and the handover, as each role sees them."""

from decimal import Decimal

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from staff import roles
from tests.factories import till as f
from tests.factories.staff import staff_user
from till import services
from till.models import Shift, TillRefund, TillSale

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

PASSWORD = "next-cashier-password"  # noqa: S105


@pytest.fixture
def shift(client):
    shift = f.open_shift(user=f.cashier(username="casey"))
    client.force_login(shift.cashier)
    return shift


def cash_sale(shift, product, quantity=2):
    return services.till_sale_create(
        cashier=shift.cashier,
        shift_id=shift.pk,
        card_number="",
        lines=[services.TillLineInput(product_id=product.pk, quantity=quantity)],
        payment_method="cash",
        cash_tendered=Decimal("50.00"),
    )


def nothing_written():
    return (
        Order.objects.count(),
        Basket.objects.count(),
        list(StockRecord.objects.values_list("num_in_stock", "num_allocated")),
    )


def test_cashier_voids_a_line_and_the_whole_sale_before_payment_writing_nothing(client, shift):
    _user, card = f.member(wallet=None)
    milk = f.product(title="Whole milk", price="10.00")
    butter = f.product(title="Butter", price="8.00")
    before = nothing_written()
    in_progress = {
        "card_number": card.number,
        "line_product": [milk.pk, butter.pk],
        "line_quantity": ["1", "2"],
    }

    page = client.post(reverse("till-sale"), {**in_progress, "action": f"remove:{butter.pk}"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Whole milk" in html and "Butter" not in html and "Void line" in html
    assert nothing_written() == before

    response = client.post(reverse("till-sale"), {**in_progress, "action": "new"})
    assert response.status_code == 302 and response["Location"] == reverse("till-sale")
    assert "Whole milk" not in client.get(response["Location"]).content.decode()
    assert nothing_written() == before


def test_till_shows_member_name_or_card_number_unit_price_and_numbered_choices(client, shift):
    user, card = f.member(wallet=None)
    user.first_name = user.last_name = ""
    user.save()
    f.product(title="Butter 250 g", price="8.00")
    buttermilk = f.product(title="Buttermilk 1 l", price="6.00")

    page = client.post(
        reverse("till-sale"),
        {
            "card_number": card.number,
            "line_product": [buttermilk.pk],
            "line_quantity": ["3"],
            "scan": "butter",
        },
    ).content.decode()

    assert f"Member: card {card.number}" in page and user.username not in page
    assert "Unit price" in page and "Line total" in page
    assert "¥6.00" in page and "¥18.00" in page
    assert 'data-choice="1"' in page and 'data-choice="2"' in page and "type its number" in page


def test_cashier_refunds_a_sale_of_their_shift_and_sees_the_receipt(client, shift):
    milk = f.product(price="10.00")
    sale = cash_sale(shift, milk)
    url = reverse("till-refund", args=[sale.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"action": "all", "reason": "spilt"}, follow=True)

    refund = TillRefund.objects.get()
    assert (refund.sale, refund.cash_amount) == (sale, Decimal("20.00"))
    html = response.content.decode()
    assert "20.00 in cash back to the customer" in html
    assert "data-receipt-refund" in html and "spilt" in html
    report = client.get(reverse("till-shift-detail", args=[shift.pk])).content.decode()
    assert "data-report-refunds" in report and "−¥20.00" in report


def test_refund_page_says_why_it_refuses(client, shift):
    milk = f.product(price="10.00")
    sale = cash_sale(shift, milk)
    line = sale.order.lines.get()
    url = reverse("till-refund", args=[sale.pk])

    nothing = client.post(url, {"action": "lines", f"line_{line.pk}": "0"})
    too_many = client.post(url, {"action": "lines", f"line_{line.pk}": "3"})

    assert "Enter how many of which line" in nothing.content.decode()
    assert too_many.status_code == 200 and not TillRefund.objects.exists()


def test_another_cashier_cannot_open_the_refund_of_someone_elses_sale(client, shift):
    sale = cash_sale(shift, f.product(price="10.00"))
    other = f.cashier(username="other")
    f.open_shift(user=other, till=f.register("Till 2"))
    client.force_login(other)

    assert client.get(reverse("till-refund", args=[sale.pk])).status_code == 403
    assert client.post(reverse("till-refund", args=[sale.pk]), {"action": "all"}).status_code == 403
    assert not TillRefund.objects.exists()


def test_operator_refunds_any_till_sale(client, shift):
    sale = cash_sale(shift, f.product(price="10.00"))
    operator = staff_user(roles.OPERATOR)
    f.open_shift(user=operator, till=f.register("Till 2"), opening_float="50.00")
    client.force_login(operator)

    response = client.post(reverse("till-refund", args=[sale.pk]), {"action": "all"})

    assert response.status_code == 302
    assert TillRefund.objects.get().refunded_by == operator


@pytest.mark.parametrize("role", [roles.MARKETING, roles.MARKETING_MANAGER])
def test_marketing_is_kept_out_of_the_till_screens(client, shift, role):
    sale = cash_sale(shift, f.product(price="10.00"))
    marketing = staff_user(role)
    marketing.is_staff = True  # even with the dashboard flag
    marketing.save()
    client.force_login(marketing)

    for url in (
        reverse("till-sale"),
        reverse("till-refund", args=[sale.pk]),
        reverse("till-shift-close", args=[shift.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("till-refund", args=[sale.pk]), {"action": "all"}).status_code == 403
    assert not TillRefund.objects.exists()


def test_a_shopper_is_refused_and_a_visitor_sent_to_log_in(client, shift):
    sale = cash_sale(shift, f.product(price="10.00"))
    urls = (reverse("till-refund", args=[sale.pk]), reverse("till-shift-close", args=[shift.pk]))
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url

    client.force_login(UserFactory())

    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(urls[0], {"action": "all"}).status_code == 403
    assert not TillRefund.objects.exists()


def test_handover_needs_the_next_cashiers_password_then_the_till_is_theirs(client, shift):
    successor = f.cashier(username="nina", first_name="Nina", last_name="Wu")
    successor.set_password(PASSWORD)
    successor.save()
    url = reverse("till-shift-close", args=[shift.pk])
    handover = {"counted_cash": "100.00", "note": "", "next_cashier": successor.pk}

    refused = client.post(url, {**handover, "next_cashier_password": "wrong"})

    assert "must type their own password" in refused.content.decode()
    shift.refresh_from_db()
    assert shift.is_open and not Shift.objects.filter(cashier=successor).exists()

    response = client.post(url, {**handover, "next_cashier_password": PASSWORD}, follow=True)

    shift.refresh_from_db()
    assert not shift.is_open
    assert Shift.objects.get(cashier=successor, closed_at__isnull=True).opening_float == Decimal(
        "100.00"
    )
    assert int(client.session[SESSION_KEY]) == successor.pk
    html = response.content.decode()
    assert "handed the till over to Nina Wu" in html and "data-handover" in html
    assert TillSale.objects.count() == 0
