"""The import plan every importer builds, and the one place that applies it.

An importer (Doorstop, StrictDoc, ReqIF, a spreadsheet) only *reads* its
source and returns an ``ImportPlan``: the items it found (``PlannedItem``:
title, body, fields, links to other planned items by their ``source`` key)
and a report of what it mapped, kept as custom fields, or could not map.
``apply_plan`` then does everything shared, so each format behaves the same:

- **idempotent**: an item whose ``source:`` already exists in the project is
  the same item; it is updated (only the fields that differ) or left alone,
  never duplicated;
- **IDs**: new ones after the highest ever used, or with ``keep_ids`` the
  source's own ID when it fits the configured prefix (``REQ001`` → ``REQ-001``);
- **links**: a planned item names its targets by ``source`` key; they become
  reqctl IDs in ``plan.link_field`` (``depends_on`` by default); a target
  that was not imported is reported, never written as a dangling ID;
- **all or nothing**: every file is rendered and validated before the first
  write, all writes happen under the project lock (the same lock ``add``
  takes), and a failure midway puts every file back: edited files are
  restored, new ones (written by ``newfiles``: never over an existing file,
  one sync at the end) removed;
- **re-import removes what the source removed**, in the fields the importer
  owns (``ImportPlan.owned_fields``: title, source, the link field and what
  the importer declares, e.g. ``x-doorstop`` and ``tags``); ``status``,
  approvals and fields set in reqctl are never touched;
- **commits nothing**: the user reviews ``git diff`` and commits.

``dry_run`` computes the same outcome and writes nothing.

A new format needs only a reader and a command::

    plan = ImportPlan(tool="csv")
    plan.items.append(PlannedItem(source="csv:reqs.csv#7", title="...", fields={"priority": "must"},
                                  match_id="REQ-004"))   # match_id: rows that carry a reqctl ID
    plan.report.keep("Column X", "x-csv.Column X")
    outcome = apply_plan(start, plan, dry_run=dry_run, keep_ids=keep_ids)
    # CLI: add the command to reqctl.cli.importing.group, print with print_outcome(plan, outcome)

Updates compare each top-level field with the file (a dict such as ``x-csv``
is one field) and write only the ones that differ, through ruamel's
round-trip editor, so a one-cell change is a one-line diff.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reqctl.errors import UsageError
from reqctl.importing.newfiles import create_then_edit, render_new
from reqctl.messages import lazy
from reqctl.model.ids import ID_RE, Kind, format_id, split_id
from reqctl.model.project import validate_item
from reqctl.ops.allocate import next_id
from reqctl.ops.items import FIELD_ORDER
from reqctl.ops.writeguard import project_write, refuse_conflict_markers, restored_on_failure
from reqctl.store import roundtrip
from reqctl.store.reader import ItemFile, parse_bytes
from reqctl.store.store import Store

# Fields an import never overwrites on an existing item: they belong to the reqctl workflow.
_WORKFLOW_FIELDS = frozenset({"id", "status", "approval", "approvals"})
CUSTOM_PREFIX = "x-"


@dataclass
class PlannedItem:
    """One item an importer found; ``links`` name other items by their ``source`` key."""

    source: str  # where it came from, unique per plan: "doorstop:REQ001", "reqif:<IDENTIFIER>"
    title: str
    body: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # more front matter: tags, "x-doorstop": {...}
    links: list[str] = field(default_factory=list)
    original_id: str | None = None  # the source tool's ID, used by keep_ids
    kind: Kind = Kind.REQUIREMENT
    # An existing reqctl ID this item is (a sheet exported by reqctl carries it): matched before
    # ``source``; the item keeps its own ``source:`` then, unless this one is non-empty.
    match_id: str | None = None


@dataclass
class ImportReport:
    """What an import did with its input: nothing is dropped without a line here."""

    mapped: dict[str, str] = field(default_factory=dict)  # source attribute -> reqctl field
    custom: dict[str, str] = field(default_factory=dict)  # source attribute -> custom field kept
    unmapped: list[str] = field(default_factory=list)  # what could not be mapped, one line each
    notes: list[str] = field(default_factory=list)  # states reported, e.g. "REQ003: not reviewed"

    def map(self, attribute: str, target: str) -> None:
        self.mapped.setdefault(attribute, target)

    def keep(self, attribute: str, target: str) -> None:
        self.custom.setdefault(attribute, target)


@dataclass
class ImportPlan:
    tool: str  # "doorstop", "strictdoc", "reqif", "csv"...
    items: list[PlannedItem] = field(default_factory=list)
    report: ImportReport = field(default_factory=ImportReport)
    link_field: str = "depends_on"
    # The front-matter fields this importer writes besides title, body, source and the link field
    # (e.g. {"tags", "x-doorstop"}): on re-import, one the source no longer gives is removed.
    owned: frozenset[str] = frozenset()

    def owned_fields(self) -> frozenset[str]:
        """Every field the source owns: what it stopped giving goes on re-import; the rest is reqctl's."""
        return (self.owned | {"title", "source", self.link_field}) - _WORKFLOW_FIELDS


