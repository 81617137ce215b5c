"""Guesses sent together, over HTTP against gunicorn (both worker modes): at most the limit
of them is ever checked.

Fifteen tabs post a wrong PIN (card lookup) or a wrong password (login) at the same moment.
The throttle's counter in Redis holds the attempts that were checked (a refused attempt counts
nothing), so it must end at the limit, and the right secret afterwards is refused too.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from oscar.test.factories import UserFactory

from bench.checkout import _csrf
from core import throttle
from loyalty.services.cards import CARD_LOOKUP_MAX_FAILURES
from tests.factories.loyalty import member_card
from tests.fixtures.shopper import PASSWORD, Tab, together

# Serialized rollback: the migrations' rows (Wagtail's site, member types) are back for each test.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GUESSES = 15
RIGHT_PIN = "2468"


def _tabs_at(live_store, path: str) -> list[tuple[Tab, str]]:
    tabs = []
    for _ in range(GUESSES):
        tab = Tab(base_url=live_store.base_url, email="")
        tabs.append((tab, _csrf(tab.send("GET", path).text)))
    return tabs


def test_fifteen_wrong_pins_at_once_check_at_most_five(live_store):
    card = member_card(user=UserFactory(), pin=RIGHT_PIN)
    path = "/member-card/"
    tabs = _tabs_at(live_store, path)
    cache.delete_many(
        [f"loyalty:pin-failures:card:{card.number}", "loyalty:pin-failures:ip:127.0.0.1"]
    )

    pages = together(
        [
            lambda t=tab, token=token, n=n: t.send(
                "POST",
                path,
                {"csrfmiddlewaretoken": token, "number": card.number, "pin": f"{9000 + n}"},
            )
            for n, (tab, token) in enumerate(tabs)
        ]
    )

    assert all(page.status == 200 for page in pages), [getattr(p, "status", p) for p in pages]
    checked = cache.get(f"loyalty:pin-failures:card:{card.number}")
    assert checked == CARD_LOOKUP_MAX_FAILURES, checked
    tab, token = tabs[0]
    right = tab.send(
        "POST", path, {"csrfmiddlewaretoken": token, "number": card.number, "pin": RIGHT_PIN}
    )
    assert "/member-card/history/" not in right.path and "locked" in right.text


def test_fifteen_wrong_passwords_at_once_check_at_most_the_limit(live_store):
    member = UserFactory(email="guessed@campus.example", username="guessed@campus.example")
    member.set_password(PASSWORD)
    member.save()
    path = "/accounts/login/"
    tabs = _tabs_at(live_store, path)
    key = throttle._login_keys(username=member.email, ip="127.0.0.1")[0]
    cache.delete(key)

    pages = together(
        [
            lambda t=tab, token=token, n=n: t.send(
                "POST",
                path,
                {
                    "csrfmiddlewaretoken": token,
                    "login-username": member.email,
                    "login-password": f"wrong-{n}",
                    "login-redirect_url": "",
                    "login_submit": "Log In",
                },
            )
            for n, (tab, token) in enumerate(tabs)
        ]
    )

    assert all(page.status in (200, 429) for page in pages), [
        getattr(p, "status", p) for p in pages
    ]
    checked = cache.get(key)
    assert checked == settings.LOGIN_THROTTLE_MAX_FAILURES, checked
    tab, token = tabs[0]
    right = tab.send(
        "POST",
        path,
        {
            "csrfmiddlewaretoken": token,
            "login-username": member.email,
            "login-password": PASSWORD,
            "login-redirect_url": "",
            "login_submit": "Log In",
        },
    )
    assert right.status == 429
