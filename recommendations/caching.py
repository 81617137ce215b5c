"""Cache keys of the served lists.

A served list is cached under a key of its own together with the *generation* it was built
in. A nightly recompute or a marketing rule change bumps the generation, which makes every
cached list stale at once without scanning keys; the read fetches the generation and the
list in one ``get_many`` (a single MGET on Redis), so a warm read is one cache round trip.
"""

from __future__ import annotations

import hashlib
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


# A rendered row is cached for at most this long. Every change a shopper could see is a save
# that starts a new catalogue version (``shop.apps.catalogue.receivers``); the lifetime only
# bounds what a bulk UPDATE (no signal) can leave behind.
ROW_TIMEOUT_SECONDS = 5 * 60


def row_cache_key(
    *,
    placement: str,
    candidate_ids: list[int],
    limit: int,
    pricing: str,
    language: str,
    catalogue_version: int,
    day: str,
    variant: str = "",
) -> str:
    """Everything a row's HTML depends on, apart from the per-request slots left in it.

    ``variant`` is the rest of what the row prints (its title, the reasons under its cards),
    hashed with the ids.
    ``pricing`` is the viewer's member discount ("none" for a visitor), so no member ever
    gets a row priced for another; ``day`` because a pre-order closes on its release date
    without any row changing.
    """
    content = ",".join(map(str, candidate_ids)) + "|" + variant
    ids = hashlib.sha1(content.encode(), usedforsecurity=False)
    return (
        f"recommendations:row:{placement}:{limit}:{pricing}:{language}:{day}:"
        f"{catalogue_version}:{ids.hexdigest()}"
    )
