"""``reqctl export``: the project's items as spreadsheets (XLSX, CSV) and ReqIF.

Every format is built from one ``Table`` per kind (``table``), so the columns
and their order are the same everywhere.  Nothing here writes into the
project; the output goes to the file the user names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reqctl.exporting.columns import columns, value_of
from reqctl.model.ids import Kind, split_id
from reqctl.model.project import Project
from reqctl.store.reader import ItemFile

__all__ = ["Table", "table"]


@dataclass(frozen=True)
class Table:
    """The items of one kind: column names, and per item its values in column order (raw, not text)."""

    kind: Kind
    columns: list[str]
    rows: list[list[Any]]
    files: list[ItemFile]


def _sort_key(item_file: ItemFile) -> tuple[str, int, str]:
    item_id = str((item_file.data or {}).get("id", item_file.stem))
    parts = split_id(item_id)
    return (parts[0], parts[1], item_id) if parts else ("", 0, item_id)


def table(project: Project, kind: Kind) -> Table:
    """The valid items of ``kind``, in ID order (files ``check`` rejects are left out)."""
    files = sorted(
        (f for f in project.files if f.kind is kind and f.data is not None and f.path in project.models),
        key=_sort_key,
    )
    records = [f.data or {} for f in files]
    names = columns(project.config, kind, records)
    rows = [[value_of(record, f.body, name) for name in names] for record, f in zip(records, files, strict=True)]
    return Table(kind, names, rows, files)
