"""Campus single sign-on is off by default: no route, no button, no extra backend."""

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


def test_sso_is_off_by_default():
    assert settings.CAMPUS_SSO == ""
    assert "campus_sso.backends.CampusOIDCBackend" not in settings.AUTHENTICATION_BACKENDS


def test_no_route_and_no_button_when_off(client):
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")
    assert client.get("/sso/oidc/authenticate/").status_code == 404

    page = client.get(reverse("customer:login"))

    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="login_form"' in content
    assert "Log in with your campus account" not in content
