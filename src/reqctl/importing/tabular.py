"""``reqctl import csv|xlsx``: spreadsheet rows become items, or update the items they name.

The header row names the fields (``--map "Req ID=id"`` for other names; a
column no field takes is kept under ``x-import:``).  A row whose ``id`` is an
item of the project updates that item, touching only the fields whose cell
changed (through ``store/roundtrip.py``, so comments and key order stay and a
one-cell change is a one-line diff); a row whose ID came from elsewhere is
matched by ``source: sheet:<ID>`` on the next import, so importing the same
sheet twice never duplicates; every other row is a new item.

Everything is checked before anything is written.  An invalid cell is
reported with its row and column, and then nothing is written unless
``partial`` is set (which imports the valid rows and reports the others).
Writes happen under the project lock, the same one ``add`` takes, and a
failure midway puts every file back.  Nothing is committed.

Shared with c12's ``importing/plan.py``: ``kept_id`` (what ``--keep-ids``
accepts).  The rest of ``apply_plan`` keys items by ``source`` only, while a
sheet exported by reqctl names items by their reqctl ID, so the tabular
import plans its rows itself.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reqctl.errors import UsageError
from reqctl.exporting.columns import CUSTOM_KEY, NOT_EXPORTED, cell_text, value_of
from reqctl.importing.cells import CellError, empty, parse_cell
from reqctl.importing.newfiles import create_then_edit, render_new
from reqctl.importing.plan import kept_id
from reqctl.messages import Message, Word, lazy, os_reason
from reqctl.model.config import Config
from reqctl.model.ids import ID_RE, Kind, format_id, split_id
from reqctl.model.items import MODELS, known_fields, validator_message
from reqctl.ops.allocate import next_id
from reqctl.ops.items import DEFAULT_STATUS, FIELD_ORDER
from reqctl.ops.writeguard import project_write, refuse_conflict_markers, restored_on_failure
from reqctl.store import roundtrip
from reqctl.store.reader import ItemFile, item_path
from reqctl.store.store import Store

SOURCE_PREFIX = "sheet:"
MAX_FILE_BYTES = 200_000_000

# Header names (normalized: lower case, '_' for spaces) that mean a field, besides the field's own name.
ALIASES: dict[str, str] = {
    "req_id": "id", "requirement_id": "id", "identifier": "id", "uid": "id", "key": "id", "编号": "id",
    "name": "title", "summary": "title", "heading": "title", "标题": "title", "名称": "title",
    "description": "body", "text": "body", "details": "body", "描述": "body", "内容": "body", "说明": "body",
    "state": "status", "状态": "status",
    "prio": "priority", "优先级": "priority",
    "assignee": "owner", "responsible": "owner", "负责人": "owner",
    "origin": "source", "来源": "source",
    "release": "milestone", "里程碑": "milestone",
    "labels": "tags", "tag": "tags", "标签": "tags",
    "depends": "depends_on", "dependencies": "depends_on", "depends_on_ids": "depends_on", "依赖": "depends_on",
    "acceptance_criteria": "acceptance", "验收标准": "acceptance",
}


class InvalidRowsError(UsageError):
    """Some rows cannot be imported; ``problems`` has one line per bad cell."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


@dataclass
class Sheet:
    """The rows of one CSV file or one worksheet, for one kind."""

    label: str  # how messages name it: "reqs.csv", "book.xlsx [risk]"
    kind: Kind
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells)
    row_names: dict[int, str] | None = None  # row number -> its name in messages, else "row N"


@dataclass(frozen=True)
class Target:
    """Where one column goes: a field, a top-level custom key, or ``x-import[column]``."""

    column: str
    field: str
    custom: bool = False  # kept under x-import
    top_custom: bool = False  # a team's own top-level key (typed like a custom cell)


@dataclass
class Change:
    kind: Kind
    item_id: str
    title: str
    where: str  # "reqs.csv row 4"
    fields: list[str] = field(default_factory=list)


@dataclass
class TabularOutcome:
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # invalid rows (skipped with --partial)
    notes: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # 'Req ID → id', one per mapped column
    dry_run: bool = False


