"""Parsed item files keyed on git blob sha, kept in the project's cache database.

A blob sha names exact bytes, so an entry can never be stale: the cache is
safe to delete, a damaged entry is a miss, and failing to write it is not an
error.  Values are the data-only lists of ``store.reader._to_cache`` (front
matter, body and key lines, or the parse error), without the path: the same
bytes at another path parse the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reqctl.model.ids import Kind
from reqctl.store.cache import Cache
from reqctl.store.reader import ItemFile, _from_cache, _to_cache


class BlobCache:
    def __init__(self, root: Path, *, enabled: bool = True, cache: Cache | None = None) -> None:
        self._cache = cache if cache is not None else Cache(root, enabled=enabled)
        self._entries: dict[str, list[Any]] = {}
        self._new: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def prefetch(self, shas: list[str]) -> None:
        """Load the cached parses of these blobs in one query."""
        wanted = [sha for sha in shas if sha not in self._entries]
        for sha, entry in self._cache.blobs(wanted).items():
            if _well_formed(entry):
                self._entries[sha] = entry

    def get(self, sha: str, kind: Kind, rel: str) -> ItemFile | None:
        entry = self._entries.get(sha)
        if entry is None:
            return None
        return _from_cache(kind, rel, [*entry, sha])

    def put(self, sha: str, item: ItemFile) -> None:
        entry = _to_cache(item)[:-1]  # the blob sha is the key
        self._entries[sha] = entry
        self._new[sha] = entry

    def save(self) -> None:
        if self._new:
            self._cache.store_blobs(self._new.items())
            self._new = {}


def _well_formed(entry: Any) -> bool:
    if not isinstance(entry, list) or not entry:
        return False
    if entry[0] == "ok":
        return (len(entry) == 4 and isinstance(entry[1], dict) and isinstance(entry[2], str)
                and isinstance(entry[3], dict))
    if entry[0] == "error":
        return len(entry) == 3 and isinstance(entry[1], str) and (entry[2] is None or isinstance(entry[2], int))
    return False
