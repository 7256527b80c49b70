"""The fast read path: every item file of a project, parsed once, cached by stat key.

Nothing here follows a symbolic link: an item file or kind folder that is a
symlink is reported as an unreadable file (never read), so a checkout cannot
make reqctl read outside the project.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reqctl.errors import FileFormatError, ReqctlError
from reqctl.messages import decode, encode, lazy, os_reason
from reqctl.model.ids import Kind, is_item_file_name
from reqctl.store import frontmatter
from reqctl.store.cache import Cache, StatKey, stat_key


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


def _to_cache(item: ItemFile) -> list[Any]:
    if item.error is not None:
        return ["error", encode(item.error.message), item.error.line, item.blob]  # a lazy message keeps its template
    return ["ok", item.data, item.body, item.key_lines, item.blob]


def _from_cache(kind: Kind, rel: str, entry: list[Any] | tuple[Any, ...]) -> ItemFile:
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    if entry[0] == "error":
        error = FileFormatError(decode(entry[1]), path=rel, line=entry[2])
        return ItemFile(kind, rel, stem, None, "", {}, error, entry[3] if len(entry) > 3 else None)
    return ItemFile(kind, rel, stem, entry[1], entry[2], entry[3], None, entry[4] if len(entry) > 4 else None)


SYMLINK_MESSAGE = lazy("is a symbolic link; item files and folders must be regular (links are never followed)")


def read_no_follow(path: Path | str) -> bytes:
    """A file's bytes, refusing a symbolic link in its last component (``OSError`` ELOOP)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def read_file(root: Path, kind: Kind, path: Path) -> ItemFile:
    rel = path.relative_to(root).as_posix()
    stem = path.name.removesuffix(".md")
    if path.is_symlink() or (root / kind.folder).is_symlink():
        return ItemFile(kind, rel, stem, None, "", {}, FileFormatError(SYMLINK_MESSAGE, path=rel))
    try:
        raw = read_no_follow(path)
    except OSError as exc:
        raise ReqctlError(lazy("cannot read file: {reason}", reason=os_reason(exc)), path=rel) from None
    return parse_bytes(kind, rel, raw, blob=blob_sha(raw))


@dataclass(frozen=True, slots=True)
class FileEntry:
    kind: Kind
    rel: str
    path: str
    key: StatKey
    symlink: bool = False  # never read: reported as unreadable


def scan(root: Path) -> list[FileEntry]:
    """Every ``*.md`` file in the kind folders with its stat key, sorted by path.

    A kind folder that is a symlink is one refused entry; symlinked files are
    refused entries (their stat key is the link's own, never the target's).
    """
    found: list[FileEntry] = []
    for kind in Kind:
        folder = root / kind.folder
        if folder.is_symlink():
            found.append(FileEntry(kind, kind.folder, str(folder), (0, 0, 0, 0), symlink=True))
            continue
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise ReqctlError(lazy("cannot read folder: {reason}", reason=os_reason(exc)), path=kind.folder) from None
        for entry in entries:
            if not is_item_file_name(entry.name):
                continue
            rel = f"{kind.folder}/{entry.name}"
            if entry.is_symlink():
                key = stat_key(entry.stat(follow_symlinks=False))
                found.append(FileEntry(kind, rel, entry.path, key, symlink=True))
            elif entry.is_file(follow_symlinks=False):
                found.append(FileEntry(kind, rel, entry.path, stat_key(entry.stat(follow_symlinks=False))))
    return found


_PARALLEL_MIN_FILES = 2000


def _read_and_parse(entry: FileEntry) -> ItemFile:
    stem = entry.rel.rsplit("/", 1)[-1].removesuffix(".md")
    if entry.symlink:
        return ItemFile(entry.kind, entry.rel, stem, None, "", {}, FileFormatError(SYMLINK_MESSAGE, path=entry.rel))
    try:
        raw = read_no_follow(entry.path)
    except OSError as exc:
        error = FileFormatError(lazy("cannot read file: {reason}", reason=os_reason(exc)), path=entry.rel)
        return ItemFile(entry.kind, entry.rel, stem, None, "", {}, error)
    return parse_bytes(entry.kind, entry.rel, raw, blob=blob_sha(raw))


