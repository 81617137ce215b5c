"""Cache keys of the served lists.

A served list is cached under a key of its own together with the *generation* it was built
in. A nightly recompute or a marketing rule change bumps the generation, which makes every
cached list stale at once without scanning keys; the read fetches the generation and the
list in one ``get_many`` (a single MGET on Redis), so a warm read is one cache round trip.
"""

from __future__ import annotations

import time

from django.core.cache import cache

GENERATION_KEY = "recommendations:generation"
# Stock changes do not bump the generation; a short lifetime bounds how long a sold-out
# product can stay in a cached candidate list (it is filtered out at render time anyway).
LIST_TIMEOUT_SECONDS = 15 * 60


def list_cache_key(*, kind: str, owner_id: int | str) -> str:
    return f"recommendations:list:{kind}:{owner_id}"


def recommendations_cache_bump() -> int:
    generation = time.time_ns()
    cache.set(GENERATION_KEY, generation, timeout=None)
    return generation


def recommendations_cache_forget(*, kind: str, owner_id: int | str) -> None:
    cache.delete(list_cache_key(kind=kind, owner_id=owner_id))


def cached_list_get(*, key: str) -> tuple[int, list[int] | None]:
    """Return (current generation, the cached ids if they belong to it, else None)."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # The cache was flushed or never used: start a generation so entries can be kept.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        return cache.get(GENERATION_KEY), None
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return generation, entry[1]
    return generation, None


def cached_list_set(*, key: str, generation: int, product_ids: list[int]) -> None:
    cache.set(key, (generation, product_ids), timeout=LIST_TIMEOUT_SECONDS)
