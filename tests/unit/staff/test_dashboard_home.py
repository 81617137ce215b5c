"""The dashboard home shows each role what it needs: store figures only to those managing orders."""

from decimal import Decimal

import pytest
from django.urls import reverse

from staff import roles
from tests.factories.loyalty import paid_order
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_sale(db):
    from oscar.test.factories import UserFactory

    return paid_order(user=UserFactory(), price="98765.43")


def test_a_cashier_is_sent_to_the_till_and_never_sees_the_revenue(client, big_sale):
    client.force_login(staff_user(roles.CASHIER))
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302 and response["Location"] == reverse("till-sale")
    page = client.get(reverse("dashboard:index"), follow=True)
    assert "98,765.43" not in page.content.decode()
    assert "Your Store Statistics" not in page.content.decode()


def test_an_operator_sees_the_store_figures(client, big_sale):
    client.force_login(staff_user(roles.OPERATOR))
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert response.context["total_revenue"] >= Decimal("98765.43")


def test_other_staff_get_a_home_page_without_figures(client, big_sale):
    from oscar.test.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="staff_home"' in html and "98,765.43" not in html
    assert "total_revenue" not in response.context
