"""The fast read path: every item file of a project, parsed once, cached by stat key."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reqctl.errors import FileFormatError, ReqctlError
from reqctl.model.ids import Kind, is_item_file_name
from reqctl.store import frontmatter
from reqctl.store.cache import ParseCache, StatKey, stat_key


@dataclass(frozen=True, slots=True)
class ItemFile:
    """One item file as read from disk; ``error`` is set when it could not be parsed."""

    kind: Kind
    path: str  # relative to the project root, POSIX separators
    stem: str  # file name without ``.md``: the ID it should hold
    data: dict[str, Any] | None
    body: str
    key_lines: dict[str, int]
    error: FileFormatError | None = None
    # git's blob sha of the bytes parsed (None when unknown): lets history reuse this parse
    blob: str | None = field(default=None, compare=False)

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


def item_path(root: Path, kind: Kind, item_id: str) -> Path:
    return root / kind.folder / f"{item_id}.md"


def blob_sha(raw: bytes) -> str:
    """The sha git gives a blob with these bytes (``git hash-object`` without filters)."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def parse_bytes(kind: Kind, rel: str, raw: bytes, *, blob: str | None = None) -> ItemFile:
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    try:
        parsed = frontmatter.parse(raw, rel)
    except FileFormatError as exc:
        return ItemFile(kind, rel, stem, None, "", {}, exc, blob)
    return ItemFile(kind, rel, stem, parsed.data, parsed.body, parsed.key_lines, None, blob)


def _to_cache(item: ItemFile) -> tuple[Any, ...]:
    if item.error is not None:
        return ("error", item.error.message, item.error.line, item.blob)
    return ("ok", item.data, item.body, item.key_lines, item.blob)


def _from_cache(kind: Kind, rel: str, entry: tuple[Any, ...]) -> ItemFile:
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    if entry[0] == "error":
        error = FileFormatError(entry[1], path=rel, line=entry[2])
        return ItemFile(kind, rel, stem, None, "", {}, error, entry[3] if len(entry) > 3 else None)
    return ItemFile(kind, rel, stem, entry[1], entry[2], entry[3], None, entry[4] if len(entry) > 4 else None)


def read_file(root: Path, kind: Kind, path: Path) -> ItemFile:
    rel = path.relative_to(root).as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReqctlError(f"cannot read file: {exc.strerror}", path=rel) from None
    return parse_bytes(kind, rel, raw, blob=blob_sha(raw))


@dataclass(frozen=True, slots=True)
class FileEntry:
    kind: Kind
    rel: str
    path: str
    key: StatKey


def scan(root: Path) -> list[FileEntry]:
    """Every ``*.md`` file in the kind folders with its stat key, sorted by path."""
    found: list[FileEntry] = []
    for kind in Kind:
        try:
            entries = sorted(os.scandir(root / kind.folder), key=lambda entry: entry.name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ReqctlError(f"cannot read folder: {exc.strerror}", path=kind.folder) from None
        for entry in entries:
            if is_item_file_name(entry.name) and entry.is_file():
                rel = f"{kind.folder}/{entry.name}"
                found.append(FileEntry(kind, rel, entry.path, stat_key(entry.stat())))
    return found


_PARALLEL_MIN_FILES = 2000


def _read_and_parse(entry: FileEntry) -> ItemFile:
    try:
        with open(entry.path, "rb") as handle:  # noqa: PTH123 - hot path, no Path objects
            raw = handle.read()
    except OSError as exc:
        stem = entry.rel.rsplit("/", 1)[-1][:-3]
        error = FileFormatError(f"cannot read file: {exc.strerror}", path=entry.rel)
        return ItemFile(entry.kind, entry.rel, stem, None, "", {}, error)
    return parse_bytes(entry.kind, entry.rel, raw, blob=blob_sha(raw))


def _parse_chunk(entries: list[FileEntry]) -> list[tuple[Any, ...]]:
    return [_to_cache(_read_and_parse(entry)) for entry in entries]


def _parse_many(entries: list[FileEntry]) -> list[ItemFile]:
    """Parse files, on every core when there are many (YAML construction is CPU-bound)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(entries) < _PARALLEL_MIN_FILES or workers < 2:
        return [_read_and_parse(entry) for entry in entries]
    import multiprocessing

    size = -(-len(entries) // workers)
    chunks = [entries[i : i + size] for i in range(0, len(entries), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_parse_chunk, chunks)
    except OSError:
        return [_read_and_parse(entry) for entry in entries]
    return [
        _from_cache(entry.kind, entry.rel, parsed)
        for chunk, chunk_results in zip(chunks, results, strict=True)
        for entry, parsed in zip(chunk, chunk_results, strict=True)
    ]


def read_all(root: Path, *, use_cache: bool = True, entries: list[FileEntry] | None = None) -> list[ItemFile]:
    """Parse every item file, reusing cached parses of files whose stat key is unchanged."""
    cache = ParseCache(root, enabled=use_cache)
    entries = scan(root) if entries is None else entries
    by_rel: dict[str, ItemFile] = {}
    missing: list[FileEntry] = []
    for entry in entries:
        cached = cache.get(entry.rel, entry.key)
        if cached is None:
            missing.append(entry)
        else:
            by_rel[entry.rel] = _from_cache(entry.kind, entry.rel, cached)
    for entry, item in zip(missing, _parse_many(missing), strict=True):
        by_rel[entry.rel] = item
        cache.put(entry.rel, entry.key, _to_cache(item))
    cache.retain(set(by_rel))
    cache.save()
    return [by_rel[entry.rel] for entry in entries]
