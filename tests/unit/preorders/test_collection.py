"""Collection in store: ready email, reminder, hand-over by card number, no-show with a fee."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from preorders import services
from preorders.models import NoShow, Preorder
from staff import roles
from tests.factories.loyalty import member_card
from tests.factories.preorders import (
    collection_preorder_product,
    goods_receive,
    release_today,
)
from tests.factories.staff import staff_user
from tests.unit.preorders.test_policies import place_preorder

Order = get_model("order", "Order")
OrderRefund = get_model("order", "OrderRefund")

pytestmark = pytest.mark.django_db


@pytest.fixture
def released_collection(checkout, localstripe, run_on_commit, mailoutbox):
    settings = collection_preorder_product()
    place_preorder(checkout, localstripe, settings)
    goods_receive(settings, quantity=1)
    release_today(settings)
    mailoutbox.clear()
    with run_on_commit():
        services.preorders_release_due()
    return Preorder.objects.get()


@pytest.fixture
def cashier(db):
    return staff_user(roles.CASHIER, username="cashier")


def test_release_tells_the_member_it_is_ready_with_a_deadline(released_collection, mailoutbox):
    preorder = released_collection
    assert preorder.status == Preorder.Status.CHARGED
    assert preorder.pickup_deadline == timezone.localdate() + dt.timedelta(days=7)
    assert "ready to collect" in mailoutbox[0].subject
    assert str(preorder.pickup_deadline.day) in mailoutbox[0].body


def test_reminder_goes_out_once_the_day_before_the_deadline(
    released_collection, run_on_commit, mailoutbox
):
    preorder = released_collection
    mailoutbox.clear()
    day_before = preorder.pickup_deadline - dt.timedelta(days=1)
    assert services.preorder_collection_reminders_send(today=day_before - dt.timedelta(days=2)) == 0
    with run_on_commit():
        assert services.preorder_collection_reminders_send(today=day_before) == 1
        assert services.preorder_collection_reminders_send(today=day_before) == 0
    assert [m.subject for m in mailoutbox] == [
        f"Please collect your pre-order {preorder.order_number} by {preorder.pickup_deadline}"
    ]


def test_cashier_finds_the_preorder_by_card_number_and_hands_it_over(
    released_collection, shopper, cashier, client
):
    card = member_card(user=shopper)
    client.force_login(cashier)
    page = client.get(reverse("preorders-handover"), {"card_number": card.number})
    assert page.status_code == 200
    assert "Graduation gown" in page.content.decode()

    response = client.post(
        reverse("preorders-handover"),
        {"preorder": released_collection.pk, "card_number": card.number},
    )

    assert response.status_code == 302
    preorder = Preorder.objects.get()
    assert preorder.status == Preorder.Status.SHIPPED and preorder.handed_over_by == cashier
    assert Order.objects.get().status == "Shipped"
    page = client.get(reverse("preorders-handover"), {"card_number": card.number})
    assert "No released pre-order is waiting" in page.content.decode()


def test_staff_without_the_permission_cannot_open_the_hand_over_page(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("preorders-handover"))
    assert response.status_code in (302, 403)


def test_uncollected_preorder_is_cancelled_refunded_less_the_fee_and_a_no_show_recorded(
    released_collection, shopper, run_on_commit, mailoutbox
):
    preorder = released_collection
    after_deadline = preorder.pickup_deadline + dt.timedelta(days=1)

    with run_on_commit():
        summary = services.preorders_release_due(today=after_deadline)
        services.preorders_release_due(today=after_deadline)

    preorder.refresh_from_db()
    assert summary.no_shows == [preorder.pk]
    assert preorder.status == Preorder.Status.CANCELLED and preorder.fee_kept == Decimal("5.00")
    refund = OrderRefund.objects.get()
    assert refund.amount == Decimal("55.00")
    no_show = NoShow.objects.get()
    assert (
        no_show.user == shopper and no_show.preorder == preorder and no_show.fee == Decimal("5.00")
    )
    assert any("is cancelled" in m.subject and "5.00" in m.body for m in mailoutbox)
