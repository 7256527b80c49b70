"""Shared pieces of the SVG charts: palette, default labels, XML escaping, text measurement, legends."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias
from xml.sax.saxutils import escape, quoteattr

FONT_FAMILY = 'system-ui, "Noto Sans CJK SC", sans-serif'
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9dee3"
PANEL = "#f5f7fa"

#: Okabe-Ito based palette (colour-blind friendly), used when no colour is given.
PALETTE: tuple[str, ...] = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#d55e00",
    "#56b4e9",
    "#cc79a7",
    "#f0e442",
    "#6b7280",
)

#: Default colours for requirement statuses in :func:`stacked_bars_svg`.
STATUS_COLORS: Mapping[str, str] = {
    "draft": "#b8c2cc",
    "proposed": "#56b4e9",
    "approved": "#0072b2",
    "implemented": "#e69f00",
    "verified": "#009e73",
    "rejected": "#d55e00",
    "deprecated": "#6b7280",
}

#: Risk matrix fills by level; dark text is readable on all of them.
RISK_COLORS: Mapping[str, str] = {
    "low": "#9fd49b",
    "medium": "#ffe27a",
    "high": "#ffb366",
    "critical": "#f4867e",
}

#: Default display text; callers pass (possibly translated) overrides.
DEFAULT_LABELS: Mapping[str, str] = {
    "total": "Total scope",
    "approved": "Approved",
    "done": "Done",
    "date": "Date",
    "count": "Requirements",
    "no_data": "No data",
    "probability": "Probability",
    "impact": "Impact",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "critical": "Critical",
    "total_count": "Total",
}

#: Column keys of the tuples returned by :func:`burnup_table`.
BURNUP_TABLE_COLUMNS: tuple[str, str, str, str] = ("date", "total", "done", "approved")

AttrValue: TypeAlias = str | int | float

# Characters not allowed anywhere in an XML 1.0 document.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEX_COLOR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class BurnupPoint:
    """Requirement counts on one day.

    ``total`` is everything in scope, ``approved`` is approved-or-later and
    ``done`` is implemented or verified.
    """

    date: dt.date
    total: int
    done: int
    approved: int


# --------------------------------------------------------------------------
# XML helpers


def clean_text(text: str) -> str:
    """Drop characters that XML 1.0 cannot carry (control chars, surrogates)."""
    return _XML_INVALID.sub("", text)


def xml_text(text: str) -> str:
    """Escape ``text`` for XML character data, dropping XML-invalid characters."""
    return escape(clean_text(text))


def xml_attr(text: str) -> str:
    """Quote and escape ``text`` as an XML attribute value (quotes included)."""
    return quoteattr(clean_text(text))


def fmt_num(value: float) -> str:
    """Format a coordinate deterministically with at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attr_value(value: AttrValue) -> str:
    if isinstance(value, str):
        return xml_attr(value)
    return f'"{fmt_num(float(value))}"'


def _open(name: str, attrs: Mapping[str, AttrValue]) -> str:
    """Start tag text without the angle brackets."""
    return " ".join([name, *(f"{key}={_attr_value(val)}" for key, val in attrs.items())])


def svg_tag(name: str, attrs: Mapping[str, AttrValue], body: str | None = None) -> str:
    """Build one element; ``body`` must already be escaped markup."""
    head = _open(name, attrs)
    if body is None:
        return f"<{head}/>"
    return f"<{head}>{body}</{name}>"


def svg_title(text: str) -> str:
    return f"<title>{xml_text(text)}</title>"


def svg_text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str | None = None,
    transform: str | None = None,
) -> str:
    attrs: dict[str, AttrValue] = {"x": x, "y": y, "font-size": size, "fill": fill}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    if weight is not None:
        attrs["font-weight"] = weight
    if transform is not None:
        attrs["transform"] = transform
    return svg_tag("text", attrs, xml_text(content))


def svg_document(width: float, height: float, title: str, body: Sequence[str], desc: str = "") -> str:
    """Wrap ``body`` elements in the root ``<svg>`` with an accessible title."""
    root = _open(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {fmt_num(width)} {fmt_num(height)}",
            "width": "100%",
            "role": "img",
            "font-family": FONT_FAMILY,
        },
    )
    parts = [f"<{root}>", svg_title(title)]
    if desc:
        parts.append(f"<desc>{xml_text(desc)}</desc>")
    parts.append(svg_tag("rect", {"width": width, "height": height, "fill": "#ffffff"}))
    parts.extend(body)
    parts.append("</svg>")
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Text measurement (estimates; no font access in a pure function)


def _char_em(ch: str) -> float:
    if unicodedata.combining(ch):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "il.,:;'|!()[] ":
        return 0.32
    if ch.isupper() or ch in "mw%@#":
        return 0.72
    return 0.58


def text_width(text: str, size: float) -> float:
    """Rough rendered width of ``text`` at font ``size`` (generous, to avoid overlap)."""
    return sum(_char_em(ch) for ch in clean_text(text)) * size


