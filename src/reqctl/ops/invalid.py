"""Item files a command had to skip because they are unreadable or invalid.

Lists, documents and the published site show only valid items; without this
they would drop a broken file silently and a reader would take the document
for complete.  Built from what the loaded ``Project`` already holds (parse
errors in ``files``, validation problems in ``problems``), so the loaders stay
as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reqctl.errors import FileFormatError
from reqctl.messages import joined, lazy
from reqctl.model.ids import Kind, split_id
from reqctl.model.project import Project


@dataclass(frozen=True, slots=True)
class InvalidFile:
    """One skipped item file and the first thing wrong with it."""

    kind: Kind
    path: str
    line: int | None
    problem: str
    item_id: str  # the ID the file claims, or its file name when it claims none

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_context(self) -> dict[str, Any]:
        """The row documents show: ``path``, ``line``, ``location``, ``problem``."""
        return {"path": self.path, "line": self.line, "location": self.location(), "problem": self.problem,
                "kind": self.kind.value, "id": self.item_id}

    def error(self) -> FileFormatError:
        """What ``show`` of this item reports instead of 'no such item'."""
        return FileFormatError(lazy("{problem}; run 'reqctl check'", problem=self.problem), path=self.path,
                               line=self.line)


def invalid_files(project: Project, kinds: Iterable[Kind] | None = None) -> list[InvalidFile]:
    """Every item file of these kinds (default: all) that did not become an item, in path order."""
    wanted = set(kinds) if kinds is not None else set(Kind)
    found: list[InvalidFile] = []
    for item_file in project.files:
        if item_file.kind not in wanted:
            continue
        if item_file.error is not None:
            found.append(InvalidFile(item_file.kind, item_file.path, item_file.error.line,
                                     item_file.error.message, item_file.stem))
            continue
        problems = project.problems.get(item_file.path)
        if not problems or item_file.path in project.models:
            continue
        claimed = (item_file.data or {}).get("id")
        item_id = claimed if isinstance(claimed, str) else item_file.stem
        text = joined([lazy("{field}: {message}", field=p.field, message=p.message) for p in problems])
        line = next((p.line for p in problems if p.line), None)
        found.append(InvalidFile(item_file.kind, item_file.path, line, text, item_id))
    return sorted(found, key=lambda f: f.path)


def invalid_file_for(project: Project, raw_id: str, kind: Kind | None = None) -> InvalidFile | None:
    """The invalid file that holds the item ``raw_id`` names (``REQ-7`` finds ``REQ-007.md``), if any."""
    wanted = split_id(raw_id.strip().upper())
    if wanted is None:
        return None
    for candidate in invalid_files(project, [kind] if kind is not None else None):
        if wanted in (split_id(candidate.item_id), split_id(candidate.path.rsplit("/", 1)[-1].removesuffix(".md"))):
            return candidate
    return None
