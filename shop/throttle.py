"""The store's one throttle: failure counters in the cache, shared by every web worker.

Two callers use it: the member card's PIN lookup and PIN reset (``loyalty.services``) and every
password login form (``shop.apps.customer.login_throttle``: the storefront's
``/accounts/login/``, the Oscar dashboard's login, Wagtail's ``/cms/login/`` and Django's
``/django-admin/login/``). A counter per key counts failures in a window; at ``limit`` the key
is locked until the window has passed since the last failure.

Why our own and not django-axes: the card PIN lookup already had this counter, and it is not
a Django login (no ``authenticate()``), so axes could never cover it; taking axes for the login
forms would have left two ways to throttle with two sets of settings, tables and reset
commands. The counters live in the cache (Redis in production) rather than in database tables,
so a flood of guesses costs no writes, and an expired window needs no clean-up job.
"""

from collections.abc import Sequence

from django.core.cache import cache


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def throttle_is_locked(*, keys: Sequence[str], limit: int) -> bool:
    """True when any of the keys has reached ``limit`` failures within its window."""
    return any((cache.get(key) or 0) >= limit for key in keys)


def throttle_failure_record(*, keys: Sequence[str], limit: int, window_seconds: int) -> int:
    """Count one failure on every key; returns the highest count among them.

    The window starts at a key's first failure; once a key is locked, each further failure
    starts the window again, so a guesser who keeps trying stays locked out.
    """
    highest = 0
    for key in keys:
        cache.add(key, 0, window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds)
            count = 1
        if count >= limit:
            cache.set(key, count, window_seconds)
        highest = max(highest, count)
    return highest


def throttle_clear(*, keys: Sequence[str]) -> None:
    """Forget the failures (a successful login, a PIN reset by email)."""
    cache.delete_many(list(keys))
