"""Card + PIN lookup (no login), its lockout, and the member card on the account page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from loyalty import card_views
from loyalty.models import PointsTransaction
from tests.factories.loyalty import CARD_PIN, earning_rules, member_card, paid_order

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db
LOOKUP = reverse("membercard:lookup")
RESULT = reverse("membercard:lookup-result")


@pytest.fixture(autouse=True)
def empty_cache():
    # The PIN failure counters live in the (process-wide) local-memory cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member():
    earning_rules(points_per_cny=Decimal("1"))
    user = UserFactory()
    card = member_card(user=user)
    return user, card


def lookup(client, number, pin, ip="10.0.0.1"):
    return client.post(LOOKUP, {"number": number, "pin": pin}, REMOTE_ADDR=ip)


def test_lookup_shows_balance_history_and_purchases(client, member):
    user, card = member
    order = paid_order(user=user, price="42.00")

    response = lookup(client, card.number, CARD_PIN)
    assert response.status_code == 302 and response["Location"] == RESULT

    page = client.get(RESULT)
    html = page.content.decode()
    assert page.context["account"].balance == 42
    assert order.number in html
    assert list(page.context["points_page"]) == list(PointsTransaction.objects.filter(order=order))
    assert "Bronze" in html and "Silver" in html  # the tier and the next one


def test_lookup_filters_by_date_and_pages(client, member, monkeypatch):
    monkeypatch.setattr(card_views, "HISTORY_PAGE_SIZE", 2)
    user, card = member
    old = paid_order(user=user, price="10.00", placed_at=timezone.now() - dt.timedelta(days=60))
    for _ in range(3):
        paid_order(user=user, price="10.00")
    lookup(client, card.number, CARD_PIN)

    page = client.get(RESULT)
    assert page.context["orders_page"].paginator.count == 4
    assert len(page.context["orders_page"]) == 2
    second = client.get(RESULT, {"orders_page": 2})
    assert len(second.context["orders_page"]) == 2

    since = (timezone.now() - dt.timedelta(days=30)).date().isoformat()
    filtered = client.get(RESULT, {"date_from": since})
    assert filtered.context["orders_page"].paginator.count == 3
    assert old not in filtered.context["orders_page"].paginator.object_list

    bad = client.get(RESULT, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "must not be after" in bad.content.decode()


def test_result_page_needs_a_pin_first(client, member):
    assert client.get(RESULT)["Location"] == LOOKUP


def test_five_wrong_pins_lock_the_card_for_15_minutes(client, member):
    _user, card = member
    for attempt in range(1, 5):
        response = lookup(client, card.number, "0000", ip=f"10.0.0.{attempt}")
        left = 5 - attempt
        expected = "(1 try left)" if left == 1 else f"({left} tries left)"
        assert expected in response.content.decode()
    response = lookup(client, card.number, "0000", ip="10.0.0.9")
    assert "locked for 15 minutes" in response.content.decode()

    # Even the right PIN, from yet another address, is refused while locked.
    response = lookup(client, card.number, CARD_PIN, ip="10.0.0.10")
    assert response.status_code == 200
    assert "locked for 15 minutes" in response.content.decode()


def test_the_lock_ends_15_minutes_after_the_last_try(client, member, monkeypatch):
    # Every try is counted before its PIN is checked (core.throttle.throttle_attempt_claim), so
    # a try while locked, right PIN or not, starts the 15 minutes again: whoever keeps
    # guessing stays locked out, and 15 quiet minutes open the card.
    import django.core.cache.backends.locmem as locmem

    _user, card = member
    for _ in range(5):
        lookup(client, card.number, "0000")
    assert "locked" in lookup(client, card.number, CARD_PIN).content.decode()
    real_time = locmem.time.time
    last_try = 15 * 60 - 5
    monkeypatch.setattr(locmem.time, "time", lambda: real_time() + last_try)
    assert "locked" in lookup(client, card.number, CARD_PIN).content.decode()
    # Past 15 minutes since the lock began, but not since that last try.
    monkeypatch.setattr(locmem.time, "time", lambda: real_time() + last_try + 15 * 60 - 5)
    assert "locked" in lookup(client, card.number, CARD_PIN).content.decode()
    last_try += 15 * 60 - 5
    monkeypatch.setattr(locmem.time, "time", lambda: real_time() + last_try + 15 * 60 + 1)
    assert lookup(client, card.number, CARD_PIN).status_code == 302


def test_five_wrong_pins_from_one_address_lock_that_address(client, member):
    _user, card = member
    others = [member_card() for _ in range(5)]
    for other in others:
        lookup(client, other.number, "0000", ip="192.0.2.7")
    response = lookup(client, card.number, CARD_PIN, ip="192.0.2.7")
    assert "locked for 15 minutes" in response.content.decode()
    assert lookup(client, card.number, CARD_PIN, ip="192.0.2.8").status_code == 302


def test_a_lost_card_cannot_be_looked_up(client, member):
    from loyalty.services.cards import card_report_lost

    _user, card = member
    card_report_lost(card_id=card.pk)
    response = lookup(client, card.number, CARD_PIN)
    assert "frozen" in response.content.decode()


def test_account_page_shows_the_card_with_qr_and_barcode(client, member):
    user, card = member
    client.force_login(user)
    html = client.get(reverse("customer:profile-view")).content.decode()
    assert card.number in html
    qr = html.split('id="member_card_qr"', 1)[1]
    assert qr.split(">", 1)[1].lstrip().startswith("<svg")
    barcode = html.split('id="member_card_barcode"', 1)[1]
    assert barcode.split(">", 1)[1].lstrip().startswith("<svg")


def test_account_page_claims_a_card_with_number_and_pin(client):
    user = UserFactory()
    card = member_card()
    client.force_login(user)
    assert "member_card_claim_form" in client.get(reverse("customer:profile-view")).content.decode()

    response = client.post(
        reverse("membercard:claim"), {"number": card.number, "pin": "9999"}, follow=True
    )
    assert "do not match" in response.content.decode()
    response = client.post(
        reverse("membercard:claim"), {"number": card.number, "pin": CARD_PIN}, follow=True
    )
    assert "now linked" in response.content.decode()
    card.refresh_from_db()
    assert card.user == user
