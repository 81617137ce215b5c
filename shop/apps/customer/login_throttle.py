"""Password guessing on every login form is throttled per username and IP address.

One mechanism for every form that logs in through ``django.contrib.auth.authenticate()``: the
storefront's ``/accounts/login/``, the Oscar dashboard's login, Wagtail's ``/cms/login/`` and
Django's ``/django-admin/login/``. Hooking the authentication layer rather than each view
means a login form added later is covered without anyone remembering to.

* ``LoginThrottleBackend`` (first in ``AUTHENTICATION_BACKENDS``) counts every attempt before
  any password is checked, in one atomic step with the comparison against the limit
  (``core.throttle.login_attempt_claim``), and refuses an attempt over the limit, so even the
  right password is useless while locked and passwords sent together cannot all be tried;
  it marks the request so the answer can say why.
* ``receivers.py`` forgets the attempts on ``user_logged_in`` (a wrong password keeps its
  count, already made).
* ``LoginThrottleMiddleware`` turns a refused login page into a 429 with a clear message and
  ``Retry-After``, instead of the form's "wrong password", which would be a lie.

The counters are ``core.throttle``'s, the same as the member card PIN lookup's. The campus
SSO callback checks no password (the portal does), so there is nothing to guess there.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core.throttle import THROTTLED_REQUEST_ATTRIBUTE, client_ip, login_attempt_claim


class LoginThrottleBackend:
    """Counts every login attempt and refuses those of a locked username + IP; never logs
    anyone in."""

    def authenticate(self, request, username=None, **credentials):
        username = username or credentials.get("email")
        if request is None or not username:
            return None
        if not login_attempt_claim(username=username, ip=client_ip(request)):
            setattr(request, THROTTLED_REQUEST_ATTRIBUTE, True)
            # PermissionDenied stops authenticate() from asking the other backends.
            raise PermissionDenied
        return None

    # No get_user(): this backend never logs anyone in, and without it Django's
    # Client.force_login() and session loading keep using the backends that do.


class LoginThrottleMiddleware:
    """Answers a login refused by the throttle with 429 and the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, THROTTLED_REQUEST_ATTRIBUTE, False):
            return response
        minutes = max(1, settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60)
        throttled = render(
            request,
            "customer/login_throttled.html",
            {"minutes": minutes, "login_url": request.path},
            status=429,
        )
        throttled["Retry-After"] = str(settings.LOGIN_THROTTLE_WINDOW_SECONDS)
        return throttled
