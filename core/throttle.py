"""The store's one throttle: failure counters in the cache, shared by every web worker.

Two callers use it: the member card's PIN lookup and PIN reset (``loyalty.services``) and every
password login form (the storefront's ``/accounts/login/``, the Oscar dashboard's login,
Wagtail's ``/cms/login/`` and Django's ``/django-admin/login/``), whose counters, one per
username + IP, are the ``login_*`` functions below; the authentication backend and middleware
that call them are ``shop.apps.customer.login_throttle``'s, and the card sign-in backend
(``loyalty.backends``) counts wrong PINs on the same keys. A counter per key counts failures
in a window; at ``limit`` the key is locked until the window has passed since the last failure.

Guesses can arrive together (many tabs, many threads of one script): callers that check a
secret claim the attempt first (``throttle_attempt_claim``: count, then compare, in one atomic
step per key) so that at most ``limit`` of them are ever checked, however many arrive at once.
``throttle_is_locked`` + ``throttle_failure_record`` (look, then count afterwards) suit only
counting things that are not guesses.

Why our own and not django-axes: the card PIN lookup already had this counter, and it is not
a Django login (no ``authenticate()``), so axes could never cover it; taking axes for the login
forms would have left two ways to throttle with two sets of settings, tables and reset
commands. The counters live in the cache (Redis in production) rather than in database tables,
so a flood of guesses costs no writes, and an expired window needs no clean-up job.
"""

import hashlib
import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The address of the client that sent ``request``: every counter keyed by IP reads it here.

    With ``TRUSTED_PROXY_COUNT`` = 0 (no proxy: ``make run``, ``make prod``) it is the socket's
    ``REMOTE_ADDR``, and X-Forwarded-For is ignored, since any client can write that header.
    Behind N trusted proxies ``REMOTE_ADDR`` is the last proxy, the same for everyone, and each
    proxy appends the address it was connected from to X-Forwarded-For, so the client is the
    N-th entry from the right; entries to the left of it are whatever the client sent and are
    never read. A request with fewer entries than proxies did not come through all of them
    (a direct hit on the app server): its ``REMOTE_ADDR`` is used.

    Why not django-ipware: its ``proxy_count`` counts the proxies listed inside the header (the
    last proxy, in ``REMOTE_ADDR``, is not), and unconfigured it believes a dozen client-written
    headers and prefers a public address to the campus network's private ones, each a way to
    read the wrong entry; what a proxy in front of us guarantees fits in these lines.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies or not forwarded[-proxies]:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:  # not what a proxy writes: the proxy is misconfigured
        return remote


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
        count = _count_add(key=key, delta=1, window_seconds=window_seconds)
        if count >= limit:
            cache.set(key, count, window_seconds)
        highest = max(highest, count)
    return highest


def _count_add(*, key: str, delta: int, window_seconds: int) -> int:
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add and incr
        cache.set(key, max(delta, 0), window_seconds)
        return max(delta, 0)


def throttle_attempt_claim(*, keys: Sequence[str], limit: int, window_seconds: int) -> int | None:
    """Count an attempt on every key *before* its secret is checked; None when it is refused.

    Checking first and counting after the check lets guesses sent together all pass the check
    before any of them is counted. Here each key's counter is raised in one atomic step
    (``INCR`` in Redis), and only an attempt whose number is within ``limit`` on every key may
    go on to be checked: of any number of simultaneous guesses, at most ``limit`` are. A
    refused attempt takes its counts back (it checked nothing). Returns the highest count,
    this attempt included. The caller keeps the count of a wrong secret and gives a right one
    back with ``throttle_attempt_release``. Every attempt starts the window again, so a
    guesser who keeps trying stays locked out.
    """
    counts = [_count_add(key=key, delta=1, window_seconds=window_seconds) for key in keys]
    for key in keys:
        cache.touch(key, window_seconds)
    if max(counts, default=0) > limit:
        throttle_attempt_release(keys=keys)
        return None
    return max(counts, default=0)


def throttle_attempt_release(*, keys: Sequence[str]) -> None:
    """Take back the count of a claimed attempt that turned out right (it was no failure)."""
    for key in keys:
        try:
            if cache.decr(key) < 0:
                cache.delete(key)
        except ValueError:  # the window ran out meanwhile: nothing left to take back
            pass


def throttle_clear(*, keys: Sequence[str]) -> None:
    """Forget the failures (a successful login, a PIN reset by email)."""
    cache.delete_many(list(keys))


# --------------------------------------------------------------------------- login forms

# Set on a request whose login the throttle refused, so the answer can say why (a 429, not the
# form's "wrong password", which would be a lie).
THROTTLED_REQUEST_ATTRIBUTE = "login_throttled"


def _login_keys(*, username: str, ip: str) -> list[str]:
    # Hashed: a username is user input of any length and characters, not a safe cache key.
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-failures:{digest}:{ip}"]


def login_attempt_claim(*, username: str, ip: str) -> bool:
    """Count this login attempt; False when the username + IP is over the limit (refused)."""
    return (
        throttle_attempt_claim(
            keys=_login_keys(username=username, ip=ip),
            limit=settings.LOGIN_THROTTLE_MAX_FAILURES,
            window_seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS,
        )
        is not None
    )


def login_failures_clear(*, usernames: list[str], ip: str) -> None:
    throttle_clear(
        keys=[key for name in usernames if name for key in _login_keys(username=name, ip=ip)]
    )
