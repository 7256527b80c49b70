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

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "BURNUP_TABLE_COLUMNS",
    "DEFAULT_LABELS",
    "PALETTE",
    "RISK_COLORS",
    "STATUS_COLORS",
    "BurnupPoint",
    "burnup_svg",
    "burnup_table",
    "risk_level",
    "risk_matrix_svg",
    "risk_matrix_text",
    "stacked_bars_svg",
    "text_bar",
    "xml_attr",
    "xml_text",
]

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

_AttrValue: TypeAlias = str | int | float

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


def _clean(text: str) -> str:
    """Drop characters that XML 1.0 cannot carry (control chars, surrogates)."""
    return _XML_INVALID.sub("", text)


def xml_text(text: str) -> str:
    """Escape ``text`` for XML character data, dropping XML-invalid characters."""
    return escape(_clean(text))


def xml_attr(text: str) -> str:
    """Quote and escape ``text`` as an XML attribute value (quotes included)."""
    return quoteattr(_clean(text))


def _num(value: float) -> str:
    """Format a coordinate deterministically with at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attr_value(value: _AttrValue) -> str:
    if isinstance(value, str):
        return xml_attr(value)
    return f'"{_num(float(value))}"'


def _open(name: str, attrs: Mapping[str, _AttrValue]) -> str:
    """Start tag text without the angle brackets."""
    return " ".join([name, *(f"{key}={_attr_value(val)}" for key, val in attrs.items())])


def _tag(name: str, attrs: Mapping[str, _AttrValue], body: str | None = None) -> str:
    """Build one element; ``body`` must already be escaped markup."""
    head = _open(name, attrs)
    if body is None:
        return f"<{head}/>"
    return f"<{head}>{body}</{name}>"


def _title(text: str) -> str:
    return f"<title>{xml_text(text)}</title>"


def _text(
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
    attrs: dict[str, _AttrValue] = {"x": x, "y": y, "font-size": size, "fill": fill}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    if weight is not None:
        attrs["font-weight"] = weight
    if transform is not None:
        attrs["transform"] = transform
    return _tag("text", attrs, xml_text(content))


def _svg(width: float, height: float, title: str, body: Sequence[str], desc: str = "") -> str:
    """Wrap ``body`` elements in the root ``<svg>`` with an accessible title."""
    root = _open(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {_num(width)} {_num(height)}",
            "width": "100%",
            "role": "img",
            "font-family": FONT_FAMILY,
        },
    )
    parts = [f"<{root}>", _title(title)]
    if desc:
        parts.append(f"<desc>{xml_text(desc)}</desc>")
    parts.append(_tag("rect", {"width": width, "height": height, "fill": "#ffffff"}))
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


def _text_width(text: str, size: float) -> float:
    """Rough rendered width of ``text`` at font ``size`` (generous, to avoid overlap)."""
    return sum(_char_em(ch) for ch in _clean(text)) * size


def _fit(text: str, size: float, max_width: float) -> str:
    """Shorten ``text`` with an ellipsis so that it fits ``max_width``."""
    text = _clean(text)
    if _text_width(text, size) <= max_width:
        return text
    budget = max_width - _text_width(_ELLIPSIS, size)
    out: list[str] = []
    used = 0.0
    for ch in text:
        used += _char_em(ch) * size
        if used > budget:
            break
        out.append(ch)
    return "".join(out).rstrip() + _ELLIPSIS


def _merge_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(DEFAULT_LABELS)
    if labels:
        merged.update(labels)
    return merged


# --------------------------------------------------------------------------
# Shared chart pieces


@dataclass(frozen=True)
class _LegendItem:
    label: str
    color: str
    dash: str | None = None  # None: square swatch; otherwise a line sample
    line: bool = False


_LEGEND_SIZE = 12
_LEGEND_ROW = 20


def _legend_item_width(item: _LegendItem) -> float:
    swatch = 26 if item.line else 14
    return swatch + 6 + _text_width(item.label, _LEGEND_SIZE) + 18


def _legend_rows(items: Sequence[_LegendItem], max_width: float) -> list[list[_LegendItem]]:
    rows: list[list[_LegendItem]] = [[]]
    used = 0.0
    for item in items:
        width = _legend_item_width(item)
        if rows[-1] and used + width > max_width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += width
    return [row for row in rows if row]


def _legend_swatch(item: _LegendItem, x: float, y: float) -> tuple[str, float]:
    if item.line:
        attrs: dict[str, _AttrValue] = {
            "x1": x,
            "y1": y,
            "x2": x + 26,
            "y2": y,
            "stroke": item.color,
            "stroke-width": 3,
        }
        if item.dash:
            attrs["stroke-dasharray"] = item.dash
        return _tag("line", attrs), 26
    rect: dict[str, _AttrValue] = {
        "x": x,
        "y": y - 6,
        "width": 12,
        "height": 12,
        "rx": 2,
        "fill": item.color,
    }
    return _tag("rect", rect), 14


def _legend(
    items: Sequence[_LegendItem], *, x0: float, y0: float, max_width: float
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
            label = _fit(item.label, _LEGEND_SIZE, max_width - swatch_width - 6)
            text = _text(x + swatch_width + 6, y + 4, label, size=_LEGEND_SIZE)
            out.append(f"<g>{_title(item.label)}{swatch}{text}</g>")
            x += _legend_item_width(item)
    return out, len(rows) * _LEGEND_ROW


def _chart_title(title: str, width: float) -> list[str]:
    if not title:
        return []
    shown = _fit(title, 16, width - 32)
    return [_text(width / 2, 26, shown, size=16, anchor="middle", weight="bold")]


def _no_data(x: float, y: float, width: float, height: float, text: str) -> list[str]:
    box: dict[str, _AttrValue] = {
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "rx": 6,
        "fill": PANEL,
        "stroke": GRID,
        "stroke-dasharray": "4 3",
    }
    label = _text(
        x + width / 2,
        y + height / 2 + 5,
        _fit(text, 14, width - 16),
        size=14,
        anchor="middle",
        fill=MUTED,
    )
    return [_tag("rect", box), label]


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


def _nice_ticks(max_value: int, target_ticks: int = 5) -> list[int]:
    """Tick values from 0 up to a round number >= ``max_value`` (at least 0 and 1)."""
    step = _nice_step(max(max_value, 1), target_ticks)
    top = max(1, math.ceil(max(max_value, 1) / step)) * step
    return list(range(0, top + 1, step))


def _contrast_text(fill: str) -> str:
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


# --------------------------------------------------------------------------
# Burn-up chart

_BU_WIDTH = 720
_BU_LEFT = 64
_BU_RIGHT = 36
_BU_TOP = 48
_BU_PLOT_HEIGHT = 240
_BU_TICK_SIZE = 11
_BU_MAX_MARKERS = 60

# (key, colour, dash pattern); dashes keep the series apart without colour.
# Drawn in this order: the dashed total goes last so that lines it overlaps show through.
_BU_SERIES: tuple[tuple[str, str, str | None], ...] = (
    ("done", "#009e73", None),
    ("approved", "#0072b2", None),
    ("total", "#6b7280", "7 4"),
)
_BU_LEGEND_ORDER = ("total", "approved", "done")


@dataclass(frozen=True)
class _Frame:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


def _date_ticks(first: dt.date, last: dt.date, max_ticks: int) -> list[dt.date]:
    """Mondays between ``first`` and ``last``, thinned to at most ``max_ticks``.

    Spans with fewer than two Mondays get the first and last date instead.
    """
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    weeks = (last - monday).days // 7 + 1 if monday <= last else 0
    if weeks < 2:
        return sorted({first, last})
    step = max(1, math.ceil(weeks / max(1, max_ticks)))
    return [monday + dt.timedelta(weeks=k) for k in range(0, weeks, step)]


def _x_of(day: dt.date, first: dt.date, span_days: int, frame: _Frame) -> float:
    if span_days <= 0:
        return frame.left + frame.width / 2
    return frame.left + frame.width * (day - first).days / span_days


def _y_of(value: int, top_value: int, frame: _Frame) -> float:
    return frame.bottom - frame.height * max(0, value) / top_value


def _burnup_axes(
    frame: _Frame, ticks: Sequence[int], dates: Sequence[dt.date], first: dt.date, span: int
) -> list[str]:
    out: list[str] = []
    for value in ticks:
        y = _y_of(value, ticks[-1], frame)
        grid: dict[str, _AttrValue] = {
            "x1": frame.left,
            "y1": y,
            "x2": frame.right,
            "y2": y,
            "stroke": GRID,
        }
        out.append(_tag("line", grid))
        out.append(
            _text(frame.left - 8, y + 4, str(value), size=_BU_TICK_SIZE, anchor="end", fill=MUTED)
        )
    for day in dates:
        x = _x_of(day, first, span, frame)
        label = day.isoformat()
        half = _text_width(label, _BU_TICK_SIZE) / 2
        label_x = min(max(x, half + 2), _BU_WIDTH - half - 2)
        tick: dict[str, _AttrValue] = {
            "x1": x,
            "y1": frame.bottom,
            "x2": x,
            "y2": frame.bottom + 5,
            "stroke": MUTED,
        }
        out.append(_tag("line", tick))
        out.append(
            _text(
                label_x, frame.bottom + 19, label, size=_BU_TICK_SIZE, anchor="middle", fill=MUTED
            )
        )
    axis: dict[str, _AttrValue] = {
        "x1": frame.left,
        "y1": frame.bottom,
        "x2": frame.right,
        "y2": frame.bottom,
        "stroke": MUTED,
    }
    out.append(_tag("line", axis))
    return out


def _burnup_axis_titles(frame: _Frame, labels: Mapping[str, str]) -> list[str]:
    mid_y = frame.top + frame.height / 2
    x_title = _fit(labels["date"], 12, frame.width)
    y_title = _fit(labels["count"], 12, frame.height)
    return [
        _text(
            frame.left + frame.width / 2, frame.bottom + 38, x_title, anchor="middle", fill=MUTED
        ),
        _text(
            18,
            mid_y,
            y_title,
            anchor="middle",
            fill=MUTED,
            transform=f"rotate(-90 18 {_num(mid_y)})",
        ),
    ]


def _series_value(point: BurnupPoint, key: str) -> int:
    return {"total": point.total, "approved": point.approved, "done": point.done}[key]


def _burnup_series(
    points: Sequence[BurnupPoint], frame: _Frame, top_value: int, labels: Mapping[str, str]
) -> list[str]:
    first, last = points[0].date, points[-1].date
    span = (last - first).days
    out: list[str] = []
    for key, color, dash in _BU_SERIES:
        coords = [
            (_x_of(p.date, first, span, frame), _y_of(_series_value(p, key), top_value, frame))
            for p in points
        ]
        attrs: dict[str, _AttrValue] = {
            "points": " ".join(f"{_num(x)},{_num(y)}" for x, y in coords),
            "fill": "none",
            "stroke": color,
            "stroke-width": 2.5,
            "stroke-linejoin": "round",
            "stroke-linecap": "round",
        }
        if dash:
            attrs["stroke-dasharray"] = dash
        out.append(_tag("polyline", attrs))
        if len(points) <= _BU_MAX_MARKERS:
            out.extend(_burnup_markers(points, coords, key, color, labels))
    return out


def _burnup_markers(
    points: Sequence[BurnupPoint],
    coords: Sequence[tuple[float, float]],
    key: str,
    color: str,
    labels: Mapping[str, str],
) -> list[str]:
    out: list[str] = []
    for point, (x, y) in zip(points, coords, strict=True):
        tip = f"{labels[key]} {point.date.isoformat()}: {_series_value(point, key)}"
        circle = _tag(
            "circle",
            {"cx": x, "cy": y, "r": 3.5, "fill": color, "stroke": "#ffffff", "stroke-width": 1},
        )
        out.append(f"<g>{_title(tip)}{circle}</g>")
    return out


def _burnup_desc(points: Sequence[BurnupPoint], labels: Mapping[str, str]) -> str:
    last = points[-1]
    values = ", ".join(f"{labels[key]} {_series_value(last, key)}" for key in _BU_LEGEND_ORDER)
    return f"{points[0].date.isoformat()} – {last.date.isoformat()}; {values}"


def burnup_svg(points: Sequence[BurnupPoint], *, title: str, labels: Mapping[str, str]) -> str:
    """Render a burn-up line chart (total scope, approved, done) as SVG.

    ``labels`` supplies display text for the keys ``total``, ``approved``,
    ``done``, ``date``, ``count`` and ``no_data``; missing keys fall back to
    :data:`DEFAULT_LABELS`. Points are sorted by date; x ticks fall on Mondays.
    """
    text = _merge_labels(labels)
    ordered = sorted(points, key=lambda p: p.date)
    frame = _Frame(_BU_LEFT, _BU_TOP, _BU_WIDTH - _BU_LEFT - _BU_RIGHT, _BU_PLOT_HEIGHT)
    body = _chart_title(title, _BU_WIDTH)
    styles = {key: (color, dash) for key, color, dash in _BU_SERIES}
    legend_items = [
        _LegendItem(text[key], styles[key][0], styles[key][1], line=True)
        for key in _BU_LEGEND_ORDER
    ]
    legend, legend_height = _legend(
        legend_items, x0=frame.left, y0=frame.bottom + 50, max_width=frame.width
    )
    height = frame.bottom + 50 + legend_height + 10
    if not ordered:
        body += _no_data(frame.left, frame.top, frame.width, frame.height, text["no_data"])
        return _svg(_BU_WIDTH, height, title, [*body, *legend])
    peak = max(max(p.total, p.approved, p.done) for p in ordered)
    ticks = _nice_ticks(peak)
    first, last = ordered[0].date, ordered[-1].date
    max_ticks = int(frame.width // (_text_width("2000-00-00", _BU_TICK_SIZE) + 16))
    dates = _date_ticks(first, last, max_ticks)
    body += _burnup_axes(frame, ticks, dates, first, (last - first).days)
    body += _burnup_axis_titles(frame, text)
    body += _burnup_series(ordered, frame, ticks[-1], text)
    return _svg(_BU_WIDTH, height, title, [*body, *legend], _burnup_desc(ordered, text))


# --------------------------------------------------------------------------
# Stacked bars

_SB_WIDTH = 720
_SB_PAD = 16
_SB_BAR_HEIGHT = 24
_SB_ROW_PITCH = 34
_SB_LABEL_SIZE = 12
_SB_MAX_LABEL = 200
_SB_TOTAL_COLUMN = 56


def _bar_keys(rows: Sequence[tuple[str, Mapping[str, int]]], order: Sequence[str]) -> list[str]:
    """``order`` first, then keys that only appear in the data (sorted)."""
    keys = list(dict.fromkeys(order))
    extra = {key for _, counts in rows for key in counts if key not in keys}
    return keys + sorted(extra)


def _bar_colors(keys: Sequence[str], colors: Mapping[str, str] | None) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for index, key in enumerate(keys):
        given = (colors or {}).get(key)
        chosen[key] = given or STATUS_COLORS.get(key) or PALETTE[index % len(PALETTE)]
    return chosen


def _pct(count: int, total: int) -> str:
    share = 100 * count / total
    if 0 < share < 1:
        return "<1%"
    if 99 < share < 100:
        return ">99%"
    return f"{int(share + 0.5)}%"


@dataclass(frozen=True)
class _BarGeometry:
    label_width: float
    bar_left: float
    bar_width: float


def _bar_geometry(rows: Sequence[tuple[str, Mapping[str, int]]]) -> _BarGeometry:
    widest = max((_text_width(name, _SB_LABEL_SIZE) for name, _ in rows), default=0.0)
    label_width = min(max(widest, 24.0), _SB_MAX_LABEL)
    bar_left = _SB_PAD + label_width + 10
    bar_width = _SB_WIDTH - _SB_PAD - _SB_TOTAL_COLUMN - bar_left
    return _BarGeometry(label_width, bar_left, bar_width)


def _bar_segment(
    *,
    row: str,
    key: str,
    label: str,
    count: int,
    total: int,
    x: float,
    width: float,
    y: float,
    fill: str,
) -> str:
    tip = f"{row} — {label}: {count} ({_pct(count, total)})"
    rect = _tag(
        "rect",
        {
            "x": x,
            "y": y,
            "width": width,
            "height": _SB_BAR_HEIGHT,
            "fill": fill,
            "stroke": "#ffffff",
            "stroke-width": 1,
        },
    )
    inner = ""
    number = str(count)
    if _text_width(number, 11) + 6 <= width:
        inner = _text(
            x + width / 2,
            y + _SB_BAR_HEIGHT / 2 + 4,
            number,
            size=11,
            anchor="middle",
            fill=_contrast_text(fill),
        )
    return f"<g data-key={xml_attr(key)}>{_title(tip)}{rect}{inner}</g>"


def _bar_row(
    name: str,
    counts: Mapping[str, int],
    *,
    keys: Sequence[str],
    palette: Mapping[str, str],
    names: Mapping[str, str],
    geo: _BarGeometry,
    y: float,
) -> list[str]:
    values = {key: max(0, int(counts.get(key, 0))) for key in keys}
    total = sum(values.values())
    middle = y + _SB_BAR_HEIGHT / 2 + 4
    shown = _fit(name, _SB_LABEL_SIZE, geo.label_width)
    out = [f"<g>{_title(name)}{_text(_SB_PAD, middle, shown, size=_SB_LABEL_SIZE)}</g>"]
    out.append(_text(_SB_WIDTH - _SB_PAD, middle, str(total), anchor="end", weight="bold"))
    if total == 0:
        empty: dict[str, _AttrValue] = {
            "x": geo.bar_left,
            "y": y,
            "width": geo.bar_width,
            "height": _SB_BAR_HEIGHT,
            "fill": PANEL,
            "stroke": GRID,
            "stroke-dasharray": "4 3",
        }
        out.append(f"<g>{_title(f'{name}: 0')}{_tag('rect', empty)}</g>")
        return out
    done = 0
    for key in keys:
        if values[key] == 0:
            continue
        x0 = geo.bar_left + geo.bar_width * done / total
        done += values[key]
        x1 = geo.bar_left + geo.bar_width * done / total
        label = names[key]
        out.append(
            _bar_segment(
                row=name,
                key=key,
                label=label,
                count=values[key],
                total=total,
                x=x0,
                width=x1 - x0,
                y=y,
                fill=palette[key],
            )
        )
    return out


def stacked_bars_svg(
    rows: Sequence[tuple[str, Mapping[str, int]]],
    *,
    order: Sequence[str],
    colors: Mapping[str, str] | None = None,
    title: str,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Render one horizontal 100%-stacked bar per ``(name, counts)`` row as SVG.

    Segments follow ``order`` (keys only present in the data come after it,
    sorted). Each segment has a ``<title>`` tooltip with count and percentage;
    the row total is printed at the right (``0`` for an empty bar). ``colors``
    overrides :data:`STATUS_COLORS` / :data:`PALETTE`; ``labels`` maps keys
    (and ``no_data``, ``total_count``) to display text.
    """
    text = _merge_labels(labels)
    keys = _bar_keys(rows, order)
    palette = _bar_colors(keys, colors)
    body = _chart_title(title, _SB_WIDTH)
    names = {key: (labels or {}).get(key, key) for key in keys}
    items = [_LegendItem(names[key], palette[key]) for key in keys]
    legend, legend_height = _legend(items, x0=_SB_PAD, y0=40, max_width=_SB_WIDTH - 2 * _SB_PAD)
    top = 40 + legend_height + 12
    if not rows:
        body += _no_data(_SB_PAD, top, _SB_WIDTH - 2 * _SB_PAD, 60, text["no_data"])
        return _svg(_SB_WIDTH, top + 60 + _SB_PAD, title, [*body, *legend])
    geo = _bar_geometry(rows)
    header = _text(
        _SB_WIDTH - _SB_PAD, top + 4, text["total_count"], size=11, anchor="end", fill=MUTED
    )
    body += [*legend, header]
    top += 14
    for index, (name, counts) in enumerate(rows):
        y = top + index * _SB_ROW_PITCH
        body += _bar_row(name, counts, keys=keys, palette=palette, names=names, geo=geo, y=y)
    height = top + len(rows) * _SB_ROW_PITCH + _SB_PAD - (_SB_ROW_PITCH - _SB_BAR_HEIGHT)
    return _svg(_SB_WIDTH, height, title, body)


