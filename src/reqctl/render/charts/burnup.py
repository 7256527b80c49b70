"""The burn-up chart: scope, approved and done requirements over time."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reqctl.render.charts.base import (
    GRID,
    MUTED,
    AttrValue,
    BurnupPoint,
    LegendItem,
    chart_title,
    fit_text,
    fmt_num,
    merge_labels,
    nice_ticks,
    no_data_box,
    svg_document,
    svg_legend,
    svg_tag,
    svg_text,
    svg_title,
    text_width,
)

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
    frame: _Frame,
    ticks: Sequence[int],
    dates: Sequence[dt.date],
    first: dt.date,
    span: int,
    date_label: Callable[[dt.date], str],
) -> list[str]:
    out: list[str] = []
    for value in ticks:
        y = _y_of(value, ticks[-1], frame)
        grid: dict[str, AttrValue] = {
            "x1": frame.left,
            "y1": y,
            "x2": frame.right,
            "y2": y,
            "stroke": GRID,
        }
        out.append(svg_tag("line", grid))
        out.append(
            svg_text(frame.left - 8, y + 4, str(value), size=_BU_TICK_SIZE, anchor="end", fill=MUTED)
        )
    for day in dates:
        x = _x_of(day, first, span, frame)
        label = date_label(day)
        half = text_width(label, _BU_TICK_SIZE) / 2
        label_x = min(max(x, half + 2), _BU_WIDTH - half - 2)
        tick: dict[str, AttrValue] = {
            "x1": x,
            "y1": frame.bottom,
            "x2": x,
            "y2": frame.bottom + 5,
            "stroke": MUTED,
        }
        out.append(svg_tag("line", tick))
        out.append(
            svg_text(
                label_x, frame.bottom + 19, label, size=_BU_TICK_SIZE, anchor="middle", fill=MUTED
            )
        )
    axis: dict[str, AttrValue] = {
        "x1": frame.left,
        "y1": frame.bottom,
        "x2": frame.right,
        "y2": frame.bottom,
        "stroke": MUTED,
    }
    out.append(svg_tag("line", axis))
    return out


def _burnup_axis_titles(frame: _Frame, labels: Mapping[str, str]) -> list[str]:
    mid_y = frame.top + frame.height / 2
    x_title = fit_text(labels["date"], 12, frame.width)
    y_title = fit_text(labels["count"], 12, frame.height)
    return [
        svg_text(
            frame.left + frame.width / 2, frame.bottom + 38, x_title, anchor="middle", fill=MUTED
        ),
        svg_text(
            18,
            mid_y,
            y_title,
            anchor="middle",
            fill=MUTED,
            transform=f"rotate(-90 18 {fmt_num(mid_y)})",
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
        attrs: dict[str, AttrValue] = {
            "points": " ".join(f"{fmt_num(x)},{fmt_num(y)}" for x, y in coords),
            "fill": "none",
            "stroke": color,
            "stroke-width": 2.5,
            "stroke-linejoin": "round",
            "stroke-linecap": "round",
        }
        if dash:
            attrs["stroke-dasharray"] = dash
        out.append(svg_tag("polyline", attrs))
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
        circle = svg_tag(
            "circle",
            {"cx": x, "cy": y, "r": 3.5, "fill": color, "stroke": "#ffffff", "stroke-width": 1},
        )
        out.append(f"<g>{svg_title(tip)}{circle}</g>")
    return out


def _burnup_desc(points: Sequence[BurnupPoint], labels: Mapping[str, str]) -> str:
    last = points[-1]
    values = ", ".join(f"{labels[key]} {_series_value(last, key)}" for key in _BU_LEGEND_ORDER)
    return f"{points[0].date.isoformat()} – {last.date.isoformat()}; {values}"


def burnup_svg(
    points: Sequence[BurnupPoint],
    *,
    title: str,
    labels: Mapping[str, str],
    date_label: Callable[[dt.date], str] | None = None,
) -> str:
    """Render a burn-up line chart (total scope, approved, done) as SVG.

    ``date_label`` formats the x-axis dates (default ISO), so a report shows
    them the way it shows every other date (``11月23日`` in Chinese).
    ``labels`` supplies display text for the keys ``total``, ``approved``,
    ``done``, ``date``, ``count`` and ``no_data``; missing keys fall back to
    :data:`DEFAULT_LABELS`. Points are sorted by date; x ticks fall on Mondays.
    """
    text = merge_labels(labels)
    ordered = sorted(points, key=lambda p: p.date)
    frame = _Frame(_BU_LEFT, _BU_TOP, _BU_WIDTH - _BU_LEFT - _BU_RIGHT, _BU_PLOT_HEIGHT)
    body = chart_title(title, _BU_WIDTH)
    styles = {key: (color, dash) for key, color, dash in _BU_SERIES}
    legend_items = [
        LegendItem(text[key], styles[key][0], styles[key][1], line=True)
        for key in _BU_LEGEND_ORDER
    ]
    legend, legend_height = svg_legend(
        legend_items, x0=frame.left, y0=frame.bottom + 50, max_width=frame.width
    )
    height = frame.bottom + 50 + legend_height + 10
    if not ordered:
        body += no_data_box(frame.left, frame.top, frame.width, frame.height, text["no_data"])
        return svg_document(_BU_WIDTH, height, title, [*body, *legend])
    peak = max(max(p.total, p.approved, p.done) for p in ordered)
    ticks = nice_ticks(peak)
    first, last = ordered[0].date, ordered[-1].date
    label_of = date_label or dt.date.isoformat
    widest = max(text_width(label_of(day), _BU_TICK_SIZE) for day in (first, last, dt.date(2000, 12, 28)))
    max_ticks = int(frame.width // (widest + 16))
    dates = _date_ticks(first, last, max_ticks)
    body += _burnup_axes(frame, ticks, dates, first, (last - first).days, label_of)
    body += _burnup_axis_titles(frame, text)
    body += _burnup_series(ordered, frame, ticks[-1], text)
    return svg_document(_BU_WIDTH, height, title, [*body, *legend], _burnup_desc(ordered, text))