@dataclass
class Outcome:
    """What ``apply_plan`` did (or, in a dry run, would do)."""

    created: list[tuple[str, PlannedItem]] = field(default_factory=list)
    updated: list[tuple[str, PlannedItem, list[str]]] = field(default_factory=list)  # with changed fields
    unchanged: list[tuple[str, PlannedItem]] = field(default_factory=list)
    unresolved_links: list[str] = field(default_factory=list)
    dry_run: bool = False


def kept_id(original: str | None, prefix: str) -> str | None:
    """The reqctl ID a source ID becomes with ``--keep-ids``, or None when it does not fit the prefix.

    ``REQ-001`` stays; ``REQ001``, ``REQ_001`` and ``REQ.001`` become ``REQ-001``.
    """
    if not original:
        return None
    candidate = original.strip().upper()
    if ID_RE.match(candidate):
        return candidate if candidate.startswith(prefix + "-") else None
    if not candidate.startswith(prefix):
        return None
    rest = candidate[len(prefix):].lstrip("-_.")
    if not rest.isdigit() or len(rest) > 9:
        return None
    return format_id(prefix, int(rest), len(rest))


def _readable(value: Any) -> Any:
    """Multi-line text as a YAML ``|`` block (not one quoted line full of ``\\n``) where that is lossless."""
    if isinstance(value, dict):
        return {key: _readable(sub) for key, sub in value.items()}
    if isinstance(value, list):
        return [_readable(sub) for sub in value]
    if (
        isinstance(value, str) and "\n" in value.strip("\n") and not value.startswith((" ", "\n"))
        and not any(char in value for char in "\t\r\x85\u2028\u2029")
        and all(line == line.rstrip() for line in value.split("\n"))
    ):
        from ruamel.yaml.scalarstring import LiteralScalarString

        return LiteralScalarString(value)
    return value


def _front_matter(item: PlannedItem, item_id: str, links: list[str], link_field: str) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item_id, "title": item.title}
    data.update({key: value for key, value in item.fields.items() if value not in (None, [], {}, "")})
    if item.source and not item.source.startswith("id:"):
        data["source"] = item.source
    if links:
        data[link_field] = links
    return _ordered(item.kind, data)


def _validated(kind: Kind, rel: str, text: str, source: str) -> None:
    item_file = parse_bytes(kind, rel, text.encode("utf-8"))
    if item_file.error is not None:
        raise UsageError(lazy("{source}: {problem}", source=source, problem=item_file.error.message))
    _problems(item_file, source)


def _new_validated(kind: Kind, rel: str, data: dict[str, Any], body: str, source: str) -> None:
    """A new file's data, validated as written: ``newfiles.render_new`` writes what reads back as ``data``
    (its property tests), so the ~0.7 ms YAML parse per file is not repeated here."""
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    _problems(ItemFile(kind, rel, stem, data, body, {}), source)


def _problems(item_file: ItemFile, source: str) -> None:
    _model, problems = validate_item(item_file)
    if problems:
        raise UsageError(lazy("{source}: {field}: {problem}", source=source, field=problems[0].field,
                              problem=problems[0].message))


