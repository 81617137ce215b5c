"""Tabs of one member racing at checkout, over HTTP against gunicorn (both worker modes).

Each tab is a session of its own (``tests.fixtures.shopper.Tab``) of the same member; the store
is ``live_store`` (production settings, localstripe with the store's webhook registered, as
``make prod`` runs it). What must hold, whatever the order of clicks, retries and Stripe
events: one basket, one order, one net charge; every other tab a clear message and no charge
(or a refund); no 5xx; the ordered items never come back into the basket.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from bench.checkout import _page_error
from tests.factories.payments import CARD_3DS, CARD_OK, shipping_country, shop_product
from tests.fixtures.shopper import PASSWORD, Page, Tab, together
from tests.waiting import WAIT_TIMEOUT_SECONDS, wait_until

# Serialized rollback: the migrations' rows (Wagtail's site, member types) are back for each test.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

TABS = 10
PRICE = "45.50"
# Every refusal a losing tab may see names the other tab (or window) as the reason.
OTHER_TAB = "another tab"


StripeWebhookEvent = get_model("payment", "StripeWebhookEvent")
EVENTS_QUIET_SECONDS = 3


@pytest.fixture(autouse=True)
def _stripe_events_settled(transactional_db, live_store):
    """Let localstripe's last events reach the store before the test's rows are removed.

    A late event still being handled by gunicorn would otherwise hold row locks while the
    database is emptied (a deadlock) and leave rows behind for the next test.
    """
    yield
    deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = StripeWebhookEvent.objects.count()
        if count != seen:
            seen, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= EVENTS_QUIET_SECONDS:
            return
        time.sleep(0.5)


def _member(email: str):
    member = UserFactory(email=email, username=email)
    member.set_password(PASSWORD)
    member.save()
    return member


def _logged_in_tab(live_store, member) -> Tab:
    tab = Tab(base_url=live_store.base_url, email=member.email)
    tab.log_in()
    return tab


def _charges(live_store) -> dict[str, dict]:
    response = requests.get(
        f"{live_store.localstripe.url}/v1/charges",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
        timeout=10,
    )
    response.raise_for_status()
    return {charge["id"]: charge for charge in response.json()["data"]}


def _net_charged(charges: dict[str, dict]) -> Decimal:
    minor = sum(
        charge["amount"] - charge["amount_refunded"]
        for charge in charges.values()
        if charge["status"] == "succeeded"
    )
    return Decimal(minor) / 100


def _no_server_errors(pages, live_store) -> None:
    errors = [page for page in pages if isinstance(page, Page) and page.status >= 500]
    failures = [page for page in pages if not isinstance(page, Page)]
    assert not errors and not failures, (
        [(page.path, page.status) for page in errors],
        failures,
        live_store.log_tail(),
    )


def test_ten_tabs_placing_one_basket_make_one_order_and_one_net_charge(live_store):
    shipping_country()
    member = _member("ten.tabs@campus.example")
    product = shop_product(price=PRICE)
    tabs = [_logged_in_tab(live_store, member) for _ in range(TABS)]
    # One basket (the member's): filled once, then every tab walks to its own preview.
    tabs[0].add_to_basket(product.get_absolute_url())
    previews = []
    for tab in tabs:
        payment_page = tab.to_payment()
        card = live_store.localstripe.payment_method_create(CARD_OK)
        previews.append(tab.preview(payment_page, payment_method_id=card))
    basket = Basket.objects.get(owner=member)
    charges_before = set(_charges(live_store))

    # Everyone presses "place order" at once...
    first = together(
        [lambda t=tab, p=p: t.place_order(p) for tab, p in zip(tabs, previews, strict=True)]
    )
    # ...then each tab does what its page offers (place again), and presses its old preview's
    # button once more (a double click, the back button).
    again = together(
        [
            (lambda t=tab, p=page: t.place_order(p))
            if isinstance(page, Page) and 'id="place_order_form"' in page.text
            else (lambda t=tab, p=preview: t.place_order(p))
            for tab, page, preview in zip(tabs, first, previews, strict=True)
        ]
    )
    last = together(
        [lambda t=tab, p=p: t.place_order(p) for tab, p in zip(tabs, previews, strict=True)]
    )

    _no_server_errors([*first, *again, *last], live_store)
    orders = list(Order.objects.filter(user=member))
    assert len(orders) == 1, [order.number for order in orders]
    order = orders[0]
    assert order.basket_id == basket.pk and order.total_incl_tax == Decimal(PRICE)
    thanked = [page for page in first if "/checkout/thank-you/" in page.path]
    assert len(thanked) <= 1
    for page in [*first, *again, *last]:
        if "/checkout/thank-you/" not in page.path:
            assert OTHER_TAB in page.text or order.number in page.text, (page.path, page.text)
    # The ordered items are not back in any basket of the member.
    basket.refresh_from_db()
    assert basket.status == Basket.SUBMITTED
    open_lines = sum(b.num_lines for b in Basket.objects.filter(owner=member, status=Basket.OPEN))
    assert open_lines == 0
    # One net charge: Stripe's events (delivered to the store) and the refunds settled.
    deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
    while True:
        charges = {
            key: charge for key, charge in _charges(live_store).items() if key not in charges_before
        }
        if _net_charged(charges) == order.total_incl_tax or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert _net_charged(charges) == order.total_incl_tax, charges


def test_two_tabs_back_from_3d_secure_to_one_new_address_both_get_their_order(live_store):
    shipping_country()
    member = _member("two.returns@campus.example")
    product = shop_product(price=PRICE)
    rounds = 3
    for index in range(rounds):
        address = {"building": f"Teaching building {index}", "room": f"{100 + index}"}
        tabs = [_logged_in_tab(live_store, member) for _ in range(2)]
        returns = []
        for tab in tabs:
            # Tab one's basket is frozen at 3-D Secure: tab two fills a basket of its own.
            tab.add_to_basket(product.get_absolute_url())
            payment_page = tab.to_payment(address=address)
            card = live_store.localstripe.payment_method_create(CARD_3DS)
            authenticate = tab.place_order(tab.preview(payment_page, payment_method_id=card))
            client_secret, return_url = tab.three_d_secure(authenticate)
            returns.append(return_url)
            live_store.localstripe.payment_intent_authenticate(
                client_secret.split("_secret_")[0], client_secret
            )

        pages = together(
            [
                lambda t=tab, url=url: t.send("GET", url)
                for tab, url in zip(tabs, returns, strict=True)
            ]
        )

        _no_server_errors(pages, live_store)
        assert [page.path for page in pages] == ["/checkout/thank-you/"] * 2, [
            (page.path, page.status, _page_error(page.text)) for page in pages
        ]
    assert Order.objects.filter(user=member).count() == 2 * rounds
    book = UserAddress.objects.filter(user=member)
    assert book.count() == rounds
    assert sorted(book.values_list("num_orders_as_shipping_address", flat=True)) == [2] * rounds


def test_a_shopper_lost_after_3d_secure_gets_the_order_from_stripes_event(live_store):
    shipping_country()
    member = _member("lost.connection@campus.example")
    product = shop_product(price=PRICE)
    tab = _logged_in_tab(live_store, member)
    tab.add_to_basket(product.get_absolute_url())
    payment_page = tab.to_payment()
    card = live_store.localstripe.payment_method_create(CARD_3DS)
    authenticate = tab.place_order(tab.preview(payment_page, payment_method_id=card))
    client_secret, _return_url = tab.three_d_secure(authenticate)

    # 3-D Secure passes, and the browser never comes back: only Stripe's event remains.
    live_store.localstripe.payment_intent_authenticate(
        client_secret.split("_secret_")[0], client_secret
    )

    wait_until(
        Order.objects.filter(user=member).exists,
        what="no order from payment_intent.succeeded: is the store's webhook registered at "
        "localstripe?",
        details=lambda: live_store.log_tail("localstripe"),
    )
    order = Order.objects.get(user=member)
    assert order.status == "Paid" and order.total_incl_tax == Decimal(PRICE)
