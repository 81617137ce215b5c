"""sorl-thumbnail's key-value store, with what a process has read kept for a catalogue version.

sorl's ``cached_db`` store asks the cache (Redis) for every thumbnail a page shows, a round
trip per image, although an entry never changes once written: its key holds the source file's
name and storage and the thumbnail's geometry and options, so a new picture (a new file name)
is a new key. What can end an entry is a delete: a product image replaced or removed (sorl and
Oscar delete its thumbnails) or ``manage.py thumbnail clear``. So each process keeps the
entries it has read while the catalogue version stays the same: a product image saved or
deleted starts a new version (``shop.apps.catalogue.receivers``), which every process sees on
its next request (the version is read once per request) and then reads its entries afresh.
Entries also age out after ``THUMBNAIL_MEMO_SECONDS``, which bounds how long a
``thumbnail clear`` (no catalogue change) can be served from memory.
"""

from __future__ import annotations

import time

from sorl.thumbnail.kvstores import cached_db_kvstore

from shop.apps.catalogue.selectors import catalogue_version

THUMBNAIL_MEMO_SECONDS = 300
# A bound on memory: about a hundred bytes each, for the thumbnails of a few thousand products.
THUMBNAIL_MEMO_MAX_ENTRIES = 20_000


class KVStore(cached_db_kvstore.KVStore):
    _entries: dict[str, str] = {}
    _entries_version: int | None = None
    _entries_since: float = 0.0

    @classmethod
    def _entries_for(cls, version: int) -> dict[str, str]:
        now = time.monotonic()
        if (
            version != cls._entries_version
            or now - cls._entries_since > THUMBNAIL_MEMO_SECONDS
            or len(cls._entries) >= THUMBNAIL_MEMO_MAX_ENTRIES
        ):
            cls._entries, cls._entries_version, cls._entries_since = {}, version, now
        return cls._entries

    def _get_raw(self, key):
        # Only the image entries a page reads; the list of a source's thumbnails, read to
        # delete them, always comes from the cache.
        if "||image||" not in key:
            return super()._get_raw(key)
        version = catalogue_version()
        if version is None:
            return super()._get_raw(key)
        entries = self._entries_for(version)
        value = entries.get(key)
        if value is None:
            value = super()._get_raw(key)
            if value is not None:
                entries[key] = value
        return value

    def _set_raw(self, key, value):
        super()._set_raw(key, value)
        if "||image||" in key:
            self._entries[key] = value

    def _delete_raw(self, *keys):
        super()._delete_raw(*keys)
        for key in keys:
            self._entries.pop(key, None)
