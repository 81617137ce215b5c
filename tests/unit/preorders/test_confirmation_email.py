"""The order confirmation of a pre-order says so: the release date and that the card was only
authorised (or saved), not charged yet."""

import pytest
from django.urls import reverse
from django.utils import formats

from preorders.models import PaymentPolicy, Preorder
from tests.factories.preorders import preorder_product
from tests.unit.preorders.test_policies import place_preorder

pytestmark = pytest.mark.django_db


def _confirmation(mailoutbox):
    return next(message for message in mailoutbox if "confirmation" in message.subject.lower())


def test_authorised_preorder_confirmation_says_pre_order_release_date_and_not_charged(
    checkout, localstripe, run_on_commit, mailoutbox
):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=5, price="50.00")
    with run_on_commit():
        place_preorder(checkout, localstripe, settings)
    preorder = Preorder.objects.get()
    release = formats.date_format(preorder.expected_date, "DATE_FORMAT")

    message = _confirmation(mailoutbox)
    html = message.alternatives[0][0]

    for body in (message.body, html):
        assert (
            f"This is a pre-order: Organic Chemistry, 9th edition × 1, to be released on {release}."
            in body
        )
        assert "only authorised on your card, not charged yet" in body
        assert "¥50.00" in body


def test_pay_now_preorder_confirmation_says_it_is_paid(
    checkout, localstripe, run_on_commit, mailoutbox
):
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, price="80.00")
    with run_on_commit():
        place_preorder(checkout, localstripe, settings)

    message = _confirmation(mailoutbox)

    assert "This is a pre-order:" in message.body
    assert "¥80.00 is paid in full now." in message.body
    assert "not charged yet" not in message.body


def test_thank_you_page_says_the_authorised_card_is_charged_on_release(checkout, localstripe):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=5, price="50.00")
    place_preorder(checkout, localstripe, settings)

    html = checkout.client.get(reverse("checkout:thank-you")).content.decode()

    payments = html[html.index('id="order_payments"') :]
    payments = payments[: payments.index("</dl>")]
    assert "authorised: charged on release" in payments
    assert "Allocation" not in html


def test_thank_you_page_says_a_pay_now_card_is_simply_paid(checkout, localstripe):
    settings = preorder_product(policy=PaymentPolicy.PAY_NOW, price="80.00")
    place_preorder(checkout, localstripe, settings)

    html = checkout.client.get(reverse("checkout:thank-you")).content.decode()

    assert "Bank card" in html and "charged on release" not in html
