"""CSV export: one kind per file, UTF-8 (with a byte-order mark on request, for Excel)."""

from __future__ import annotations

import csv
import io

from reqctl.exporting import Table
from reqctl.exporting.columns import cell_text


def csv_bytes(tab: Table, *, bom: bool = False) -> bytes:
    """The CSV text of one table: a header row, then one row per item (RFC 4180 quoting)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(tab.columns)
    for row in tab.rows:
        writer.writerow([cell_text(tab.kind, name, value) for name, value in zip(tab.columns, row, strict=True)])
    data = out.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data
