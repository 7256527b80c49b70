"""Text equivalents of the charts for Markdown and terminals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from reqctl.render.charts.base import (
    BurnupPoint,
    clean_text,
    percent,
)
from reqctl.render.charts.matrix import MAX_IDS_IN_CELL, risk_cells

# --------------------------------------------------------------------------
# Text equivalents


def text_bar(done: int, total: int, width: int = 20) -> str:
    """Progress bar like ``████████░░░░░░░░░░░░ 40%``.

    ``done`` is clamped to ``0..total``; ``total <= 0`` gives an empty bar at
    0%. Both the bar and the percentage round down, so 100% means complete.
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    if total <= 0:
        return f"{'░' * width} 0%"
    done = min(max(done, 0), total)
    filled = done * width // total
    return f"{'█' * filled}{'░' * (width - filled)} {percent(done, total)}%"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|])")


def _table_cell(text: str, *, markdown: bool) -> str:
    """One line of text; with ``markdown``, punctuation that Markdown or HTML
    would interpret (including ``|``, ``<`` and ``&``) is backslash-escaped."""
    flat = " ".join(clean_text(text).splitlines())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat) if markdown else flat


def _risk_text_cell(ids: Sequence[str], *, markdown: bool) -> str:
    cleaned = [_table_cell(risk_id, markdown=markdown) for risk_id in ids]
    if len(cleaned) <= MAX_IDS_IN_CELL:
        return ", ".join(cleaned)
    return f"{', '.join(cleaned[:MAX_IDS_IN_CELL])} (+{len(cleaned) - MAX_IDS_IN_CELL})"


def risk_matrix_text(
    cells: Mapping[tuple[int, int], Sequence[str]],
    *,
    corner: str = "P \\ I",
    markdown: bool = True,
) -> list[list[str]]:
    """Rows for a Markdown or terminal table of the 5x5 risk matrix.

    The first row is ``[corner, "1", ..., "5"]`` (impact); then one row per
    probability from 5 down to 1, starting with the probability. A cell lists
    up to three IDs, then ``(+n)`` for the rest. Newlines are flattened; with
    ``markdown=True`` (the default) ``|``, ``<``, ``&``, ``*`` and friends are
    backslash-escaped so the rows can be joined into a safe Markdown table.
    Pass ``markdown=False`` for terminal output.
    """
    by_cell = risk_cells(cells)
    header = [_table_cell(corner, markdown=markdown), *(str(i) for i in range(1, 6))]
    rows = [header]
    for probability in range(5, 0, -1):
        row = [str(probability)]
        row += [
            _risk_text_cell(by_cell.get((probability, i), []), markdown=markdown)
            for i in range(1, 6)
        ]
        rows.append(row)
    return rows


def burnup_table(points: Sequence[BurnupPoint]) -> list[tuple[str, int, int, int]]:
    """``(iso_date, total, done, approved)`` per point, sorted by date.

    Column order follows :class:`BurnupPoint` and :data:`BURNUP_TABLE_COLUMNS`.
    """
    return [
        (p.date.isoformat(), p.total, p.done, p.approved)
        for p in sorted(points, key=lambda p: p.date)
    ]