def apply_plan(start: Path, plan: ImportPlan, *, dry_run: bool = False, keep_ids: bool = False) -> Outcome:
    """Create or update the planned items under the project lock; commits nothing."""
    seen: set[str] = set()
    for item in plan.items:
        if not item.source and item.match_id:
            item.source = f"id:{item.match_id}"  # the key of an item matched by ID only
        if not item.source:
            raise UsageError(lazy("{title}: neither a source nor an ID to match", title=item.title))
        if item.source in seen:
            raise UsageError(lazy("{source}: appears twice in the input", source=item.source))
        seen.add(item.source)
    with project_write(start, commits=False) as root:
        store = Store.open(root)
        project = store.project()
        config = project.config
        existing: dict[str, tuple[str, Any]] = {}  # source -> (id, ItemFile)
        for item_file in project.files:
            data = item_file.data or {}
            if isinstance(data.get("source"), str) and isinstance(data.get("id"), str):
                existing.setdefault(data["source"], (data["id"], item_file))
        taken = set(project.files_by_id)
        by_id = {str(f.data["id"]): f for f in project.files if f.data and isinstance(f.data.get("id"), str)}
        ids: dict[str, str] = {}
        for item in plan.items:
            if item.match_id and item.match_id in by_id:
                existing[item.source] = (item.match_id, by_id[item.match_id])
            if item.source in existing:
                ids[item.source] = existing[item.source][0]
        if keep_ids:  # kept IDs first, so a new ID never takes one a later item keeps
            not_kept = 0
            for item in plan.items:
                if item.source in ids:
                    continue
                wanted = kept_id(item.original_id, config.prefix(item.kind))
                if wanted is not None and wanted not in taken:
                    ids[item.source] = wanted
                    taken.add(wanted)
                else:
                    not_kept += 1
            if not_kept:
                plan.report.notes.append(
                    lazy("--keep-ids: {n} IDs do not fit the prefix or are taken; new IDs", n=not_kept)
                )
        counters: dict[Kind, list[Any]] = {}
        for item in plan.items:
            if item.source in ids:
                continue
            if item.kind not in counters:
                first = next_id(root, config, item.kind)
                parts = split_id(first)
                assert parts is not None
                counters[item.kind] = [parts[0], parts[1], len(first) - len(parts[0]) - 1]
            prefix, number, digits = counters[item.kind]
            candidate = format_id(prefix, number, digits)
            while candidate in taken:
                number += 1
                candidate = format_id(prefix, number, digits)
            counters[item.kind][1] = number + 1
            ids[item.source] = candidate
            taken.add(candidate)

        outcome = Outcome(dry_run=dry_run)
        writes: list[tuple[Path, str, Callable[[], str] | None, dict[str, Any], str | None, list[str]]] = []
        owned = plan.owned_fields()
        for item in plan.items:
            links: list[str] = []
            for target in item.links:
                if target in ids:
                    links.append(ids[target])
                elif target in existing:
                    links.append(existing[target][0])
                else:
                    outcome.unresolved_links.append(
                        lazy("{source} -> {target}: not imported, link left out", source=item.source, target=target)
                    )
            links = list(dict.fromkeys(links))
            item_id = ids[item.source]
            wanted_data = _front_matter(item, item_id, links, plan.link_field)
            body = item.body.strip("\n")
            if item.source in existing:
                _id, item_file = existing[item.source]
                current = item_file.data or {}
                updates = {
                    key: _readable(value) for key, value in wanted_data.items()
                    if key not in _WORKFLOW_FIELDS and current.get(key) != value
                }
                # A field the importer owns that the source no longer gives (its last link, a custom
                # attribute) goes; an item matched by its reqctl ID keeps the source it has.
                removed = [
                    key for key in current
                    if key in owned and key not in wanted_data and not (key == "source" and item.match_id)
                ]
                body_changed = item_file.body.strip("\n") != body
                changed = [*updates, *removed, *(["body"] if body_changed else [])]
                if not changed:
                    outcome.unchanged.append((item_id, item))
                    continue
                outcome.updated.append((item_id, item, changed))
                merged = {key: value for key, value in {**current, **updates}.items() if key not in removed}
                text = roundtrip.render_new(merged, body)  # validated as the whole new file
                _validated(item.kind, item_file.path, text, item.source)
                writes.append((root / item_file.path, item_file.path, None, updates, body if body_changed else None,
                               removed))
            else:
                outcome.created.append((item_id, item))
                data = {"status": "draft", **wanted_data} if item.kind is Kind.REQUIREMENT else wanted_data
                data = _ordered(item.kind, data)
                rel = f"{item.kind.folder}/{item_id}.md"  # item_path's, without three Path operations per file
                path = root / rel
                _new_validated(item.kind, rel, data, body, item.source)
                # rendered by create_then_edit with the fast writer the sheets use, while files are written
                writes.append((path, rel, functools.partial(render_new, data, body), {}, None, []))
        if dry_run or not writes:
            return outcome
        edited = [rel for _path, rel, render, *_rest in writes if render is None]
        refuse_conflict_markers(root, edited)
        new_files = [(path, render) for path, _rel, render, *_rest in writes if render is not None]
        edits = [
            functools.partial(roundtrip.edit_front_matter, path, rel, updates, remove=removed_keys,
                              body=None if new_body is None else _body_text(new_body))
            for path, rel, render, updates, new_body, removed_keys in writes if render is None
        ]
        # restored_on_failure saves the edited files; the new ones are removed by create_then_edit
        # (saving them first would try to read 10,000 files that do not exist yet).
        with restored_on_failure(root, edited):
            create_then_edit(new_files, edits)
        return outcome


def _ordered(kind: Kind, data: Mapping[str, Any]) -> dict[str, Any]:
    order = FIELD_ORDER[kind]
    ordered = {key: data[key] for key in order if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    return ordered


def _body_text(body: str) -> str:
    return f"{body}\n" if body else ""
