"""Operators release a pre-order product now from the dashboard, or move its date to today.

Both run the daily job's own release (``preorder_release``): the card authorisation is
captured, the order becomes paid, the customer is emailed; a second click charges nobody
twice. Staff without the pre-order permissions are kept out and change nothing.
"""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from preorders.models import PaymentPolicy, Preorder, PreorderSettings
from staff import roles
from tests.factories.payments import CARD_DECLINED
from tests.factories.preorders import preorder_product
from tests.factories.staff import staff_user
from tests.unit.preorders.test_policies import place_preorder

PaymentEvent = get_model("order", "PaymentEvent")

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def operator_client():
    client = Client()
    client.force_login(staff_user(roles.OPERATOR))
    return client


@pytest.fixture
def authorised_preorder(checkout, localstripe):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=3)
    place_preorder(checkout, localstripe, settings, quantity=2, delivery=True)
    return settings, Preorder.objects.get(settings=settings)


def test_release_now_charges_the_waiting_preorders_and_pays_their_orders(
    authorised_preorder, operator_client, django_capture_on_commit_callbacks
):
    settings, preorder = authorised_preorder
    url = reverse("preorders-release-now", kwargs={"pk": settings.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url)

    assert response.status_code == 302
    assert "Released 1 pre-order" in " ".join(_messages(response))
    preorder.refresh_from_db()
    settings.refresh_from_db()
    assert preorder.status == Preorder.Status.CHARGED
    assert preorder.line.order.status == "Paid"
    assert settings.release_date == timezone.localdate()
    assert [m.subject for m in mail.outbox if preorder.order_number in m.subject] == [
        f"Your pre-order {preorder.order_number} has been released"
    ]

    # Twice: nothing left to release, nobody charged again.
    again = operator_client.post(url)
    assert "no pre-order was waiting" in " ".join(_messages(again))
    paid = PaymentEvent.objects.filter(order=preorder.line.order, event_type__name="Paid")
    assert paid.count() == 1


def test_a_refused_card_is_reported_and_the_customer_gets_a_pay_again_link(
    checkout, localstripe, operator_client
):
    settings = preorder_product(policy=PaymentPolicy.SAVE_CARD, days_to_release=20)
    place_preorder(checkout, localstripe, settings, card=CARD_DECLINED)

    response = operator_client.post(reverse("preorders-release-now", kwargs={"pk": settings.pk}))

    assert "1 card was refused" in " ".join(_messages(response))
    assert Preorder.objects.get(settings=settings).status == Preorder.Status.PAYMENT_FAILED


def test_moving_the_date_to_today_releases_the_product(authorised_preorder, operator_client):
    settings, preorder = authorised_preorder

    response = operator_client.post(
        reverse("preorders-date-move", kwargs={"pk": settings.pk}),
        {"release_date": timezone.localdate().isoformat()},
    )

    assert "Released 1 pre-order" in " ".join(_messages(response))
    preorder.refresh_from_db()
    assert preorder.status == Preorder.Status.CHARGED
    assert preorder.expected_date == timezone.localdate()


def test_a_date_before_today_is_refused_and_changes_nothing(authorised_preorder, operator_client):
    settings, preorder = authorised_preorder
    old_date = settings.release_date

    response = operator_client.post(
        reverse("preorders-date-move", kwargs={"pk": settings.pk}),
        {"release_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
    )

    assert "cannot be before today" in " ".join(_messages(response))
    settings.refresh_from_db()
    assert settings.release_date == old_date
    assert Preorder.objects.get(pk=preorder.pk).status == Preorder.Status.RESERVED


@pytest.mark.parametrize("who", ["cashier", "plain staff", "shopper"])
def test_only_operators_may_release_or_move_to_today(authorised_preorder, who):
    settings, preorder = authorised_preorder
    user = {
        "cashier": lambda: staff_user(roles.CASHIER),
        "plain staff": lambda: UserFactory(is_staff=True),
        "shopper": lambda: UserFactory(),
    }[who]()
    client = Client()
    client.force_login(user)

    release = client.post(reverse("preorders-release-now", kwargs={"pk": settings.pk}))
    move = client.post(
        reverse("preorders-date-move", kwargs={"pk": settings.pk}),
        {"release_date": timezone.localdate().isoformat()},
    )

    assert release.status_code in (302, 403) and move.status_code in (302, 403)
    for response in (release, move):
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    assert PreorderSettings.objects.get(pk=settings.pk).release_date == settings.release_date
    assert Preorder.objects.get(pk=preorder.pk).status == Preorder.Status.RESERVED
