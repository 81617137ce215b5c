"""Login throttle counters (see login_throttle.py): count failures, forget them on success."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from shop.apps.customer.login_throttle import login_failure_record, login_failures_clear
from shop.throttle import client_ip


@receiver(user_login_failed, dispatch_uid="customer.login_throttle_failure")
def login_failure_count(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or credentials.get("email")
    if request is None or not username:
        return
    login_failure_record(username=username, ip=client_ip(request))


@receiver(user_logged_in, dispatch_uid="customer.login_throttle_success")
def login_failures_forget(sender, request, user, **kwargs):
    if request is None:
        return
    # The form may have taken the username or the email address (Oscar's EmailBackend).
    login_failures_clear(usernames=[user.get_username(), user.email], ip=client_ip(request))
