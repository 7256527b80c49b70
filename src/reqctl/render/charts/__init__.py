"""Charts for status reports: standalone SVG strings plus plain-text equivalents.

Everything here is a pure function of its arguments (no I/O, stdlib only) and
returns a string (or rows of strings), so the same input always gives the same
output and snapshot tests are stable.

The SVGs are well-formed XML that can be written to a file or inlined into
HTML: ``<svg xmlns=... viewBox=... width="100%" role="img">`` with a ``<title>``
for accessibility, no scripts, no external fonts and no network references.
All user-provided text (titles, labels, row names, risk IDs, colours) goes
through :func:`xml_text` / :func:`xml_attr`, which also drop characters that
XML 1.0 cannot represent.

Public API:

* :func:`burnup_svg` -- scope / approved / done lines over time.
* :func:`stacked_bars_svg` -- one horizontal 100%-stacked bar per row.
* :func:`risk_matrix_svg` -- 5x5 probability x impact grid.
* :func:`text_bar`, :func:`risk_matrix_text`, :func:`burnup_table` -- text
  versions for Markdown and terminals.
"""

from __future__ import annotations

from reqctl.render.charts.bars import stacked_bars_svg
from reqctl.render.charts.base import (
    BURNUP_TABLE_COLUMNS,
    DEFAULT_LABELS,
    PALETTE,
    RISK_COLORS,
    STATUS_COLORS,
    BurnupPoint,
    percent,
    xml_attr,
    xml_text,
)
from reqctl.render.charts.burnup import burnup_svg
from reqctl.render.charts.matrix import risk_level, risk_matrix_svg, score_level
from reqctl.render.charts.text import burnup_table, risk_matrix_text, text_bar

__all__ = [
    "BURNUP_TABLE_COLUMNS",
    "DEFAULT_LABELS",
    "PALETTE",
    "RISK_COLORS",
    "STATUS_COLORS",
    "BurnupPoint",
    "burnup_svg",
    "burnup_table",
    "percent",
    "risk_level",
    "risk_matrix_svg",
    "risk_matrix_text",
    "score_level",
    "stacked_bars_svg",
    "text_bar",
    "xml_attr",
    "xml_text",
]
