"""Card checkout against a real localstripe server."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories.payments import CARD_3DS, CARD_DECLINED, CARD_OK

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")

pytestmark = pytest.mark.django_db


def test_card_payment_places_one_paid_order(at_payment, localstripe, run_on_commit, mailoutbox):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    assert preview.status_code == 200, (
        preview.url,
        [str(m) for m in preview.wsgi_request._messages],
    )
    with run_on_commit():
        response = at_payment.place_order(preview)

    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.status == "Paid"
    assert order.total_incl_tax == Decimal("12.00")
    source = order.sources.get()
    assert source.source_type.name == "Stripe"
    assert source.amount_debited == Decimal("12.00")
    assert source.reference.startswith("pi_")
    assert order.payment_events.get().event_type.name == "Paid"
    payment_intent = localstripe.get(f"/v1/payment_intents/{source.reference}")
    assert payment_intent["status"] == "succeeded"
    assert payment_intent["amount"] == 1200 and payment_intent["currency"] == "cny"
    attempt = CheckoutAttempt.objects.get()
    assert attempt.order == order and attempt.payment_intent_id == source.reference
    assert [m.subject for m in mailoutbox] == [f"Confirmation of order {order.number}"]
    thank_you = at_payment.client.get(response.url)
    assert order.number in thank_you.content.decode()


def test_declined_card_shows_the_error_and_keeps_the_basket(at_payment, localstripe):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_DECLINED))
    response = at_payment.place_order(preview)

    assert response.status_code == 200
    assert "Your card was declined" in response.content.decode()
    assert not Order.objects.exists()
    basket = Basket.objects.get()
    assert basket.status == Basket.OPEN and basket.num_items == 1
    assert CheckoutAttempt.objects.get().status == CheckoutAttempt.Status.FAILED


def test_3d_secure_card_is_authenticated_then_placed(at_payment, localstripe):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_3DS))
    response = at_payment.place_order(preview)

    attempt = CheckoutAttempt.objects.get()
    assert response.status_code == 302
    assert response.url.startswith(reverse("checkout:stripe-authenticate"))
    assert attempt.status == CheckoutAttempt.Status.REQUIRES_ACTION
    page = at_payment.client.get(response.url)
    assert page.status_code == 200 and "confirmCardPayment" in page.content.decode()
    assert not Order.objects.exists()

    client_secret = page.context["client_secret"]
    localstripe.payment_intent_authenticate(attempt.payment_intent_id, client_secret, success=True)
    returned = at_payment.client.get(page.context["return_url"])

    assert returned.status_code == 302 and returned.url == reverse("checkout:thank-you")
    assert Order.objects.get().status == "Paid"


def test_failed_3d_secure_gives_the_basket_back(at_payment, localstripe):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_3DS))
    authenticate_url = at_payment.place_order(preview).url
    page = at_payment.client.get(authenticate_url)
    attempt = CheckoutAttempt.objects.get()
    localstripe.payment_intent_authenticate(
        attempt.payment_intent_id, page.context["client_secret"], success=False
    )

    returned = at_payment.client.get(page.context["return_url"])

    assert returned.status_code == 302 and returned.url == reverse("checkout:payment-details")
    assert not Order.objects.exists()
    basket = Basket.objects.get(
        status=Basket.OPEN
    )  # the frozen one, thawed, with any new lines merged in
    assert basket.pk == attempt.basket_id and basket.num_items == 1
    attempt.refresh_from_db()
    assert attempt.status == CheckoutAttempt.Status.FAILED


def test_basket_changed_in_another_tab_is_refused(at_payment, localstripe, product):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    at_payment.add_to_basket(product)  # the other tab

    response = at_payment.place_order(preview)

    assert response.status_code == 200
    assert "Your basket changed since you reviewed this order" in response.content.decode()
    assert not Order.objects.exists() and not CheckoutAttempt.objects.exists()
    # The fresh preview carries the new total: placing from it works.
    assert at_payment.place_order(response).status_code == 302
    assert Order.objects.get().total_incl_tax == Decimal("24.00")


def test_tampered_total_is_refused(at_payment, localstripe):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))

    response = at_payment.place_order(preview, order_total="0.01")

    assert response.status_code == 200
    assert "Your basket changed since you reviewed this order" in response.content.decode()
    assert not Order.objects.exists() and not CheckoutAttempt.objects.exists()


def test_posted_amount_fields_are_ignored(at_payment, localstripe):
    preview = at_payment.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))

    at_payment.place_order(preview, amount="0.01", card_amount="0.01", wallet_amount="12.00")

    order = Order.objects.get()
    assert order.sources.get().amount_debited == Decimal("12.00")
    source = order.sources.get()
    assert localstripe.get(f"/v1/payment_intents/{source.reference}")["amount"] == 1200


def test_missing_card_is_asked_for(at_payment, localstripe):
    response = at_payment.preview(payment_method_id="")

    assert response.status_code == 200
    assert "Please enter your card details." in response.content.decode()
