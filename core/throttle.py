"""The store's one throttle: failure counters in the cache, shared by every web worker.

Two callers use it: the member card's PIN lookup and PIN reset (``loyalty.services``) and every
password login form (the storefront's ``/accounts/login/``, the Oscar dashboard's login,
Wagtail's ``/cms/login/`` and Django's ``/django-admin/login/``), whose counters, one per
username + IP, are the ``login_*`` functions below; the authentication backend and middleware
that call them are ``shop.apps.customer.login_throttle``'s, and the card sign-in backend
(``loyalty.backends``) counts wrong PINs on the same keys. A counter per key counts failures
in a window; at ``limit`` the key is locked until the window has passed since the last failure.

Guesses can arrive together (many tabs, many threads of one script): callers that check a
secret claim the attempt first (``throttle_attempt_claim``: look at every key and count, in one atomic
step) so that exactly ``limit`` of them are checked, however many arrive at once.
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
import logging
import threading
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache, caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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
    before any of them is counted. Here the look at every key and the count on every key are
    one atomic step (a Lua script in Redis, a lock around the process's own memory cache), so
    of any number of simultaneous guesses exactly as many as the keys allow are checked: one
    is refused only when a key already holds ``limit`` attempts, never because of a count
    another refused guess was about to take back. Returns the highest count, this attempt
    included. The caller keeps the count of a wrong secret and gives a right one back with
    ``throttle_attempt_release``. Every attempt, refused ones too, starts the window again, so
    a guesser who keeps trying stays locked out.
    """
    keys = list(keys)
    if not keys:
        return 0
    redis = _redis_client()
    if redis is not None:
        raw_keys = [cache.make_and_validate_key(key) for key in keys]
        try:
            highest = redis.eval(_CLAIM_SCRIPT, len(raw_keys), *raw_keys, limit, window_seconds)
        except RedisError:
            # A cache outage must not lock everybody out of the store; it counts nothing.
            logger.warning("Throttle counters unreachable: attempt not counted", exc_info=True)
            return 0
        return None if highest < 0 else int(highest)
    with _LOCAL_CLAIM_LOCK:
        counts = [cache.get(key) or 0 for key in keys]
        if max(counts) >= limit:
            for key in keys:
                cache.touch(key, window_seconds)
            return None
        return max(_count_add(key=key, delta=1, window_seconds=window_seconds) for key in keys)


# KEYS: the counters; ARGV: limit, window. Returns -1 (refused) or the highest new count.
_CLAIM_SCRIPT = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local refused = false
for _, key in ipairs(KEYS) do
    if tonumber(redis.call('GET', key) or '0') >= limit then refused = true end
end
if refused then
    for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, window) end
    return -1
end
local highest = 0
for _, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    redis.call('EXPIRE', key, window)
    if count > highest then highest = count end
end
return highest
"""

# The embedded profile's cache lives in one process's memory: a lock in that process makes
# the look-then-count of ``throttle_attempt_claim`` atomic for every thread that shares it.
_LOCAL_CLAIM_LOCK = threading.Lock()


def _redis_client():
    """The raw Redis connection behind the default cache, or None when it is not Redis."""
    if not isinstance(caches["default"], RedisCache):
        return None
    return get_redis_connection("default")


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