def _encoded(item: ItemFile, entry: FileEntry) -> str | None:
    """The cache row text of a parse (None when it cannot be cached exactly, or is a refused link)."""
    from reqctl.store import codec

    if entry.symlink:
        return None
    try:
        return codec.dumps(_to_cache(item))
    except (TypeError, ValueError):
        return None


def _parse_chunk(entries: list[FileEntry], encode: bool) -> list[tuple[str | None, list[Any] | None]]:
    """Worker side: each parse as its encoded cache row (one string is cheap to send back), or,
    when it cannot be encoded or is not wanted, as the plain list."""
    results: list[tuple[str | None, list[Any] | None]] = []
    for entry in entries:
        item = _read_and_parse(entry)
        text = _encoded(item, entry) if encode else None
        results.append((text, None if text is not None else _to_cache(item)))
    return results


def _parse_many(entries: list[FileEntry], *, encode: bool = False) -> list[tuple[ItemFile, str | None]]:
    """Parse files (and encode their cache rows), on every core when there are many.

    YAML construction and encoding are CPU-bound; the workers send back the
    encoded row (decoding it here costs less than sending the parse as well),
    so the parent process only decodes and assembles.
    """
    workers = min(os.cpu_count() or 1, 4)
    if len(entries) < _PARALLEL_MIN_FILES or workers < 2:
        return _parse_serially(entries, encode)
    import functools
    import multiprocessing

    from reqctl.store import codec

    size = -(-len(entries) // workers)
    chunks = [entries[i : i + size] for i in range(0, len(entries), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(functools.partial(_parse_chunk, encode=encode), chunks)
    except OSError:
        return _parse_serially(entries, encode)
    parsed: list[tuple[ItemFile, str | None]] = []
    for chunk, chunk_results in zip(chunks, results, strict=True):
        for entry, (text, plain) in zip(chunk, chunk_results, strict=True):
            value: Any = codec.loads(text) if text is not None else plain
            parsed.append((_from_cache(entry.kind, entry.rel, value), text))
    return parsed


def _parse_serially(entries: list[FileEntry], encode: bool) -> list[tuple[ItemFile, str | None]]:
    parsed = [(entry, _read_and_parse(entry)) for entry in entries]
    return [(item, _encoded(item, entry) if encode else None) for entry, item in parsed]


def read_all(
    root: Path, *, cache: Cache | None = None, entries: list[FileEntry] | None = None, subset: bool = False
) -> list[ItemFile]:
    """Parse every item file, reusing cached parses of files whose stat key is unchanged.

    Only the rows of files that changed are written back (and, unless
    ``subset`` says ``entries`` are only some of the files, rows of files that
    are gone are dropped), so one edited file costs one parse.
    """
    entries = scan(root) if entries is None else entries
    cache = cache if cache is not None and cache.enabled else None
    # a few files: one query each; all of them: every row at once
    rows_now = cache.parses() if cache is not None and not subset else {}

    def cached(entry: FileEntry) -> ItemFile | None:
        if cache is None or entry.symlink:
            return None
        if subset:
            hit = cache.parse_of(entry.rel, entry.key)
            return _from_row(entry, hit) if hit is not None else None
        row = rows_now.get(entry.rel)
        return _decode(entry, row[1]) if row is not None and row[0] == entry.key else None

    by_rel: dict[str, ItemFile] = {}
    missing: list[FileEntry] = []
    for entry in entries:
        item = cached(entry)
        if item is None:
            missing.append(entry)
        else:
            by_rel[entry.rel] = item
    rows = []
    for entry, (item, text) in zip(missing, _parse_many(missing, encode=cache is not None), strict=True):
        by_rel[entry.rel] = item
        if text is not None:
            rows.append((entry.rel, entry.key, text))
    gone = rows_now.keys() - by_rel.keys()
    if cache is not None and (missing or gone):
        cache.store_parses(rows, keep=set(by_rel) if gone else None)
    return [by_rel[entry.rel] for entry in entries]


def _from_row(entry: FileEntry, value: Any) -> ItemFile | None:
    try:
        return _from_cache(entry.kind, entry.rel, value)
    except (ValueError, TypeError, IndexError, KeyError):
        return None


def _decode(entry: FileEntry, text: str) -> ItemFile | None:
    from reqctl.store import codec

    try:
        value = codec.loads(text)
    except (ValueError, TypeError):
        return None  # a damaged row is a miss
    return _from_row(entry, value)
