"""A parse cache under ``.reqctl/`` keyed on each file's size, mtime, ctime and inode.

Safe to delete at any time; a file whose stat key changed is parsed again, so
the cache never serves stale content.  Failing to write it is not an error.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path
from typing import Any

from reqctl import __version__

CACHE_DIR = ".reqctl"
_CACHE_FILE = "parse-cache.pickle"
_FORMAT = 2  # 2: parse entries carry the blob sha

StatKey = tuple[int, int, int, int]


def stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


class ParseCache:
    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self._root = root
        self._enabled = enabled
        self._entries: dict[str, tuple[StatKey, Any]] = {}
        self._dirty = False
        if enabled:
            self._entries = self._load()

    def _load(self) -> dict[str, tuple[StatKey, Any]]:
        entries = load_keyed(self._root, _CACHE_FILE, "")
        return entries if isinstance(entries, dict) else {}

    def get(self, rel: str, key: StatKey) -> Any:
        entry = self._entries.get(rel)
        if entry is not None and entry[0] == key:
            return entry[1]
        return None

    def put(self, rel: str, key: StatKey, value: Any) -> None:
        self._entries[rel] = (key, value)
        self._dirty = True

    def retain(self, rels: set[str]) -> None:
        stale = [rel for rel in self._entries if rel not in rels]
        for rel in stale:
            del self._entries[rel]
        self._dirty = self._dirty or bool(stale)

    def save(self) -> None:
        if self._enabled and self._dirty:
            save_keyed(self._root, _CACHE_FILE, "", self._entries)

def load_keyed(root: Path, name: str, key: str) -> Any:
    """A value saved with ``save_keyed`` under the same key, else None."""
    try:
        with (root / CACHE_DIR / name).open("rb") as handle:
            header, saved_key, value = pickle.load(handle)
    except Exception:
        return None
    if header != (_FORMAT, __version__) or saved_key != key:
        return None
    return value


def save_keyed(root: Path, name: str, key: str, value: Any) -> None:
    folder = root / CACHE_DIR
    with contextlib.suppress(OSError):
        folder.mkdir(exist_ok=True)
        gitignore = folder / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", encoding="utf-8")
        tmp = folder / f"{name}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            pickle.dump(((_FORMAT, __version__), key, value), handle, protocol=5)
        tmp.replace(folder / name)
