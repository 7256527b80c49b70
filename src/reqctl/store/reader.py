"""The fast read path: every item file of a project, parsed once, cached by stat key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.errors import FileFormatError, ReqctlError
from reqctl.model.ids import Kind
from reqctl.store import frontmatter
from reqctl.store.cache import ParseCache, stat_key


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

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


def item_path(root: Path, kind: Kind, item_id: str) -> Path:
    return root / kind.folder / f"{item_id}.md"


def parse_bytes(kind: Kind, rel: str, raw: bytes) -> ItemFile:
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    try:
        parsed = frontmatter.parse(raw, rel)
    except FileFormatError as exc:
        return ItemFile(kind, rel, stem, None, "", {}, exc)
    return ItemFile(kind, rel, stem, parsed.data, parsed.body, parsed.key_lines)


def _to_cache(item: ItemFile) -> tuple[Any, ...]:
    if item.error is not None:
        return ("error", item.error.message, item.error.line)
    return ("ok", item.data, item.body, item.key_lines)


def _from_cache(kind: Kind, rel: str, entry: tuple[Any, ...]) -> ItemFile:
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    if entry[0] == "error":
        return ItemFile(kind, rel, stem, None, "", {}, FileFormatError(entry[1], path=rel, line=entry[2]))
    return ItemFile(kind, rel, stem, entry[1], entry[2], entry[3])


def read_file(root: Path, kind: Kind, path: Path) -> ItemFile:
    rel = path.relative_to(root).as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReqctlError(f"cannot read file: {exc.strerror}", path=rel) from None
    return parse_bytes(kind, rel, raw)


def read_all(root: Path, *, use_cache: bool = True) -> list[ItemFile]:
    """Every ``*.md`` item file in the kind folders, sorted by path."""
    cache = ParseCache(root, enabled=use_cache)
    items: list[ItemFile] = []
    seen: set[str] = set()
    for kind in Kind:
        folder = root / kind.folder
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ReqctlError(f"cannot read folder: {exc.strerror}", path=kind.folder) from None
        for entry in entries:
            if not entry.name.endswith(".md") or entry.name.startswith("."):
                continue
            if not entry.is_file():
                continue
            rel = f"{kind.folder}/{entry.name}"
            seen.add(rel)
            key = stat_key(entry.stat())
            cached = cache.get(rel, key)
            if cached is not None:
                items.append(_from_cache(kind, rel, cached))
                continue
            try:
                raw = Path(entry.path).read_bytes()
            except OSError as exc:
                item = ItemFile(
                    kind, rel, entry.name[:-3], None, "", {},
                    FileFormatError(f"cannot read file: {exc.strerror}", path=rel),
                )
            else:
                item = parse_bytes(kind, rel, raw)
            items.append(item)
            cache.put(rel, key, _to_cache(item))
    cache.retain(seen)
    cache.save()
    return items
