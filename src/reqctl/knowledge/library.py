"""The case library: lessons of earlier projects, imported into ``knowledge/`` or listed under ``knowledge:``.

Imported exports are kept as files, one per source project
(``knowledge/<project>.json``), not as this project's lessons: they are read
only, are not items (no IDs of this project, no rules, no approvals), and a
second import of the same project replaces its file instead of adding
duplicates.  ``knowledge:`` in reqctl.yaml names further exports already in
the repository (a vendored folder, a submodule).  Both are read without ever
leaving the project: no absolute path, no ``..``, no symbolic link on the way.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.errors import ConfigError, FileFormatError, UsageError
from reqctl.knowledge.exportfile import MAX_BYTES, LessonExport, dumps, parse
from reqctl.messages import lazy, os_reason
from reqctl.model.config import CONFIG_FILE
from reqctl.model.project import Project
from reqctl.store.atomic import write_atomic

FOLDER = "knowledge"


@dataclass(frozen=True)
class Imported:
    source: str  # the file as the user named it
    project: str  # the project it was exported from
    path: str  # where it is kept, relative to the project root
    lessons: int
    state: str  # 'added', 'updated' or 'unchanged'


def file_name(project_name: str, *, hashed: bool = False) -> str:
    """``knowledge/<slug>.json``: readable for ASCII names, a stable hash keeps other names apart."""
    slug = re.sub(r"[^a-z0-9]+", "-", project_name.lower()).strip("-")[:48]
    if project_name.isascii() and slug and not hashed:
        return f"{slug}.json"
    digest = hashlib.sha256(project_name.encode("utf-8")).hexdigest()[:10]
    return f"{slug + '-' if slug else 'project-'}{digest}.json"


def _read_file(root: Path, rel: str) -> bytes:
    """The bytes of ``root/rel``; ``FileFormatError`` (naming ``rel``) for a symbolic link anywhere on the way."""
    current = root
    for part in Path(rel).parts:
        current = current / part
        if current.is_symlink():
            link = current.relative_to(root).as_posix()
            raise FileFormatError(lazy("{link} is a symbolic link; reqctl does not follow links out of files",
                                       link=link), path=rel)
    try:
        fd = os.open(root / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise FileFormatError(lazy("cannot read file: {reason}", reason=os_reason(exc)), path=rel) from None


def _read_named(path: Path, shown: str) -> LessonExport:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise UsageError(lazy("is a folder, not a lessons export"), path=shown) from None
    except OSError as exc:
        raise UsageError(lazy("cannot read file: {reason}", reason=os_reason(exc)), path=shown) from None
    return parse(raw, shown)


def import_exports(project: Project, files: list[Path], shown: list[str]) -> list[Imported]:
    """Validate every file first, then write each into ``knowledge/``; on any error nothing is written."""
    root = project.root
    exports = [_read_named(path, name) for path, name in zip(files, shown, strict=True)]
    by_project: dict[str, str] = {}
    for export, name in zip(exports, shown, strict=True):
        if export.project == project.config.name:
            raise UsageError(lazy("is an export of this project ({project}); its lessons are already here",
                                  project=export.project), path=name)
        if export.project in by_project:
            raise UsageError(lazy("{first} and {second} are both exports of '{project}'; import one of them",
                                  first=by_project[export.project], second=name, project=export.project))
        by_project[export.project] = name
    folder = root / FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UsageError(lazy("{folder} is not a folder (a symbolic link or a file); reqctl writes imports there",
                              folder=FOLDER))
    planned: list[tuple[Path, bytes, Imported]] = []
    for export, name in zip(exports, shown, strict=True):
        rel = f"{FOLDER}/{file_name(export.project)}"
        if _holds_other_project(root, rel, export.project):  # 'Acme Portal' and 'acme portal' stay apart
            rel = f"{FOLDER}/{file_name(export.project, hashed=True)}"
        target = root / rel
        if target.is_symlink():
            raise UsageError(lazy("{file} is a symbolic link; remove it first", file=rel))
        text = dumps(export).encode("utf-8")
        old = target.read_bytes() if target.is_file() else None
        state = "added" if old is None else ("unchanged" if old == text else "updated")
        planned.append((target, text, Imported(name, export.project, rel, len(export.lessons), state)))
    folder.mkdir(exist_ok=True)
    for target, text, result in planned:
        if result.state != "unchanged":
            write_atomic(target, text)
    return [result for _target, _text, result in planned]


def _holds_other_project(root: Path, rel: str, project: str) -> bool:
    if not (root / rel).is_file() or (root / rel).is_symlink():
        return False
    try:
        return parse(_read_file(root, rel), rel).project != project
    except FileFormatError:
        return False  # a damaged file of the same name is replaced


@dataclass(frozen=True)
class Source:
    path: str
    export: LessonExport


def sources(project: Project) -> list[Source]:
    """Every export the project reads: ``knowledge/*.json`` then the ``knowledge:`` list (newest per project)."""
    root = project.root
    found: list[Source] = []
    folder = root / FOLDER
    if folder.is_dir() and not folder.is_symlink():
        for path in sorted(folder.glob("*.json")):
            rel = path.relative_to(root).as_posix()
            found.append(Source(rel, parse(_read_file(root, rel), rel)))
    for rel in project.config.knowledge:
        try:
            found.append(Source(rel, parse(_read_file(root, rel), rel)))
        except FileFormatError as exc:
            raise ConfigError(lazy("knowledge: {file}: {problem}", file=exc.location(), problem=exc.message),
                              path=CONFIG_FILE) from None
    newest: dict[str, Source] = {}
    for source in found:
        kept = newest.get(source.export.project)
        if kept is None or source.export.exported > kept.export.exported:
            newest[source.export.project] = source
    return sorted(newest.values(), key=lambda s: (s.export.exported, s.export.project))


def library(project: Project) -> dict[str, Any]:
    """The report context: sources, and their lessons grouped by category (uncategorised last)."""
    found = sources(project)
    groups: dict[str, list[dict[str, Any]]] = {}
    for source in found:
        for lesson in source.export.lessons:
            row = lesson.model_dump(mode="json")
            row.update(project=source.export.project, customer=source.export.customer, source=source.path)
            groups.setdefault(lesson.category or "", []).append(row)
    categories: list[dict[str, Any]] = [
        {"category": name or None, "lessons": sorted(rows, key=lambda r: (r["project"], r["date"] or ""))}
        for name, rows in sorted(groups.items(), key=lambda g: (g[0] == "", g[0].lower()))
    ]
    return {
        "sources": [{"project": s.export.project, "customer": s.export.customer,
                     "exported": s.export.exported.isoformat(), "path": s.path,
                     "lessons": len(s.export.lessons)} for s in found],
        "categories": categories,
        "total": sum(len(rows) for rows in groups.values()),
    }