# --------------------------------------------------------------------------
# Risk matrix

_RM_CELL = 96
_RM_LEFT = 72
_RM_TOP = 48
_RM_RIGHT = 20
_RM_ID_SIZE = 12
_RM_MAX_IDS = 3
_RM_LEVELS: tuple[tuple[str, str], ...] = (
    ("low", "≤4"),
    ("medium", "5–9"),
    ("high", "10–14"),
    ("critical", "≥15"),
)


def risk_level(probability: int, impact: int) -> str:
    """Level name for a score p x i: low <= 4, medium 5-9, high 10-14, critical >= 15."""
    return score_level(probability * impact)


def score_level(score: int) -> str:
    """Level name of a risk score (probability x impact); see ``risk_level``."""
    if score <= 4:
        return "low"
    if score <= 9:
        return "medium"
    if score <= 14:
        return "high"
    return "critical"


def _risk_cells(cells: Mapping[tuple[int, int], Sequence[str]]) -> dict[tuple[int, int], list[str]]:
    """Validate keys as ``(probability, impact)`` in 1..5 and normalise ID lists."""
    out: dict[tuple[int, int], list[str]] = {}
    for (probability, impact), ids in cells.items():
        if not (1 <= probability <= 5 and 1 <= impact <= 5):
            raise ValueError(f"risk cell {(probability, impact)!r} outside 1..5 x 1..5")
        out.setdefault((probability, impact), []).extend([ids] if isinstance(ids, str) else ids)
    return out


