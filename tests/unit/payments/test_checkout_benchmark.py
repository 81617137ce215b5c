"""Checkout timings and SQL queries per step against localstripe (docs/benchmarks.md).

Opt-in, it takes a while: PAYMENTS_BENCHMARK=1 .venv/bin/python -m pytest -s tests/unit/payments/test_checkout_benchmark.py
"""

import os
import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import UserFactory

from tests.factories.payments import CARD_OK, CheckoutDriver

RUNS = 20

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("PAYMENTS_BENCHMARK"), reason="set PAYMENTS_BENCHMARK=1 to run"
    ),
]


def test_place_order_to_thank_you(client, product, localstripe):
    timings, queries = [], {}
    for run in range(RUNS):
        client.force_login(UserFactory(email=f"bench{run}@campus.example"))
        driver = CheckoutDriver(client)
        driver.add_to_basket(product)
        driver.enter_shipping_address()
        payment_method_id = localstripe.payment_method_create(CARD_OK)
        with CaptureQueriesContext(connection) as payment_page:
            client.get(reverse("checkout:payment-details"))
        with CaptureQueriesContext(connection) as preview_step:
            preview = driver.preview(payment_method_id=payment_method_id)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as place_step:
            response = driver.place_order(preview)
        with CaptureQueriesContext(connection) as thank_you_step:
            page = client.get(response.url)
        timings.append(time.perf_counter() - started)
        assert page.status_code == 200
        queries = {
            "payment details (GET)": len(payment_page),
            "preview (POST)": len(preview_step),
            "place order (POST, incl. Stripe call)": len(place_step),
            "thank-you (GET)": len(thank_you_step),
        }
        client.logout()
    median_ms = statistics.median(timings) * 1000
    print(
        f"\nplace order -> thank-you, median of {RUNS}: {median_ms:.0f} ms (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f})"
    )
    for step, count in queries.items():
        print(f"  {step}: {count} queries")
    assert median_ms < 5000
