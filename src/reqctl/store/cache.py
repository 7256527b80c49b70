"""reqctl's caches: one SQLite file in the project's state folder (see ``statedir``).

Three tables, all data-only (``codec`` JSON, never pickle):

- ``parses``: each item file's parse, keyed by path and stat key (size, mtime,
  ctime, inode), so a file whose stat key changed is parsed again and one
  edited file costs one row, not a rewrite of the whole cache;
- ``blobs``: parses of git blobs by sha (history walks), which never go stale;
- ``values``: small named values such as the last ``check`` result.

Everything is safe to delete.  A cache that cannot be opened, read or written
is treated as empty: reqctl is then slower, never wrong and never failing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reqctl import __version__
from reqctl.store import codec
from reqctl.store.statedir import ensure_state_dir

CACHE_FILE = "cache.sqlite"
_SCHEMA = 3  # 3: parse problems and findings cached as plain English text before they were catalog messages

StatKey = tuple[int, int, int, int]


def stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


_TABLES = (
    "CREATE TABLE IF NOT EXISTS parses (rel TEXT PRIMARY KEY, size INT, mtime INT, ctime INT, ino INT, value TEXT)",
    "CREATE TABLE IF NOT EXISTS blobs (sha TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS vals (name TEXT PRIMARY KEY, value TEXT)",
)


class Cache:
    """The cache database of one project; every method swallows storage errors."""

    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self._db: sqlite3.Connection | None = None
        if enabled:
            folder = ensure_state_dir(root)
            if folder is not None:
                self._db = _open(folder / CACHE_FILE)

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    @contextlib.contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection | None]:
        with contextlib.suppress(sqlite3.Error, ValueError, TypeError, KeyError):
            yield self._db

    # ---------------------------------------------------------- parses ----

    def parses(self) -> dict[str, tuple[StatKey, str]]:
        """Every cached parse: path -> (stat key, encoded value); decode with ``codec.loads``."""
        found: dict[str, tuple[StatKey, str]] = {}
        with self._guard() as db:
            if db is not None:
                for rel, size, mtime, ctime, ino, value in db.execute("SELECT * FROM parses"):
                    found[rel] = ((size, mtime, ctime, ino), value)
        return found

    def parse_keys(self) -> dict[str, StatKey]:
        """The stat key of every cached parse (no parse is decoded)."""
        found: dict[str, StatKey] = {}
        with self._guard() as db:
            if db is not None:
                for rel, size, mtime, ctime, ino in db.execute("SELECT rel, size, mtime, ctime, ino FROM parses"):
                    found[rel] = (size, mtime, ctime, ino)
        return found

    def parses_containing(self, text: str) -> set[str]:
        """Paths whose cached parse holds ``text`` anywhere (searched inside SQLite, nothing decoded)."""
        with self._guard() as db:
            if db is not None:
                return {rel for (rel,) in db.execute("SELECT rel FROM parses WHERE instr(value, ?) > 0", (text,))}
        return set()

    def parse_of(self, rel: str, key: StatKey) -> Any:
        with self._guard() as db:
            if db is not None:
                row = db.execute(
                    "SELECT value FROM parses WHERE rel=? AND size=? AND mtime=? AND ctime=? AND ino=?", (rel, *key)
                ).fetchone()
                if row is not None:
                    return codec.loads(row[0])
        return None

    def store_parses(self, rows: Iterable[tuple[str, StatKey, str]], *, keep: set[str] | None = None) -> None:
        """Save parses already encoded with ``codec.dumps``; drop rows whose path is not in ``keep``."""
        encoded = [(rel, *key, text) for rel, key, text in rows]
        with self._guard() as db:
            if db is None:
                return
            with db:
                if encoded:
                    db.executemany("INSERT OR REPLACE INTO parses VALUES (?,?,?,?,?,?)", encoded)
                if keep is not None:
                    stale = [(rel,) for (rel,) in db.execute("SELECT rel FROM parses") if rel not in keep]
                    db.executemany("DELETE FROM parses WHERE rel=?", stale)

    # ----------------------------------------------------------- blobs ----

    def blobs(self, shas: Iterable[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        wanted = list(shas)
        with self._guard() as db:
            if db is not None:
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for sha, value in db.execute(f"SELECT sha, value FROM blobs WHERE sha IN ({marks})", chunk):
                        with contextlib.suppress(ValueError, TypeError):
                            found[sha] = codec.loads(value)
        return found

    def store_blobs(self, rows: Iterable[tuple[str, Any]]) -> None:
        encoded = []
        for sha, value in rows:
            with contextlib.suppress(TypeError, ValueError):
                encoded.append((sha, codec.dumps(value)))
        with self._guard() as db:
            if db is not None and encoded:
                with db:
                    db.executemany("INSERT OR REPLACE INTO blobs VALUES (?,?)", encoded)

    # ---------------------------------------------------------- values ----

    def value(self, name: str) -> Any:
        with self._guard() as db:
            if db is not None:
                row = db.execute("SELECT value FROM vals WHERE name=?", (name,)).fetchone()
                if row is not None:
                    return codec.loads(row[0])
        return None

    def store_value(self, name: str, value: Any) -> None:
        """Save a value reqctl built itself (plain JSON types: no exactness check needed)."""
        with contextlib.suppress(TypeError, ValueError):
            text = codec.dumps(value, exact=False)
            with self._guard() as db:
                if db is not None:
                    with db:
                        db.execute("INSERT OR REPLACE INTO vals VALUES (?,?)", (name, text))


def _open(path: Path) -> sqlite3.Connection | None:
    """The database at ``path``, created or reset when it belongs to another version."""
    try:
        db = sqlite3.connect(path, timeout=5, isolation_level="DEFERRED")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        stamp = _stamp()
        if version != stamp:
            with db:
                for table in ("parses", "blobs", "vals"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _TABLES:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={stamp}")
        return db
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            path.unlink()  # a damaged file: start afresh next time
        return None


def _stamp() -> int:
    """A number naming the cache layout and reqctl version (entries of other versions are dropped)."""
    import zlib

    return zlib.crc32(f"{_SCHEMA}:{__version__}".encode()) & 0x7FFFFFFF