def _risk_cell(probability: int, impact: int, ids: Sequence[str], labels: Mapping[str, str]) -> str:
    x = _RM_LEFT + (impact - 1) * _RM_CELL
    y = _RM_TOP + (5 - probability) * _RM_CELL
    score = probability * impact
    level = risk_level(probability, impact)
    tip = (
        f"{labels['probability']} {probability} × {labels['impact']} {impact} = {score}"
        f" ({labels[level]}): {len(ids)}"
    )
    if ids:
        tip += " — " + ", ".join(ids)
    rect = _tag(
        "rect",
        {
            "x": x,
            "y": y,
            "width": _RM_CELL,
            "height": _RM_CELL,
            "fill": RISK_COLORS[level],
            "stroke": "#ffffff",
            "stroke-width": 2,
        },
    )
    parts = [_title(tip), rect, *_risk_cell_text(x, y, ids)]
    attrs = f'class="cell" data-p="{probability}" data-i="{impact}" data-score="{score}"'
    return f"<g {attrs}>{''.join(parts)}</g>"


def _risk_cell_text(x: float, y: float, ids: Sequence[str]) -> list[str]:
    if not ids:
        return []
    center = x + _RM_CELL / 2
    if len(ids) > _RM_MAX_IDS:
        return [
            _text(
                center, y + _RM_CELL / 2 + 8, str(len(ids)), size=24, anchor="middle", weight="bold"
            )
        ]
    out = [_text(center, y + 28, str(len(ids)), size=20, anchor="middle", weight="bold")]
    for index, risk_id in enumerate(ids):
        shown = _fit(risk_id, _RM_ID_SIZE, _RM_CELL - 10)
        out.append(_text(center, y + 48 + index * 15, shown, size=_RM_ID_SIZE, anchor="middle"))
    return out


