"""XLSX export with openpyxl: one sheet per kind, a bold frozen header row and filters on every column."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reqctl.errors import ReqctlError
from reqctl.exporting import Table
from reqctl.exporting.columns import cell_value
from reqctl.messages import lazy


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    """The .xlsx file holding ``tables``, one sheet each, named after the kind."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for tab in tables:
        sheet = book.create_sheet(tab.kind.value)
        sheet.append(tab.columns)
        for cell in sheet[1]:
            cell.font = bold
        for row, item_file in zip(tab.rows, tab.files, strict=True):
            try:
                sheet.append([cell_value(tab.kind, name, value) for name, value in zip(tab.columns, row, strict=True)])
            except IllegalCharacterError:
                raise ReqctlError(
                    lazy("holds a control character that XLSX cannot store"), path=item_file.path
                ) from None
        sheet.freeze_panes = "A2"
        last = get_column_letter(max(len(tab.columns), 1))
        sheet.auto_filter.ref = f"A1:{last}{max(len(tab.rows) + 1, 1)}"
        for index, name in enumerate(tab.columns, start=1):
            width = 60 if name in ("title", "body", "acceptance") else max(12, len(name) + 4)
            sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
