"""Which spreadsheet columns a kind has, and how a field's value is written into one cell.

Export and the tabular import share this module so that a value written by
``export`` reads back as exactly the value it came from: the import compares
cells in this text form to decide whether a field changed at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from reqctl.model.config import Config
from reqctl.model.ids import Kind
from reqctl.model.items import MODELS, known_fields

# The namespaced field where imported columns that are no reqctl field are kept.
CUSTOM_KEY = "x-import"

# Columns of a kind when reqctl.yaml's export.columns does not list them.
DEFAULT_COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.REQUIREMENT: ("id", "title", "status", "priority", "owner", "source", "milestone", "tags",
                       "depends_on", "acceptance", "body"),
    Kind.CHANGE: ("id", "title", "status", "requested_by", "created", "affects", "impact", "branch", "reason",
                  "body"),
    Kind.RISK: ("id", "title", "status", "probability", "impact", "owner", "identified", "review_by",
                "mitigation", "contingency", "relates", "body"),
    Kind.DECISION: ("id", "title", "status", "date", "deciders", "supersedes", "relates", "body"),
    Kind.MEETING: ("id", "title", "date", "kind", "attendees", "relates", "actions", "body"),
    Kind.FEEDBACK: ("id", "title", "date", "from", "score", "relates", "body"),
    Kind.LESSON: ("id", "title", "date", "category", "context", "links", "relates", "body"),
    Kind.TRAINING: ("id", "title", "date", "trainer", "audience", "attendance", "score", "topics", "materials",
                    "relates", "body"),
    Kind.SUPPORT: ("id", "title", "status", "severity", "category", "from", "reported", "responded", "resolved",
                   "relates", "resolution", "body"),
    Kind.FOLLOWUP: ("id", "title", "date", "contact", "channel", "satisfaction", "topics", "next_visit",
                    "opportunities", "relates", "body"),
}
# Approval records fingerprint the file's content; they are never exported nor imported.
NOT_EXPORTED = frozenset({"approval", "approvals"})

# Lists of free text: acceptance criteria may hold commas, so they go one per line.
LINE_LISTS = frozenset({"acceptance", "topics", "materials", "opportunities", "links"})
COMMA_LISTS = frozenset({"tags", "attendees", "deciders", "audience"})
DATE_FIELDS = frozenset({"date", "created", "identified", "review_by", "reported", "responded", "resolved",
                         "next_visit"})
INT_FIELDS = frozenset({"probability", "score", "attendance", "satisfaction"})
# Nested values (a meeting's actions, a change's impact) are written as JSON in their cell.
JSON_FIELDS = frozenset({"actions"})


def list_fields(kind: Kind) -> frozenset[str]:
    """Fields whose value is a list: ID references and the free-text lists."""
    model = MODELS[kind]
    names = set(model.reference_fields()) | ((LINE_LISTS | COMMA_LISTS) & known_fields(kind))
    return frozenset(names)


def int_fields(kind: Kind) -> frozenset[str]:
    return INT_FIELDS | ({"impact"} if kind is Kind.RISK else set())


def json_fields(kind: Kind) -> frozenset[str]:
    return JSON_FIELDS | ({"impact"} if kind is Kind.CHANGE else set())


def columns(config: Config, kind: Kind, records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The columns of ``kind`` in order: as configured (else the defaults), then custom fields as found.

    A custom field is a top-level key no model knows (a team's own field), or
    a key of ``x-import`` (a column an earlier import kept): both become
    columns under their own name, so a round trip puts them back where they were.
    """
    configured = config.export.columns.get(kind)
    ordered = list(configured if configured else DEFAULT_COLUMNS[kind])
    seen = set(ordered)
    known = known_fields(kind) | NOT_EXPORTED
    for record in records:
        for key, value in record.items():
            if key == CUSTOM_KEY and isinstance(value, Mapping):
                extra = [str(sub) for sub in value]
            elif key in known or key in seen or key == CUSTOM_KEY:
                continue
            else:
                extra = [key]
            for name in extra:
                if name not in seen:
                    seen.add(name)
                    ordered.append(name)
    return ordered


def value_of(record: Mapping[str, Any], body: str, column: str) -> Any:
    """The value of ``column`` for one item file's front matter; None when it has none."""
    if column == "body":
        return body.strip("\n") or None
    if column in record and column != CUSTOM_KEY:
        return record[column]
    custom = record.get(CUSTOM_KEY)
    if isinstance(custom, Mapping) and column in custom:
        return custom[column]
    return None


def cell_text(kind: Kind, column: str, value: Any) -> str:
    """The text form of a value, as a CSV cell holds it ('' for none)."""
    if value is None or (isinstance(value, (list, dict)) and not value):
        return ""
    if column in json_fields(kind) or (isinstance(value, (Mapping, list, tuple)) and column not in list_fields(kind)):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=False)
    if isinstance(value, (list, tuple)):
        separator = "\n" if column in LINE_LISTS else ", "
        return separator.join(str(part) for part in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def cell_value(kind: Kind, column: str, value: Any) -> Any:
    """The value an XLSX cell gets: numbers and dates as such, everything else as its text."""
    if isinstance(value, bool) or value is None:
        return cell_text(kind, column, value) or None
    if isinstance(value, (int, float, dt.date)) and column not in json_fields(kind) | list_fields(kind):
        return value
    return cell_text(kind, column, value) or None
