"""Semantic difference between two states of a project: items added, removed and changed.

Items are matched by file path (``requirements/REQ-012.md``), which is the ID.
Field values are compared after validation (so ``depends_on: REQ-1`` and
``depends_on: [REQ-1]`` are equal); a file that does not validate is compared
on its raw front matter.  The body is compared as text and shown as a unified
diff.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reqctl.model.fingerprint import fingerprint, normalize_body
from reqctl.model.items import Item
from reqctl.model.project import Project, validate_item
from reqctl.store.reader import ItemFile

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class ItemChange:
    """How one item differs; ``fields`` lists changed front-matter fields (body excluded)."""

    id: str
    kind: str
    path: str
    change: ChangeKind
    title: str
    fields: tuple[FieldChange, ...] = ()
    body_diff: str = ""
    normative: bool = False  # the fingerprinted content differs (always true for added/removed)

    @property
    def body_changed(self) -> bool:
        return bool(self.body_diff)

    def field(self, name: str) -> FieldChange | None:
        return next((f for f in self.fields if f.field == name), None)

    @property
    def changed_fields(self) -> tuple[str, ...]:
        names = tuple(f.field for f in self.fields)
        return (*names, "body") if self.body_diff else names

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "change": self.change,
            "title": self.title,
            "normative": self.normative,
            "fields": [f.to_json() for f in self.fields],
            "body_diff": self.body_diff,
        }


@dataclass(frozen=True, slots=True)
class ProjectDiff:
    items: tuple[ItemChange, ...]
    old_rev: str | None = None
    new_rev: str | None = None  # None: the working tree

    @property
    def added(self) -> tuple[ItemChange, ...]:
        return tuple(i for i in self.items if i.change == "added")

    @property
    def removed(self) -> tuple[ItemChange, ...]:
        return tuple(i for i in self.items if i.change == "removed")

    @property
    def changed(self) -> tuple[ItemChange, ...]:
        return tuple(i for i in self.items if i.change == "changed")

    def get(self, item_id: str) -> ItemChange | None:
        return next((i for i in self.items if i.id == item_id), None)

    def __bool__(self) -> bool:
        return bool(self.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old_rev,
            "new": self.new_rev,
            "summary": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
            "items": [i.to_json() for i in self.items],
        }


@dataclass(frozen=True, slots=True)
class _Side:
    """One version of one file: its field values, body, identity and fingerprint."""

    id: str
    kind: str
    title: str
    values: Mapping[str, Any]
    body: str
    fingerprint: str | None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def side_of(item_file: ItemFile, model: Item | None = None) -> _Side:
    if model is None and item_file.data is not None:
        model, _problems = validate_item(item_file)
    if model is not None:
        values = model.model_dump(mode="json", by_alias=True, exclude={"body"})
        return _Side(
            model.id, model.kind.value, model.title, values, model.body, fingerprint(model)
        )
    data = _jsonable(item_file.data or {})
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    item_id = data.get("id") if isinstance(data.get("id"), str) else item_file.stem
    return _Side(item_id, item_file.kind.value, title, data, item_file.body, None)


def body_diff(old: str, new: str, path: str = "body") -> str:
    """A unified diff of two bodies; empty when they differ only in invisible whitespace."""
    if normalize_body(old) == normalize_body(new):
        return ""
    lines = difflib.unified_diff(
        normalize_body(old).splitlines(),
        normalize_body(new).splitlines(),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        lineterm="",
        n=2,
    )
    return "\n".join(lines)


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    order = list(old) + [key for key in new if key not in old]
    changes = []
    for key in order:
        if key == "body":
            continue
        before, after = old.get(key), new.get(key)
        if before != after and not (_empty(before) and _empty(after)):
            changes.append(FieldChange(key, before, after))
    return tuple(changes)


def _empty(value: Any) -> bool:
    return value is None or value in ([], {})


def compare_files(path: str, old: _Side | None, new: _Side | None) -> ItemChange | None:
    if old is None and new is None:
        return None
    if old is None:
        assert new is not None
        return ItemChange(
            new.id,
            new.kind,
            path,
            "added",
            new.title,
            _fields({}, new.values),
            body_diff("", new.body, path),
            True,
        )
    if new is None:
        return ItemChange(
            old.id,
            old.kind,
            path,
            "removed",
            old.title,
            _fields(old.values, {}),
            body_diff(old.body, "", path),
            True,
        )
    fields = _fields(old.values, new.values)
    diff = body_diff(old.body, new.body, path)
    if not fields and not diff:
        return None
    normative = old.fingerprint != new.fingerprint or old.fingerprint is None
    return ItemChange(new.id, new.kind, path, "changed", new.title, fields, diff, normative)


def _path_order(path: str) -> tuple[str, str, int, str]:
    folder, _, name = path.partition("/")
    prefix, _, number = name.removesuffix(".md").rpartition("-")
    return (folder, prefix, int(number) if number.isdigit() else -1, name)


def diff_files(
    old: Mapping[str, ItemFile],
    new: Mapping[str, ItemFile],
    *,
    old_rev: str | None = None,
    new_rev: str | None = None,
    old_models: Mapping[str, Item] | None = None,
    new_models: Mapping[str, Item] | None = None,
) -> ProjectDiff:
    """Compare two sets of item files keyed by path (pass only the paths that may differ).

    ``old_models``/``new_models`` (by path, as ``Project.models``) spare validating
    the files again; files without a model there are validated as usual.
    """
    changes = []
    for path in sorted(set(old) | set(new), key=_path_order):
        before, after = old.get(path), new.get(path)
        if (
            before is not None
            and after is not None
            and (before is after or (before.data == after.data and before.body == after.body))
        ):
            continue
        change = compare_files(
            path,
            side_of(before, old_models.get(path) if old_models else None) if before else None,
            side_of(after, new_models.get(path) if new_models else None) if after else None,
        )
        if change is not None:
            changes.append(change)
    return ProjectDiff(tuple(changes), old_rev, new_rev)


def diff_projects(
    old: Project, new: Project, *, old_rev: str | None = None, new_rev: str | None = None
) -> ProjectDiff:
    """Every item added, removed or changed from ``old`` to ``new``."""
    return diff_files(
        {f.path: f for f in old.files},
        {f.path: f for f in new.files},
        old_rev=old_rev,
        new_rev=new_rev,
        old_models=old.models,
        new_models=new.models,
    )
