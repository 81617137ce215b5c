"""A member's home, product and basket pages, warm, cost no more queries than these bounds.

The member's standing (card, member type discount, tier) and the "Recommended for you" row
come from the cache once warm, so neither the number of product cards nor the member's
discount adds a query: a bound that rises means per-request pricing work came back.
"""

import pytest
from django.contrib.auth import get_user_model
from oscar.test.factories import UserFactory

from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

User = get_user_model()

# Session, user, the page's own reads, the header's basket and the account bar.
MEMBER_HOME_QUERIES = 23
MEMBER_PRODUCT_QUERIES = 25
MEMBER_BASKET_QUERIES = 21


@pytest.fixture
def member_client(client):
    user = UserFactory()
    member_card(user=user, member_type_code="student")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def warm_queries(client, path, django_assert_max_num_queries, bound):
    for _ in range(2):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(bound):
        response = client.get(path)
    assert response.status_code == 200
    return response


def test_member_home_page_queries(member_client, home_page, django_assert_max_num_queries):
    response = warm_queries(member_client, "/", django_assert_max_num_queries, MEMBER_HOME_QUERIES)
    assert 'data-member-price="' in response.content.decode()


def test_member_product_page_queries(member_client, store, django_assert_max_num_queries):
    response = warm_queries(
        member_client,
        store.cheese.get_absolute_url(),
        django_assert_max_num_queries,
        MEMBER_PRODUCT_QUERIES,
    )
    assert "member-price--yours" in response.content.decode()


def test_member_basket_page_queries(member_client, store, django_assert_max_num_queries):
    for product in (store.cheese, store.bread):
        member_client.post(f"/basket/add/{product.pk}/", {"quantity": 1})
    response = warm_queries(
        member_client, "/basket/", django_assert_max_num_queries, MEMBER_BASKET_QUERIES
    )
    assert "Member price" in response.content.decode()
