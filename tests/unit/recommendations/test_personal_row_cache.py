"""The "Recommended for you" row is served as cached HTML: a changed list shows on the next
request, and no member is served another member's row."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.test.factories import OrderFactory, OrderLineFactory, UserFactory

from recommendations import selectors
from shop.apps.order.services import order_mark_paid
from tests.unit.recommendations.test_services import store  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def personal_row_links(html: str) -> list[str]:
    """The product links of the page's "Recommended for you" row, in order."""
    row = html.split('data-recommendations="personal"', 1)[1].split("</section>", 1)[0]
    return list(dict.fromkeys(re.findall(r'href="(/catalogue/[^"]+)"', row)))


def expected_links(user) -> list[str]:
    return [
        product.get_absolute_url()
        for product in selectors.recommended_products(user=user, request=None, limit=4)
    ]


def test_a_warm_row_loads_no_product(store, client):  # noqa: F811
    _products, customers = store
    client.force_login(customers[0], backend=BACKEND)
    cold_html = client.get(PROFILE).content.decode()
    with CaptureQueriesContext(connection) as warm:
        warm_html = client.get(PROFILE).content.decode()
    assert personal_row_links(warm_html) == personal_row_links(cold_html) != []
    # The cards' images are loaded only to render the row.
    assert not [
        query for query in warm.captured_queries if "catalogue_productimage" in query["sql"]
    ]


def test_a_recomputed_list_shows_on_the_next_request(
    store,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
):
    products, _customers = store
    customer = UserFactory()
    client.force_login(customer, backend=BACKEND)
    before = personal_row_links(client.get(PROFILE).content.decode())
    assert before == expected_links(customer)  # the best sellers, now cached as HTML

    # Paying an order recomputes the customer's list (recommendations_update_customer).
    order = OrderFactory(user=customer, status="Pending", date_placed=timezone.now())
    OrderLineFactory(order=order, product=products["tent pegs"])
    with django_capture_on_commit_callbacks(execute=True):
        assert order_mark_paid(order_id=order.pk)

    after = personal_row_links(client.get(PROFILE).content.decode())
    assert after == expected_links(customer)
    assert after != before


def test_no_member_is_served_another_members_row(store, client):  # noqa: F811
    _products, customers = store
    rows = {}
    for customer in (customers[0], customers[7], customers[0]):
        client.force_login(customer, backend=BACKEND)
        rows.setdefault(customer.pk, []).append(
            personal_row_links(client.get(PROFILE).content.decode())
        )
    assert rows[customers[0].pk][0] == rows[customers[0].pk][1] == expected_links(customers[0])
    assert rows[customers[7].pk][0] == expected_links(customers[7])
    assert rows[customers[0].pk][0] != rows[customers[7].pk][0]
