"""Login brute force: every password login form is throttled per username + IP address.

One mechanism (core/throttle.py) behind the storefront, the Oscar dashboard, Wagtail's /cms/
and Django's admin login, the same counters as the member card PIN lookup.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.cache.backends import locmem

from core import throttle
from loyalty.services import cards as card_services
from shop.apps.customer import login_throttle

PASSWORD = "right-horse-battery-staple"  # noqa: S105
MAX_FAILURES = 3
WINDOW_SECONDS = 600

# (login URL, form fields for username and password, extra fields the form needs)
LOGIN_FORMS = {
    "storefront": ("/accounts/login/", "login-username", "login-password", {"login_submit": "1"}),
    "dashboard": ("/dashboard/login/", "username", "password", {}),
    "wagtail": ("/cms/login/", "username", "password", {}),
    "django-admin": ("/django-admin/login/", "username", "password", {}),
}


@pytest.fixture(autouse=True)
def _throttle_settings(settings):
    settings.LOGIN_THROTTLE_MAX_FAILURES = MAX_FAILURES
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = WINDOW_SECONDS
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(db):
    # Staff + superuser so that every one of the four forms accepts the right password.
    return get_user_model().objects.create_superuser(
        username="boss", email="boss@campus.example", password=PASSWORD
    )


def _login(client, form: str, username: str, password: str, ip: str = "127.0.0.1"):
    url, user_field, password_field, extra = LOGIN_FORMS[form]
    return client.post(
        url, {user_field: username, password_field: password, **extra}, REMOTE_ADDR=ip
    )


def _username_for(form: str, user) -> str:
    # Oscar's storefront form asks for the email address; the others for the username.
    return user.email if form == "storefront" else user.username


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_login_is_locked_after_n_wrong_passwords_even_for_the_right_one(client, staff_user, form):
    username = _username_for(form, staff_user)
    for _attempt in range(MAX_FAILURES):
        response = _login(client, form, username, "wrong-password")
        assert response.status_code == 200  # the form again, with its usual error
        assert not _logged_in(client)

    response = _login(client, form, username, PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == str(WINDOW_SECONDS)
    assert "Too many failed logins" in response.content.decode()
    assert "10 minutes" in response.content.decode()
    assert not _logged_in(client)


@pytest.mark.parametrize("form", ["storefront", "wagtail"])
def test_lock_is_per_username_and_ip(client, staff_user, form):
    username = _username_for(form, staff_user)
    for _attempt in range(MAX_FAILURES):
        _login(client, form, username, "wrong-password", ip="10.1.1.1")

    assert _login(client, form, username, PASSWORD, ip="10.1.1.1").status_code == 429
    # Another username from the same address is not locked...
    assert _login(client, form, "someone-else", "x", ip="10.1.1.1").status_code == 200
    # ...and the same account from another address logs in.
    response = _login(client, form, username, PASSWORD, ip="10.2.2.2")
    assert response.status_code == 302
    assert _logged_in(client)


def test_one_form_counts_for_all(client, staff_user):
    # Guesses spread over the four forms add up: they all end in authenticate().
    for form in ("dashboard", "wagtail", "django-admin"):
        _login(client, form, staff_user.username, "wrong-password")

    assert _login(client, "wagtail", staff_user.username, PASSWORD).status_code == 429


def test_lock_ends_when_the_window_has_passed(client, staff_user, monkeypatch):
    for _attempt in range(MAX_FAILURES):
        _login(client, "wagtail", staff_user.username, "wrong-password")
    assert _login(client, "wagtail", staff_user.username, PASSWORD).status_code == 429

    # The cache's clock moves past the window since the last (locked) attempt.
    real_time = locmem.time.time
    monkeypatch.setattr(locmem.time, "time", lambda: real_time() + WINDOW_SECONDS + 1)

    response = _login(client, "wagtail", staff_user.username, PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_a_successful_login_forgets_earlier_failures(client, staff_user):
    for _attempt in range(MAX_FAILURES - 1):
        _login(client, "storefront", staff_user.email, "wrong-password")
    assert _login(client, "storefront", staff_user.email, PASSWORD).status_code == 302
    client.logout()

    for _attempt in range(MAX_FAILURES - 1):
        _login(client, "storefront", staff_user.email, "wrong-password")

    assert _login(client, "storefront", staff_user.email, PASSWORD).status_code == 302


def test_username_case_and_spaces_do_not_reset_the_count(client, staff_user):
    for variant in ("Boss@Campus.Example", " boss@campus.example", "BOSS@CAMPUS.EXAMPLE"):
        _login(client, "storefront", variant, "wrong-password")

    assert _login(client, "storefront", staff_user.email, PASSWORD).status_code == 429


def test_card_pin_lookup_and_logins_share_one_throttle():
    # One way to throttle: the PIN lookup and reset call the same functions as the logins.
    for name in ("throttle_attempt_claim", "throttle_clear"):
        assert getattr(card_services, name) is getattr(throttle, name)
    assert login_throttle.login_attempt_claim is throttle.login_attempt_claim


def test_failure_counter_locks_at_the_limit_and_keeps_the_highest_count():
    keys = ["t:a", "t:b"]
    cache.set("t:b", 2, 60)

    assert throttle.throttle_failure_record(keys=keys, limit=3, window_seconds=60) == 3
    assert throttle.throttle_is_locked(keys=keys, limit=3)
    assert not throttle.throttle_is_locked(keys=["t:a"], limit=3)

    throttle.throttle_clear(keys=keys)
    assert not throttle.throttle_is_locked(keys=keys, limit=1)


def test_the_throttle_backend_never_becomes_a_sessions_backend(client, staff_user):
    # With a get_user() it would be the first backend force_login() and sessions pick, and
    # every session would load as anonymous.
    client.force_login(staff_user)

    assert client.get("/accounts/profile/").status_code == 200
    assert client.session["_auth_user_backend"] != (
        "shop.apps.customer.login_throttle.LoginThrottleBackend"
    )


def test_an_attempt_is_counted_before_it_is_checked_and_a_right_one_gives_it_back():
    keys = ["t:card", "t:ip"]

    assert [
        throttle.throttle_attempt_claim(keys=keys, limit=2, window_seconds=60) for _ in "ab"
    ] == [1, 2]
    # Two attempts in flight: a third is refused unchecked, and takes its count back.
    assert throttle.throttle_attempt_claim(keys=keys, limit=2, window_seconds=60) is None
    assert cache.get("t:card") == 2

    throttle.throttle_attempt_release(keys=keys)
    assert throttle.throttle_attempt_claim(keys=keys, limit=2, window_seconds=60) == 2
