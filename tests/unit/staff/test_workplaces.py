"""Each person lands where their work is, and the storefront links staff back to it."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from staff import roles
from staff.selectors import staff_landing_url, staff_workplaces
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("customer:login")
PASSWORD = "skelebrain"  # oscar.test.factories.UserFactory's


def _login(client, user, *, redirect_url=""):
    return client.post(
        LOGIN,
        {
            "login-username": user.email,
            "login-password": PASSWORD,
            "login-redirect_url": redirect_url,
            "login_submit": "1",
        },
    )


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (roles.MARKETING, "/cms/"),
        (roles.MARKETING_MANAGER, "/cms/"),
        (roles.OPERATOR, "/dashboard/"),
        (roles.CASHIER, "/dashboard/till/"),
    ],
)
def test_staff_land_on_their_workplace_after_signing_in(client, role, landing):
    response = _login(client, staff_user(role))

    assert response.status_code == 302
    assert response["Location"] == landing


def test_a_superuser_lands_on_the_dashboard(client):
    response = _login(client, UserFactory(is_staff=True, is_superuser=True))

    assert response["Location"] == "/dashboard/"


def test_a_page_asked_for_wins_over_the_workplace(client):
    response = _login(client, staff_user(roles.MARKETING), redirect_url="/basket/")

    assert response["Location"] == "/basket/"


def test_a_shopper_lands_on_the_storefront(client):
    response = _login(client, UserFactory())

    assert response["Location"] == "/"


def test_workplaces_follow_the_role_table():
    both = staff_user(roles.OPERATOR)
    both.groups.add(*staff_user(roles.CASHIER).groups.all())

    assert [p.url for p in staff_workplaces(user=both)] == ["/dashboard/"]  # the till is in it
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert [p.url for p in staff_workplaces(user=admin)] == ["/dashboard/", "/cms/"]
    assert staff_landing_url(user=UserFactory()) is None


def test_a_dashboard_role_without_the_staff_flag_is_not_sent_to_a_refusing_dashboard():
    cashier = staff_user(roles.CASHIER)
    cashier.is_staff = False
    cashier.save()

    assert staff_landing_url(user=cashier) is None


@pytest.mark.parametrize(
    ("role", "href", "label"),
    [
        (roles.MARKETING, "/cms/", "CMS"),
        (roles.OPERATOR, "/dashboard/", "Dashboard"),
        (roles.CASHIER, "/dashboard/till/", "Till"),
    ],
)
def test_the_storefront_header_links_staff_back_to_their_workplace(client, role, href, label):
    client.force_login(staff_user(role))

    html = client.get(reverse("basket:summary")).content.decode()

    assert f'href="{href}" class="nav-link staff-workplace-link"' in html
    assert label in html


def test_a_shopper_sees_no_staff_link(client):
    client.force_login(UserFactory())

    html = client.get(reverse("basket:summary")).content.decode()

    assert "staff-workplace-link" not in html


def test_the_storefront_userbar_keeps_the_admin_link_but_not_the_content_checks(client):
    client.force_login(staff_user(roles.MARKETING))

    html = client.get(reverse("basket:summary")).content.decode()

    assert "wagtail-userbar" in html
    assert 'id="checker-trigger"' not in html