def fit_text(text: str, size: float, max_width: float) -> str:
    """Shorten ``text`` with an ellipsis so that it fits ``max_width``."""
    text = clean_text(text)
    if text_width(text, size) <= max_width:
        return text
    budget = max_width - text_width(_ELLIPSIS, size)
    out: list[str] = []
    used = 0.0
    for ch in text:
        used += _char_em(ch) * size
        if used > budget:
            break
        out.append(ch)
    return "".join(out).rstrip() + _ELLIPSIS


def merge_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(DEFAULT_LABELS)
    if labels:
        merged.update(labels)
    return merged


# --------------------------------------------------------------------------
# Shared chart pieces


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: str
    dash: str | None = None  # None: square swatch; otherwise a line sample
    line: bool = False


_LEGEND_SIZE = 12
_LEGEND_ROW = 20


def _legend_item_width(item: LegendItem) -> float:
    swatch = 26 if item.line else 14
    return swatch + 6 + text_width(item.label, _LEGEND_SIZE) + 18


def _legend_rows(items: Sequence[LegendItem], max_width: float) -> list[list[LegendItem]]:
    rows: list[list[LegendItem]] = [[]]
    used = 0.0
    for item in items:
        width = _legend_item_width(item)
        if rows[-1] and used + width > max_width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += width
    return [row for row in rows if row]


def _legend_swatch(item: LegendItem, x: float, y: float) -> tuple[str, float]:
    if item.line:
        attrs: dict[str, AttrValue] = {
            "x1": x,
            "y1": y,
            "x2": x + 26,
            "y2": y,
            "stroke": item.color,
            "stroke-width": 3,
        }
        if item.dash:
            attrs["stroke-dasharray"] = item.dash
        return svg_tag("line", attrs), 26
    rect: dict[str, AttrValue] = {
        "x": x,
        "y": y - 6,
        "width": 12,
        "height": 12,
        "rx": 2,
        "fill": item.color,
    }
    return svg_tag("rect", rect), 14


def svg_legend(
    items: Sequence[LegendItem], *, x0: float, y0: float, max_width: float
) -> tuple[list[str], float]:
    """Lay out a centred, wrapping legend; return elements and used height."""
    out: list[str] = []
    rows = _legend_rows(items, max_width)
    for index, row in enumerate(rows):
        y = y0 + index * _LEGEND_ROW + _LEGEND_ROW / 2
        row_width = sum(_legend_item_width(item) for item in row) - 18
        x = x0 + max(0.0, (max_width - row_width) / 2)
        for item in row:
            swatch, swatch_width = _legend_swatch(item, x, y)
            label = fit_text(item.label, _LEGEND_SIZE, max_width - swatch_width - 6)
            text = svg_text(x + swatch_width + 6, y + 4, label, size=_LEGEND_SIZE)
            out.append(f"<g>{svg_title(item.label)}{swatch}{text}</g>")
            x += _legend_item_width(item)
    return out, len(rows) * _LEGEND_ROW


def chart_title(title: str, width: float) -> list[str]:
    if not title:
        return []
    shown = fit_text(title, 16, width - 32)
    return [svg_text(width / 2, 26, shown, size=16, anchor="middle", weight="bold")]


def no_data_box(x: float, y: float, width: float, height: float, text: str) -> list[str]:
    box: dict[str, AttrValue] = {
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "rx": 6,
        "fill": PANEL,
        "stroke": GRID,
        "stroke-dasharray": "4 3",
    }
    label = svg_text(
        x + width / 2,
        y + height / 2 + 5,
        fit_text(text, 14, width - 16),
        size=14,
        anchor="middle",
        fill=MUTED,
    )
    return [svg_tag("rect", box), label]


def _nice_step(max_value: int, target_ticks: int = 5) -> int:
    """Smallest step of the form 1, 2, 5 x 10^k giving at most ``target_ticks`` intervals."""
    if max_value <= target_ticks:
        return 1
    raw = max_value / target_ticks
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - loop always returns


def nice_ticks(max_value: int, target_ticks: int = 5) -> list[int]:
    """Tick values from 0 up to a round number >= ``max_value`` (at least 0 and 1)."""
    step = _nice_step(max(max_value, 1), target_ticks)
    top = max(1, math.ceil(max(max_value, 1) / step)) * step
    return list(range(0, top + 1, step))


def contrast_text(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (dark for unknown colours)."""
    match = _HEX_COLOR.fullmatch(fill.strip())
    if match is None:
        return INK
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    contrast_white = 1.05 / (luminance + 0.05)
    contrast_black = (luminance + 0.05) / 0.05
    return "#ffffff" if contrast_white >= contrast_black else "#111111"


def percent(part: float, whole: float) -> int:
    """The one rounding rule for progress percentages (terminal, Markdown, HTML, JSON): round down.

    So 100% means complete and 2 of 3 reads 66% everywhere; ``whole <= 0`` is 0%.
    """
    if whole <= 0:
        return 0
    return math.floor(100 * part / whole)
