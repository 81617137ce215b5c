"""Values read once per request.

Some cached values are asked for by many parts of one page (the catalogue version by the
member price, every recommendation row and every thumbnail): each ask would be a round trip
to Redis. ``RequestMemoMiddleware`` opens a memo for the request; ``request_memo_read`` loads
a value once into it and serves the rest of the request from it. Outside a request (tasks,
commands, shell) there is no memo and every read loads afresh. The next request starts an
empty memo, so a change made elsewhere is seen there.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[str, object] | None] = ContextVar("request_memo", default=None)


def request_memo_read(*, key: str, load: Callable[[], T]) -> T:
    """``load()`` once per request under ``key``; without an open request, every time."""
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]  # type: ignore[return-value]


def request_memo_forget(*, key: str) -> None:
    """Drop ``key`` from the current request's memo: a write in this request changed it."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


class RequestMemoMiddleware:
    """Opens an empty memo for each request and closes it with the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
