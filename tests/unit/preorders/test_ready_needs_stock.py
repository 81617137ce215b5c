"""A collection pre-order is announced ready only when its copy is on the shelf."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from preorders import selectors, services
from preorders.models import PaymentPolicy, Preorder
from staff import roles
from tests.factories.preorders import goods_receive, preorder_product, release_today
from tests.factories.staff import staff_user
from tests.unit.preorders.test_policies import place_preorder

Line = get_model("order", "Line")

pytestmark = pytest.mark.django_db


@pytest.fixture
def gown(db):
    return preorder_product(
        title="Graduation gown",
        policy=PaymentPolicy.PAY_NOW,
        price="89.00",
        collect_in_store=True,
    )


def _release(settings, run_on_commit, mailoutbox):
    release_today(settings)
    mailoutbox.clear()
    with run_on_commit():
        services.preorders_release_due()
    return Preorder.objects.get()


def test_released_without_stock_waits_and_is_not_announced_ready(
    gown, checkout, localstripe, run_on_commit, mailoutbox
):
    place_preorder(checkout, localstripe, gown)
    preorder = _release(gown, run_on_commit, mailoutbox)

    assert preorder.status == Preorder.Status.CHARGED
    assert preorder.ready_notified_at is None
    assert preorder.pickup_deadline is None
    [email] = mailoutbox
    assert "ready to collect" not in email.subject
    assert "ready to collect" in email.body  # "... as soon as it is ready to collect"
    assert "not reached our shelf yet" in email.body
    record = gown.product.stockrecords.get()
    assert record.num_in_stock == 0
    assert selectors.preorder_report()[0].waiting_for_stock == 1


def test_goods_received_announce_the_waiting_preorder_ready(
    gown, checkout, localstripe, run_on_commit, mailoutbox
):
    place_preorder(checkout, localstripe, gown)
    _release(gown, run_on_commit, mailoutbox)
    mailoutbox.clear()

    with run_on_commit():
        goods_receive(gown, quantity=3)

    preorder = Preorder.objects.get()
    assert preorder.ready_notified_at is not None
    assert preorder.pickup_deadline is not None
    [email] = mailoutbox
    assert "ready to collect" in email.subject
    assert Line.objects.get(pk=preorder.line_id).num_allocated == 0
    record = gown.product.stockrecords.get()
    assert (record.num_in_stock, record.num_allocated) == (2, 0)
    assert selectors.preorder_report()[0].waiting_for_stock == 0


def test_stock_on_the_shelf_before_release_is_announced_at_release(
    gown, checkout, localstripe, run_on_commit, mailoutbox
):
    place_preorder(checkout, localstripe, gown)
    goods_receive(gown, quantity=1)
    preorder = _release(gown, run_on_commit, mailoutbox)

    assert preorder.ready_notified_at is not None
    assert "ready to collect" in mailoutbox[0].subject
    assert gown.product.stockrecords.get().num_in_stock == 0


def test_ready_email_shows_money_in_the_store_currency_and_asks_members_for_their_card(
    gown, checkout, localstripe, run_on_commit, mailoutbox
):
    place_preorder(checkout, localstripe, gown)
    goods_receive(gown, quantity=1)
    body = _release(gown, run_on_commit, mailoutbox) and mailoutbox[0].body

    assert "¥89.00" in body
    assert "89.00 CNY" not in body
    assert "member card" in body


def test_a_guest_is_not_asked_for_a_member_card(
    gown, checkout, localstripe, run_on_commit, mailoutbox
):
    place_preorder(checkout, localstripe, gown)
    Preorder.objects.update(user=None, email="guest@example.com")
    goods_receive(gown, quantity=1)
    preorder = _release(gown, run_on_commit, mailoutbox)

    body = mailoutbox[0].body
    assert "member card" not in body
    assert preorder.order_number in body


def test_dashboard_shows_money_formatted_and_the_preorder_waiting(
    gown, checkout, localstripe, run_on_commit, mailoutbox, client
):
    place_preorder(checkout, localstripe, gown)
    _release(gown, run_on_commit, mailoutbox)
    client.force_login(staff_user(roles.OPERATOR))

    report = client.get(reverse("preorders-report")).content.decode()
    assert "¥89.00" in report
    assert 'class="revenue">89.00<' not in report
    product = client.get(reverse("preorders-product", args=[gown.pk])).content.decode()
    assert "¥89.00" in product
    assert "waiting for stock" in product
    assert Decimal("89.00") == Preorder.objects.get().amount
