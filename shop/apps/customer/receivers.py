"""Login throttle counters (see login_throttle.py): forget the attempts on success.

A wrong password needs no receiver: the throttle backend counted the attempt before any
password was checked.
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from core.throttle import client_ip, login_failures_clear


@receiver(user_logged_in, dispatch_uid="customer.login_throttle_success")
def login_failures_forget(sender, request, user, **kwargs):
    if request is None:
        return
    # The form may have taken the username or the email address (Oscar's EmailBackend).
    login_failures_clear(usernames=[user.get_username(), user.email], ip=client_ip(request))