# ---------------------------------------------------------------- reading ----


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_csv(path: Path, kind: Kind) -> list[Sheet]:
    raw = _read(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(lazy("is not UTF-8 text (save it as 'CSV UTF-8')"), path=path, line=line) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if first else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UsageError(lazy("is not valid CSV: {error}", error=str(exc)), path=path) from None
    return [_sheet(str(path), kind, rows)]


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageError(lazy("is larger than {size} bytes", size=f"{MAX_FILE_BYTES:,}"), path=path)
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(lazy("cannot read: {error}", error=os_reason(exc)), path=path) from None


def read_xlsx(path: Path, kind: Kind | None) -> list[Sheet]:
    """Sheets named after a kind are that kind; without any, the first sheet (``kind`` or requirement)."""
    from reqctl.importing.xlsx_reader import Workbook, XlsxError

    data = _read(path)
    try:
        book = Workbook(io.BytesIO(data))
    except XlsxError as exc:
        raise UsageError(lazy("is not an XLSX workbook: {error}", error=exc.args[0]), path=path) from None
    try:
        by_kind: dict[Kind, str] = {}
        for name in book.sheetnames:
            try:
                by_kind.setdefault(Kind(name.strip().lower()), name)
            except ValueError:
                continue
        if kind is not None:
            chosen = [(kind, by_kind.get(kind, book.sheetnames[0]))]
        elif by_kind:
            chosen = list(by_kind.items())
        else:
            chosen = [(Kind.REQUIREMENT, book.sheetnames[0])]
        sheets = []
        for sheet_kind, name in chosen:
            label = str(path) if len(book.sheetnames) == 1 else f"{path} [{name}]"
            try:
                rows = list(book.rows(name))
            except XlsxError as exc:
                raise UsageError(lazy("sheet {name}: {error}", name=name, error=exc.args[0]), path=path) from None
            sheets.append(_numbered_sheet(label, sheet_kind, rows))
        return sheets
    finally:
        book.close()


def _sheet(label: str, kind: Kind, rows: list[list[Any]]) -> Sheet:
    return _numbered_sheet(label, kind, list(enumerate(rows, start=1)))


def _numbered_sheet(label: str, kind: Kind, rows: list[tuple[int, list[Any]]]) -> Sheet:
    numbered = [(number, row) for number, row in rows if any(not empty(c) for c in row)]
    if not numbered:
        raise UsageError(lazy("{sheet}: no header row (the first row names the columns)", sheet=label))
    header_number, header = numbered[0]
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    while names and not names[-1]:
        names.pop()
    width = len(names)
    body = [(number, (list(row) + [None] * width)[:width]) for number, row in numbered[1:]]
    for number, row in numbered[1:]:
        extra = [cell for cell in row[width:] if not empty(cell)]
        if extra:
            raise UsageError(lazy("{sheet}: row {number} has a value in a column without a header", sheet=label,
                                  number=number))
    del header_number
    return Sheet(label, kind, names, body)


# ---------------------------------------------------------------- mapping ----


def parse_maps(pairs: Sequence[str]) -> dict[str, str]:
    """``--map "Req ID=id"`` options as {column (lower case): field}; ``Column=-`` ignores a column."""
    maps: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise UsageError(lazy("--map '{pair}': expected COLUMN=FIELD, e.g. --map 'Req ID=id'", pair=pair))
        maps[column.strip().lower()] = target.strip()
    return maps


def targets(sheet: Sheet, maps: Mapping[str, str], custom_keys: set[str]) -> list[Target | None]:
    """Where each column goes (None: ignored).  Unknown columns go to ``x-import``."""
    kind = sheet.kind
    fields = (known_fields(kind) | {"body"}) - NOT_EXPORTED
    found: list[Target | None] = []
    taken: dict[str, str] = {}
    for column in sheet.header:
        if not column:
            found.append(None)
            continue
        wanted = maps.get(column.lower())
        if wanted == "-":
            found.append(None)
            continue
        if wanted is not None:
            if wanted in fields:
                target = Target(column, wanted)
            elif wanted.startswith("x-"):
                target = Target(column, wanted, top_custom=True)
            else:
                raise UsageError(lazy(
                    "--map '{column}={wanted}': {wanted} is not a {kind} field "
                    "(fields: {fields}; or x-NAME for a custom field, '-' to skip)",
                    column=column, wanted=wanted, kind=Word(kind.value), fields=", ".join(sorted(fields)),
                ))
        else:
            normal = _normal(column)
            name = normal if normal in fields else ALIASES.get(normal)
            if name in NOT_EXPORTED or normal in NOT_EXPORTED:
                found.append(None)
                continue
            if name is not None and name in fields:
                target = Target(column, name)
            elif column in custom_keys:
                target = Target(column, column, top_custom=True)
            else:
                target = Target(column, column, custom=True)
        if not target.custom:
            if target.field in taken:
                raise UsageError(lazy(
                    "{sheet}: columns \"{first}\" and \"{column}\" both give {field}; "
                    "use --map '{column}=-' to skip one",
                    sheet=sheet.label, first=taken[target.field], column=column, field=target.field,
                ))
            taken[target.field] = column
        found.append(target)
    missing = [column for column in maps if column not in {c.lower() for c in sheet.header}]
    if missing:
        raise UsageError(lazy("--map: {sheet} has no column '{column}' (columns: {columns})", sheet=sheet.label,
                              column=missing[0], columns=", ".join(sheet.header)))
    return found


# --------------------------------------------------------------- planning ----


@dataclass
class _Row:
    sheet: Sheet
    number: int
    values: dict[str, Any]  # field -> value (None: the cell is empty)
    custom: dict[str, Any]  # x-import column -> value
    columns: dict[str, str]  # field -> column header, for messages
    problems: list[str] = field(default_factory=list)
    raw_id: str | None = None
    item_id: str | None = None
    existing: ItemFile | None = None

    @property
    def where(self) -> str:
        return Message("{sheet} {row}", sheet=self.sheet.label, row=self.name)

    @property
    def name(self) -> str:
        """How messages name the row: "row 7", or what the sheet calls it ("SPEC-OBJECT REQ-001")."""
        named = self.sheet.row_names.get(self.number) if self.sheet.row_names else None
        return named or lazy("row {number}", number=self.number)

    def problem(self, column: str, message: str) -> None:
        self.problems.append(lazy('{sheet}: {row}, column "{column}": {message}', sheet=self.sheet.label, row=self.name,
                                  column=column, message=message))

    def field_problem(self, name: str, message: str) -> None:
        self.problem(self.columns.get(name, name), message)


def _rows(sheet: Sheet, found: list[Target | None]) -> list[_Row]:
    rows = []
    columns = {t.field: t.column for t in found if t is not None and not t.custom}
    for number, cells in sheet.rows:
        row = _Row(sheet, number, {}, {}, columns)
        for target, cell in zip(found, cells, strict=True):
            if target is None:
                continue
            try:
                value = parse_cell(sheet.kind, target.field, cell, custom=target.custom or target.top_custom)
            except CellError as exc:
                row.problem(target.column, exc.args[0])
                continue
            if target.custom:
                row.custom[target.column] = value
            else:
                row.values[target.field] = value
        raw = row.values.get("id")
        row.raw_id = str(raw) if raw is not None else None
        rows.append(row)
    return rows


@dataclass
class _Index:
    """The project as the import sees it: files by ID and by ``source: sheet:…``."""

    config: Config
    by_id: dict[str, ItemFile]
    by_source: dict[str, ItemFile]
    by_number: dict[tuple[str, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item_id in self.by_id:
            parts = split_id(item_id)
            if parts is not None:
                self.by_number.setdefault(parts, item_id)

    def lookup(self, token: str) -> str | None:
        """The ID of the existing item a reference names (``REQ-1`` finds ``REQ-001``), or None."""
        upper = token.strip().upper()
        if upper in self.by_id:
            return upper
        parts = split_id(upper)
        if parts is not None and parts in self.by_number:
            return self.by_number[parts]
        found = self.by_source.get(SOURCE_PREFIX + token.strip())
        return str((found.data or {}).get("id")) if found is not None else None


def _index(files: list[ItemFile], config: Config) -> _Index:
    by_id: dict[str, ItemFile] = {}
    by_source: dict[str, ItemFile] = {}
    for item_file in files:
        data = item_file.data or {}
        item_id = data.get("id")
        if not isinstance(item_id, str):
            continue
        by_id.setdefault(item_id, item_file)
        source = data.get("source")
        if isinstance(source, str) and source.startswith(SOURCE_PREFIX):
            by_source.setdefault(source, item_file)
    return _Index(config, by_id, by_source)


def _match(rows: list[_Row], index: _Index) -> None:
    """Tie each row to the item it updates (by ID, then by ``source``), or leave it new."""
    seen: dict[tuple[Kind, str], int] = {}
    for row in rows:
        if row.raw_id is None:
            continue
        key = (row.sheet.kind, row.raw_id.upper())
        if key in seen:
            row.field_problem("id", lazy("{id} is also on row {number}", id=row.raw_id, number=seen[key]))
            continue
        seen[key] = row.number
        found = index.lookup(row.raw_id) if ID_RE.match(row.raw_id.upper()) else None
        if found is None:
            source_match = index.by_source.get(SOURCE_PREFIX + row.raw_id)
            found = str((source_match.data or {}).get("id")) if source_match is not None else None
        if found is None:
            continue
        existing = index.by_id[found]
        if existing.kind is not row.sheet.kind:
            row.field_problem("id", lazy("{id} is a {kind}, not a {wanted}", id=found, kind=Word(existing.kind.value),
                                         wanted=Word(row.sheet.kind.value)))
            continue
        row.existing = existing
        row.item_id = found


def _allocate(root: Path, rows: list[_Row], index: _Index, keep_ids: bool, notes: list[str]) -> None:
    """IDs for the new rows: their own with ``keep_ids`` when it fits and is free, else the next ones."""
    taken = set(index.by_id)
    for row in rows:
        if row.existing is None and row.raw_id and keep_ids and not row.problems:
            wanted = kept_id(row.raw_id, index.config.prefix(row.sheet.kind))
            if wanted is not None and wanted not in taken:
                row.item_id = wanted
                taken.add(wanted)
            else:
                notes.append(lazy("{where}: {id} does not fit the prefix {prefix} or is taken; it gets a new ID",
                                  where=row.where, id=row.raw_id, prefix=index.config.prefix(row.sheet.kind)))
    counters: dict[Kind, list[Any]] = {}
    for row in rows:
        if row.item_id is not None:
            continue
        kind = row.sheet.kind
        if kind not in counters:
            first = next_id(root, index.config, kind)
            parts = split_id(first)
            assert parts is not None
            counters[kind] = [parts[0], parts[1], len(first) - len(parts[0]) - 1]
        prefix, number, digits = counters[kind]
        candidate = format_id(prefix, number, digits)
        while candidate in taken:
            number += 1
            candidate = format_id(prefix, number, digits)
        counters[kind][1] = number + 1
        row.item_id = candidate
        taken.add(candidate)


def _resolve_references(rows: list[_Row], index: _Index) -> None:
    """Reference cells name rows of the sheet (by their ID there) or items of the project."""
    by_raw: dict[str, str] = {}
    for row in rows:
        if row.raw_id and row.item_id:
            by_raw.setdefault(row.raw_id.upper(), row.item_id)
    for row in rows:
        for name in MODELS[row.sheet.kind].reference_fields():
            tokens = row.values.get(name)
            if not tokens:
                continue
            resolved = []
            for token in tokens:
                target = by_raw.get(str(token).upper()) or index.lookup(str(token))
                if target is None:
                    row.field_problem(
                        name, lazy("'{token}' is no row of the sheet and no item of the project", token=token)
                    )
                else:
                    resolved.append(target)
            row.values[name] = list(dict.fromkeys(resolved))


def _check_values(row: _Row, data: Mapping[str, Any], body: str, config: Config) -> None:
    """The config-dependent checks ``add`` makes, then the kind's model."""
    kind = row.sheet.kind
    statuses = MODELS[kind].statuses
    status = data.get("status")
    if statuses and status is not None and status not in statuses:
        row.field_problem("status", lazy("'{value}' is not one of {allowed}", value=status,
                                         allowed=", ".join(statuses)))
        return
    priority = data.get("priority")
    if kind is Kind.REQUIREMENT and priority is not None and priority not in config.priorities:
        row.field_problem("priority", lazy("'{value}' is not one of {allowed}", value=priority,
                                             allowed=", ".join(config.priorities)))
        return
    milestone = data.get("milestone")
    if kind is Kind.REQUIREMENT and milestone is not None and config.milestone(str(milestone)) is None:
        known = ", ".join(m.id for m in config.milestones) or lazy("none defined in reqctl.yaml")
        row.field_problem("milestone", lazy("'{value}' is no milestone (known: {known})", value=milestone, known=known))
        return
    try:
        MODELS[kind].model_validate({**data, "body": body})
    except ValidationError as error:
        for detail in error.errors():
            name = str(detail["loc"][0]) if detail["loc"] else "id"
            message = validator_message(detail)
            if detail["type"] == "missing":
                message = lazy("required, but the row has no value")
            row.field_problem(name, message)


@dataclass
class _Write:
    row: _Row
    rel: str
    render: Callable[[], str] | None = None  # a new file's text, rendered while the files are written
    updates: dict[str, Any] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    body: str | None = None


def _new_item(row: _Row) -> tuple[_Write, Change]:
    kind = row.sheet.kind
    assert row.item_id is not None
    data: dict[str, Any] = {"id": row.item_id}
    data.update({k: v for k, v in row.values.items() if v is not None and k not in ("id", "body")})
    if kind in DEFAULT_STATUS:
        data.setdefault("status", DEFAULT_STATUS[kind])
    if row.raw_id and row.raw_id.upper() != row.item_id and "source" not in data:
        data["source"] = SOURCE_PREFIX + row.raw_id
    custom = {k: v for k, v in row.custom.items() if v is not None}
    if custom:
        data[CUSTOM_KEY] = custom
    ordered = {key: data[key] for key in FIELD_ORDER[kind] if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    body = row.values.get("body") or ""
    rel = item_path(Path(), kind, row.item_id).as_posix()
    change = Change(kind, row.item_id, str(data.get("title")), row.where)
    return _Write(row, rel, render=functools.partial(render_new, ordered, body)), change


def _update(row: _Row, notes: list[str]) -> tuple[_Write, Change] | None:
    """The fields this row changes on its item (compared in their cell text), or None."""
    kind = row.sheet.kind
    existing = row.existing
    assert existing is not None and row.item_id is not None
    record = existing.data or {}
    write = _Write(row, existing.path)
    changed: list[str] = []
    for name, value in row.values.items():
        if name == "id":
            continue
        current = value_of(record, existing.body, name)
        if cell_text(kind, name, current) == cell_text(kind, name, value):
            continue
        if name == "status":
            notes.append(lazy("{where}: {id} stays {current} (the sheet says {value}); "
                              "statuses change with 'reqctl {kind} status' and approvals",
                              where=row.where, id=row.item_id, current=_word(current), value=_word(value),
                              kind=kind.value))
            continue
        changed.append(name)
        if name == "body":
            write.body = f"{value}\n" if value else ""
        elif value is None:
            write.remove.append(name)
        else:
            write.updates[name] = value
    if row.custom:
        current_custom = record.get(CUSTOM_KEY)
        merged = dict(current_custom) if isinstance(current_custom, Mapping) else {}
        dirty = False
        for column, value in row.custom.items():
            if cell_text(kind, column, merged.get(column)) == cell_text(kind, column, value):
                continue
            dirty = True
            changed.append(f"{CUSTOM_KEY}.{column}")
            if value is None:
                merged.pop(column, None)
            else:
                merged[column] = value
        if dirty:
            if merged:
                write.updates[CUSTOM_KEY] = merged
            else:
                write.remove.append(CUSTOM_KEY)
    if not changed:
        return None
    title = write.updates.get("title", record.get("title"))
    return write, Change(kind, row.item_id, str(title), row.where, changed)


def _final_data(write: _Write) -> tuple[dict[str, Any], str]:
    """The front matter and body the item will have, to validate before anything is written."""
    existing = write.row.existing
    assert existing is not None
    data = {k: v for k, v in (existing.data or {}).items() if k not in write.remove}
    data.update(write.updates)
    body = existing.body if write.body is None else write.body
    return data, body


def _drop_dependents(rows: list[_Row]) -> None:
    """With ``--partial``: a valid row that refers to a new item of an invalid row cannot be imported either."""
    changed = True
    while changed:
        changed = False
        bad = {row.item_id for row in rows if row.problems and row.existing is None and row.item_id}
        for row in rows:
            if row.problems:
                continue
            for name in MODELS[row.sheet.kind].reference_fields():
                hit = next((t for t in row.values.get(name) or () if t in bad), None)
                if hit is not None:
                    row.field_problem(name, lazy("refers to {id}, a row that is not imported", id=hit))
                    changed = True
                    break


def import_tables(
    start: Path,
    sheets_of: Callable[[], list[Sheet]],
    *,
    maps: Mapping[str, str] | None = None,
    dry_run: bool = False,
    partial: bool = False,
    keep_ids: bool = False,
) -> TabularOutcome:
    """Plan every row of ``sheets_of()`` (called once the lock is held), check it, then write or report.

    Raises ``InvalidRowsError`` when a row is invalid and ``partial`` is not set.
    """
    outcome = TabularOutcome(dry_run=dry_run)
    with project_write(start, commits=False) as root:
        sheets: list[Sheet] = sheets_of()
        project = Store.open(root).project()
        index = _index(project.files, project.config)
        rows: list[_Row] = []
        for sheet in sheets:
            custom_keys = {
                key for f in project.files if f.kind is sheet.kind for key in (f.data or {})
                if key not in known_fields(sheet.kind) and key != CUSTOM_KEY
            }
            found = targets(sheet, maps or {}, custom_keys)
            outcome.columns.extend(
                f"{t.column} → {f'{CUSTOM_KEY}.{t.column}' if t.custom else t.field}" for t in found if t is not None
            )
            rows.extend(_rows(sheet, found))
            if not any(t is not None and t.field == "id" for t in found):
                outcome.notes.append(lazy("{sheet}: no id column, so every row is a new item "
                                          "(importing it again adds them again)", sheet=sheet.label))
        _match(rows, index)
        _allocate(root, rows, index, keep_ids, outcome.notes)
        _resolve_references(rows, index)
        writes: list[tuple[_Write, Change, bool]] = []
        for row in rows:
            if row.problems:
                continue
            if row.existing is None:
                if row.values.get("title") is None:
                    row.field_problem("title", lazy("a new item needs a title"))
                    continue
                write, change = _new_item(row)
                data = {k: v for k, v in row.values.items() if v is not None and k != "body"}
                data.setdefault("status", DEFAULT_STATUS.get(row.sheet.kind))
                data = {k: v for k, v in data.items() if v is not None}
                data["id"] = row.item_id
                _check_values(row, data, str(row.values.get("body") or ""), project.config)
                created = True
            else:
                planned = _update(row, outcome.notes)
                if planned is None:
                    outcome.unchanged += 1
                    continue
                write, change = planned
                data, body = _final_data(write)
                _check_values(row, data, body, project.config)
                created = False
            if not row.problems:
                writes.append((write, change, created))
        if partial:
            _drop_dependents(rows)
            writes = [entry for entry in writes if not entry[0].row.problems]
        outcome.problems = [problem for row in rows for problem in row.problems]
        if outcome.problems and not partial:
            count = sum(1 for row in rows if row.problems)
            raise InvalidRowsError(
                lazy("{count} invalid row: nothing imported (fix them, or pass --partial to import the valid rows)",
                     count=count) if count == 1 else
                lazy("{count} invalid rows: nothing imported (fix them, or pass --partial to import the valid rows)",
                     count=count),
                outcome.problems,
            )
        for _write, change, created in writes:
            (outcome.created if created else outcome.updated).append(change)
        if dry_run or not writes:
            return outcome
        _write_all(root, [write for write, _change, _created in writes])
    return outcome


def _write_all(root: Path, writes: list[_Write]) -> None:
    """Create the new files, then edit the updated ones; on any failure every file is as it was."""
    edited = [w.rel for w in writes if w.render is None]
    refuse_conflict_markers(root, edited)
    new_files = [(root / w.rel, w.render) for w in writes if w.render is not None]
    edits = [
        functools.partial(roundtrip.edit_front_matter, root / w.rel, w.rel, w.updates, remove=w.remove, body=w.body)
        for w in writes if w.render is None
    ]
    # restored_on_failure saves the edited files; the new ones are removed by create_then_edit
    # (saving them first would try to read 10,000 files that do not exist yet).
    with restored_on_failure(root, edited):
        create_then_edit(new_files, edits)


def _word(value: Any) -> Any:
    """A status in a message: translated when it is one (``draft`` → 草稿), shown as it is otherwise."""
    return Word(value) if isinstance(value, str) else str(value)
