"""A persistent cache of parsed item files keyed on git blob sha, under ``.reqctl/``.

A blob sha names exact bytes, so an entry can never be stale: the cache is
safe to delete, a corrupt or foreign file is ignored, and failing to write it
is not an error.  Values are the compact tuples of ``store.reader._to_cache``
(front matter, body and key lines, or the parse error), without the path:
the same bytes at another path parse the same way.

Only blobs parsed from git objects go in.  Files reused from the working tree
(see ``HistoryReader``) are already cached by ``store.cache.ParseCache``, so
the file holds just the older versions history walks need and stays small.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from reqctl.model.ids import Kind
from reqctl.store.cache import load_keyed, save_keyed
from reqctl.store.reader import ItemFile, _from_cache, _to_cache

CACHE_FILE = "blob-cache.pickle"
_KEY = "blobs-1"
# Above this many entries a save keeps only what this process used.
MAX_ENTRIES = 60_000


class BlobCache:
    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self._root = root
        self._enabled = enabled
        self._entries: dict[str, tuple[Any, ...]] = {}
        self._used: set[str] = set()
        self._dirty = False
        if enabled:
            loaded = load_keyed(root, CACHE_FILE, _KEY)
            if isinstance(loaded, dict):
                self._entries = loaded

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, sha: str, kind: Kind, rel: str) -> ItemFile | None:
        entry = self._entries.get(sha)
        if entry is None:
            return None
        if not _well_formed(entry):  # a damaged entry is a miss, never an error
            del self._entries[sha]
            return None
        item = _from_cache(kind, rel, (*entry, sha))
        self._used.add(sha)
        return item

    def put(self, sha: str, item: ItemFile) -> None:
        self._entries[sha] = _to_cache(item)[:-1]  # the blob sha is the key
        self._used.add(sha)
        self._dirty = True

    def save(self) -> None:
        if not (self._enabled and self._dirty):
            return
        if len(self._entries) > MAX_ENTRIES:
            self._entries = {sha: e for sha, e in self._entries.items() if sha in self._used}
        with contextlib.suppress(Exception):  # a cache that cannot be written is just slower
            save_keyed(self._root, CACHE_FILE, _KEY, self._entries)
        self._dirty = False


def _well_formed(entry: Any) -> bool:
    if not isinstance(entry, tuple) or not entry:
        return False
    if entry[0] == "ok":
        return (len(entry) == 4 and isinstance(entry[1], dict) and isinstance(entry[2], str)
                and isinstance(entry[3], dict))
    if entry[0] == "error":
        return len(entry) == 3 and isinstance(entry[1], str) and (entry[2] is None or isinstance(entry[2], int))
    return False