def _risk_axes(labels: Mapping[str, str]) -> list[str]:
    grid = 5 * _RM_CELL
    out: list[str] = []
    for value in range(1, 6):
        y = _RM_TOP + (5 - value) * _RM_CELL + _RM_CELL / 2 + 5
        out.append(_text(_RM_LEFT - 10, y, str(value), size=13, anchor="end", fill=MUTED))
        x = _RM_LEFT + (value - 1) * _RM_CELL + _RM_CELL / 2
        out.append(_text(x, _RM_TOP + grid + 20, str(value), size=13, anchor="middle", fill=MUTED))
    mid_y = _RM_TOP + grid / 2
    y_title = _fit(f"{labels['probability']} →", 13, grid)
    x_title = _fit(f"{labels['impact']} →", 13, grid)
    out.append(
        _text(
            24,
            mid_y,
            y_title,
            size=13,
            anchor="middle",
            fill=MUTED,
            transform=f"rotate(-90 24 {_num(mid_y)})",
        )
    )
    out.append(
        _text(
            _RM_LEFT + grid / 2, _RM_TOP + grid + 42, x_title, size=13, anchor="middle", fill=MUTED
        )
    )
    return out


def risk_matrix_svg(
    cells: Mapping[tuple[int, int], Sequence[str]], *, labels: Mapping[str, str], title: str
) -> str:
    """Render a 5x5 risk matrix as SVG.

    ``cells`` maps ``(probability, impact)`` (each 1..5) to risk IDs. Probability
    runs up the y axis (5 at the top), impact along x. Cells are coloured by
    :func:`risk_level` and show the count, the IDs when there are at most three,
    and a ``<title>`` tooltip with all IDs. ``labels`` keys: ``probability``,
    ``impact``, ``low``, ``medium``, ``high``, ``critical``, ``no_data``.
    Raises ``ValueError`` for keys outside 1..5.
    """
    text = _merge_labels(labels)
    by_cell = _risk_cells(cells)
    grid = 5 * _RM_CELL
    width = _RM_LEFT + grid + _RM_RIGHT
    body = _chart_title(title, width)
    for probability in range(5, 0, -1):
        for impact in range(1, 6):
            body.append(
                _risk_cell(probability, impact, by_cell.get((probability, impact), []), text)
            )
    body += _risk_axes(text)
    items = [_LegendItem(f"{text[level]} {span}", RISK_COLORS[level]) for level, span in _RM_LEVELS]
    legend, legend_height = _legend(items, x0=_RM_LEFT, y0=_RM_TOP + grid + 54, max_width=grid)
    body += legend
    if not any(by_cell.values()):
        body += _no_data(
            _RM_LEFT + grid / 2 - 110, _RM_TOP + grid / 2 - 24, 220, 48, text["no_data"]
        )
    height = _RM_TOP + grid + 54 + legend_height + 12
    return _svg(width, height, title, body)


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
    return f"{'█' * filled}{'░' * (width - filled)} {done * 100 // total}%"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|])")


def _table_cell(text: str, *, markdown: bool) -> str:
    """One line of text; with ``markdown``, punctuation that Markdown or HTML
    would interpret (including ``|``, ``<`` and ``&``) is backslash-escaped."""
    flat = " ".join(_clean(text).splitlines())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat) if markdown else flat


def _risk_text_cell(ids: Sequence[str], *, markdown: bool) -> str:
    cleaned = [_table_cell(risk_id, markdown=markdown) for risk_id in ids]
    if len(cleaned) <= _RM_MAX_IDS:
        return ", ".join(cleaned)
    return f"{', '.join(cleaned[:_RM_MAX_IDS])} (+{len(cleaned) - _RM_MAX_IDS})"


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
    by_cell = _risk_cells(cells)
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
