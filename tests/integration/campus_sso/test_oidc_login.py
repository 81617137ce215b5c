"""Campus login through a real OpenID Connect provider, over real HTTP.

The identity provider is ``oidc-provider-mock`` (a complete OIDC provider built on Authlib,
run in a thread on a free loopback port): mozilla-django-oidc does the real authorization-code
flow against it — redirect, consent, code exchange at the token endpoint, RS256 signature
checked against the provider's JWKS, nonce, userinfo — and only then do our rules run.
"""

import importlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import clear_url_caches, reverse
from oidc_provider_mock import run_server_in_thread

from campus_sso.models import CampusIdentity
from loyalty.models import MemberCard
from loyalty.services.cards import card_issue

User = get_user_model()

pytestmark = pytest.mark.django_db

BACKEND = "campus_sso.backends.CampusOIDCBackend"


@pytest.fixture
def campus_portal():
    """The campus identity provider; tests register their people on it through its API."""
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def portal_person(portal: str, sub: str, **claims) -> None:
    response = requests.put(f"{portal}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204, response.text


def _reload_urls() -> None:
    import shop.urls

    importlib.reload(shop.urls)
    clear_url_caches()


@pytest.fixture
def sso_on(settings, campus_portal):
    """Settings as production sets them from the CAMPUS_SSO / OIDC_* environment variables."""
    settings.CAMPUS_SSO = "oidc"
    settings.AUTHENTICATION_BACKENDS = (*settings.AUTHENTICATION_BACKENDS, BACKEND)
    settings.OIDC_RP_CLIENT_ID = "campus-store"
    settings.OIDC_RP_CLIENT_SECRET = "campus-store-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{campus_portal}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{campus_portal}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{campus_portal}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{campus_portal}/jwks"
    # This provider publishes one signing key without a key id ("kid").
    settings.OIDC_VERIFY_KID = False
    _reload_urls()
    yield campus_portal
    settings.CAMPUS_SSO = ""
    _reload_urls()


def campus_login(client, portal: str, sub: str, next_url: str = "/accounts/"):
    """Click the button, consent at the portal as ``sub``, follow the portal back."""
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert start.status_code == 302 and start.url.startswith(f"{portal}/oauth2/authorize?")
    assert "nonce" in parse_qs(urlsplit(start.url).query)
    consent = requests.post(start.url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    return client.get(f"{back.path}?{back.query}")


def logged_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def card_for(campus_id: str, *, user=None) -> MemberCard:
    return card_issue(member_type_code="staff", pin="4321", campus_id=campus_id, user=user)


def test_login_page_shows_the_campus_button(sso_on, client):
    page = client.get(reverse("customer:login"), {"next": "/checkout/"})

    content = page.content.decode()
    assert "Log in with your campus account" in content
    assert f'href="{reverse("oidc_authentication_init")}?next=/checkout/"' in content
    assert 'id="login_form"' in content  # Oscar's own form is still there


def test_first_login_creates_the_account_and_links_the_card(sso_on, client):
    card = card_for("S2023001")
    portal_person(
        sso_on,
        "wli",
        email="wei.li@campus.example",
        given_name="Wei",
        family_name="Li",
        campus_id="S2023001",
    )

    response = campus_login(client, sso_on, "wli", next_url="/accounts/")

    assert response.status_code == 302 and response.url == "/accounts/"
    user = logged_in_user(client)
    assert user is not None and user.email == "wei.li@campus.example"
    assert CampusIdentity.objects.get(user=user).campus_id == "S2023001"
    card.refresh_from_db()
    assert card.user == user
    assert any(card.number in m for m in messages_of(response))


def test_second_login_reuses_the_account(sso_on, client):
    card_for("S2023001")
    portal_person(sso_on, "wli", email="wei.li@campus.example", campus_id="S2023001")
    campus_login(client, sso_on, "wli")
    first = logged_in_user(client)
    client.logout()

    campus_login(client, sso_on, "wli")

    assert logged_in_user(client) == first
    assert User.objects.count() == 1
    assert MemberCard.objects.get().user == first


def test_unknown_campus_id_creates_an_account_with_no_card(sso_on, client):
    card_for("S2023001")
    portal_person(sso_on, "guest", email="guest@campus.example", campus_id="S2099999")

    campus_login(client, sso_on, "guest")

    user = logged_in_user(client)
    assert user is not None and user.campus_identity.campus_id == "S2099999"
    assert not MemberCard.objects.filter(user=user).exists()
    assert MemberCard.objects.get().user is None


def test_a_card_claimed_by_another_account_is_not_stolen(sso_on, client):
    owner = User.objects.create_user("owner", email="owner@campus.example")
    card = card_for("S2023001", user=owner)
    portal_person(sso_on, "other", email="other@campus.example", campus_id="S2023001")

    response = campus_login(client, sso_on, "other")

    user = logged_in_user(client)
    assert user is not None and user != owner
    card.refresh_from_db()
    assert card.user == owner
    assert any("already linked to another account" in m for m in messages_of(response))


def test_a_portal_without_the_campus_id_claim_logs_nobody_in(sso_on, client):
    portal_person(sso_on, "nocampus", email="nobody@campus.example")

    response = campus_login(client, sso_on, "nocampus")

    assert response.status_code == 302 and response.url == reverse("customer:login")
    assert logged_in_user(client) is None and not User.objects.exists()
    assert any("did not send a campus ID" in m for m in messages_of(response))


def test_the_claim_name_is_configurable(sso_on, client, settings):
    settings.CAMPUS_SSO_ID_CLAIM = "student_number"
    portal_person(sso_on, "wli", email="wei.li@campus.example", student_number="S2023001")

    campus_login(client, sso_on, "wli")

    assert logged_in_user(client).campus_identity.campus_id == "S2023001"


def test_sso_off_means_no_route_and_no_button(client):
    assert client.get("/sso/oidc/authenticate/").status_code == 404
    assert (
        "Log in with your campus account"
        not in client.get(reverse("customer:login")).content.decode()
    )
