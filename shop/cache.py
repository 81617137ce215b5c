"""Forgetting a cached read of the database at the right moments."""

from django.core.cache import cache
from django.db import transaction


def cache_forget(*, key: str) -> None:
    """Delete ``key`` now, and again after the current transaction commits.

    The first delete serves the rest of this request. The second covers a reader that, between
    the change and the commit, still saw the old rows and cached them again: without it the old
    value would outlive the change until its timeout. Outside a transaction ``on_commit`` runs at
    once, which is harmless.
    """
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
