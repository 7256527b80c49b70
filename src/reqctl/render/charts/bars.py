"""Horizontal 100%-stacked bars, one per row (e.g. requirement status per milestone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reqctl.render.charts.base import (
    GRID,
    MUTED,
    PALETTE,
    PANEL,
    STATUS_COLORS,
    AttrValue,
    LegendItem,
    chart_title,
    contrast_text,
    fit_text,
    merge_labels,
    no_data_box,
    percent,
    svg_document,
    svg_legend,
    svg_tag,
    svg_text,
    svg_title,
    text_width,
    xml_attr,
)

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
    return f"{percent(count, total)}%"  # the reports' one rounding rule (round down)


@dataclass(frozen=True)
class _BarGeometry:
    label_width: float
    bar_left: float
    bar_width: float


def _bar_geometry(rows: Sequence[tuple[str, Mapping[str, int]]]) -> _BarGeometry:
    widest = max((text_width(name, _SB_LABEL_SIZE) for name, _ in rows), default=0.0)
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
    rect = svg_tag(
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
    if text_width(number, 11) + 6 <= width:
        inner = svg_text(
            x + width / 2,
            y + _SB_BAR_HEIGHT / 2 + 4,
            number,
            size=11,
            anchor="middle",
            fill=contrast_text(fill),
        )
    return f"<g data-key={xml_attr(key)}>{svg_title(tip)}{rect}{inner}</g>"


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
    shown = fit_text(name, _SB_LABEL_SIZE, geo.label_width)
    out = [f"<g>{svg_title(name)}{svg_text(_SB_PAD, middle, shown, size=_SB_LABEL_SIZE)}</g>"]
    out.append(svg_text(_SB_WIDTH - _SB_PAD, middle, str(total), anchor="end", weight="bold"))
    if total == 0:
        empty: dict[str, AttrValue] = {
            "x": geo.bar_left,
            "y": y,
            "width": geo.bar_width,
            "height": _SB_BAR_HEIGHT,
            "fill": PANEL,
            "stroke": GRID,
            "stroke-dasharray": "4 3",
        }
        out.append(f"<g>{svg_title(f'{name}: 0')}{svg_tag('rect', empty)}</g>")
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
    text = merge_labels(labels)
    keys = _bar_keys(rows, order)
    palette = _bar_colors(keys, colors)
    body = chart_title(title, _SB_WIDTH)
    names = {key: (labels or {}).get(key, key) for key in keys}
    items = [LegendItem(names[key], palette[key]) for key in keys]
    legend, legend_height = svg_legend(items, x0=_SB_PAD, y0=40, max_width=_SB_WIDTH - 2 * _SB_PAD)
    top = 40 + legend_height + 12
    if not rows:
        body += no_data_box(_SB_PAD, top, _SB_WIDTH - 2 * _SB_PAD, 60, text["no_data"])
        return svg_document(_SB_WIDTH, top + 60 + _SB_PAD, title, [*body, *legend])
    geo = _bar_geometry(rows)
    header = svg_text(
        _SB_WIDTH - _SB_PAD, top + 4, text["total_count"], size=11, anchor="end", fill=MUTED
    )
    body += [*legend, header]
    top += 14
    for index, (name, counts) in enumerate(rows):
        y = top + index * _SB_ROW_PITCH
        body += _bar_row(name, counts, keys=keys, palette=palette, names=names, geo=geo, y=y)
    height = top + len(rows) * _SB_ROW_PITCH + _SB_PAD - (_SB_ROW_PITCH - _SB_BAR_HEIGHT)
    return svg_document(_SB_WIDTH, height, title, body)
