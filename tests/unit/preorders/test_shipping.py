"""A pre-order is picked up or delivered like any order, from its release day, and its release
email says how, as chosen."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from preorders import services
from preorders.models import PaymentPolicy, Preorder
from tests.factories.payments import CARD_OK
from tests.factories.preorders import goods_receive, preorder_product, release_today
from tests.unit.preorders.test_policies import place_preorder

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def _choice_page(checkout, settings):
    checkout.add_to_basket(settings.product)
    page = checkout.client.get(reverse("checkout:shipping-method"))
    assert page.status_code == 200, "a pre-order must let the shopper choose how to get it"
    return page


def test_preorder_offers_pick_up_and_campus_delivery_from_its_release_day(checkout):
    settings = preorder_product(days_to_release=5)
    page = _choice_page(checkout, settings)

    pick_up = page.context["pick_up"]
    assert timezone.localtime(pick_up.ready_at).date() == settings.release_date
    delivery = page.context["next_delivery"].delivery_round
    assert timezone.localtime(delivery.starts).date() >= settings.release_date
    assert "No shipping required" not in page.content.decode()


def test_a_product_collected_at_the_store_offers_pick_up_only(checkout):
    settings = preorder_product(collect_in_store=True)
    page = _choice_page(checkout, settings)
    assert page.context["pick_up"] is not None
    assert page.context["next_delivery"] is None


def _release(settings, run_on_commit, mailoutbox):
    release_today(settings)
    mailoutbox.clear()
    with run_on_commit():
        services.preorders_release_due()
    return mailoutbox[-1]


def test_delivered_preorder_pays_the_fee_and_its_release_email_names_room_and_round(
    checkout, localstripe, run_on_commit, mailoutbox
):
    settings = preorder_product(price="30.00", policy=PaymentPolicy.AUTHORISE)
    checkout.add_to_basket(settings.product)
    checkout.enter_shipping_address(delivery=True)
    preview = checkout.preview(payment_method_id=localstripe.payment_method_create(CARD_OK))
    checkout.place_order(preview)

    order = Order.objects.get()
    preorder = Preorder.objects.get()
    assert order.shipping_code.startswith("campus-delivery-")
    assert order.shipping_incl_tax == Decimal("3.00")
    assert preorder.amount == Decimal("33.00") and not preorder.collect_in_store

    email = _release(settings, run_on_commit, mailoutbox)
    assert "being prepared for delivery" not in email.body
    assert "Dormitory 3, Room 201" in email.body
    assert order.shipping_method in email.body
    assert f"/accounts/orders/{order.number}/" in email.body


def test_picked_up_preorder_is_collected_and_its_email_says_where_and_from_when(
    checkout, localstripe, run_on_commit, mailoutbox
):
    settings = preorder_product(price="30.00")
    place_preorder(checkout, localstripe, settings)
    order = Order.objects.get()
    assert order.shipping_code == "pick-up" and order.shipping_incl_tax == Decimal("0.00")
    assert Preorder.objects.get().collect_in_store
    goods_receive(settings, quantity=1)

    email = _release(settings, run_on_commit, mailoutbox)
    assert "ready to collect" in email.subject
    assert "the service desk by the main entrance from " in email.body


def test_a_guests_release_email_links_to_the_order_status_page_not_the_login(
    checkout, localstripe, run_on_commit, mailoutbox
):
    settings = preorder_product(price="30.00")
    place_preorder(checkout, localstripe, settings)
    order = Order.objects.get()
    # As a guest's checkout leaves them: no account on the order or the pre-order.
    Order.objects.filter(pk=order.pk).update(user=None, guest_email="guest@campus.example")
    Preorder.objects.update(user=None)

    email = _release(settings, run_on_commit, mailoutbox)
    link = re.search(r"https?://\S+/order-status/\S+", email.body)
    assert link, email.body
    assert "/accounts/orders/" not in email.body
    status_path = reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )
    assert link.group(0).endswith(status_path)
