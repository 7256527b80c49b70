"""The 5x5 probability x impact risk matrix, and risk levels by score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reqctl.render.charts.base import (
    MUTED,
    RISK_COLORS,
    LegendItem,
    chart_title,
    fit_text,
    fmt_num,
    merge_labels,
    no_data_box,
    svg_document,
    svg_legend,
    svg_tag,
    svg_text,
    svg_title,
)

# --------------------------------------------------------------------------
# Risk matrix

_RM_CELL = 96
_RM_LEFT = 72
_RM_TOP = 48
_RM_RIGHT = 20
_RM_ID_SIZE = 12
MAX_IDS_IN_CELL = 3
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


def risk_cells(cells: Mapping[tuple[int, int], Sequence[str]]) -> dict[tuple[int, int], list[str]]:
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
    rect = svg_tag(
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
    parts = [svg_title(tip), rect, *_risk_cell_text(x, y, ids)]
    attrs = f'class="cell" data-p="{probability}" data-i="{impact}" data-score="{score}"'
    return f"<g {attrs}>{''.join(parts)}</g>"


def _risk_cell_text(x: float, y: float, ids: Sequence[str]) -> list[str]:
    if not ids:
        return []
    center = x + _RM_CELL / 2
    if len(ids) > MAX_IDS_IN_CELL:
        return [
            svg_text(
                center, y + _RM_CELL / 2 + 8, str(len(ids)), size=24, anchor="middle", weight="bold"
            )
        ]
    out = [svg_text(center, y + 28, str(len(ids)), size=20, anchor="middle", weight="bold")]
    for index, risk_id in enumerate(ids):
        shown = fit_text(risk_id, _RM_ID_SIZE, _RM_CELL - 10)
        out.append(svg_text(center, y + 48 + index * 15, shown, size=_RM_ID_SIZE, anchor="middle"))
    return out


def _risk_axes(labels: Mapping[str, str]) -> list[str]:
    grid = 5 * _RM_CELL
    out: list[str] = []
    for value in range(1, 6):
        y = _RM_TOP + (5 - value) * _RM_CELL + _RM_CELL / 2 + 5
        out.append(svg_text(_RM_LEFT - 10, y, str(value), size=13, anchor="end", fill=MUTED))
        x = _RM_LEFT + (value - 1) * _RM_CELL + _RM_CELL / 2
        out.append(svg_text(x, _RM_TOP + grid + 20, str(value), size=13, anchor="middle", fill=MUTED))
    mid_y = _RM_TOP + grid / 2
    y_title = fit_text(f"{labels['probability']} →", 13, grid)
    x_title = fit_text(f"{labels['impact']} →", 13, grid)
    out.append(
        svg_text(
            24,
            mid_y,
            y_title,
            size=13,
            anchor="middle",
            fill=MUTED,
            transform=f"rotate(-90 24 {fmt_num(mid_y)})",
        )
    )
    out.append(
        svg_text(
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
    text = merge_labels(labels)
    by_cell = risk_cells(cells)
    grid = 5 * _RM_CELL
    width = _RM_LEFT + grid + _RM_RIGHT
    body = chart_title(title, width)
    for probability in range(5, 0, -1):
        for impact in range(1, 6):
            body.append(
                _risk_cell(probability, impact, by_cell.get((probability, impact), []), text)
            )
    body += _risk_axes(text)
    items = [LegendItem(f"{text[level]} {span}", RISK_COLORS[level]) for level, span in _RM_LEVELS]
    legend, legend_height = svg_legend(items, x0=_RM_LEFT, y0=_RM_TOP + grid + 54, max_width=grid)
    body += legend
    if not any(by_cell.values()):
        body += no_data_box(
            _RM_LEFT + grid / 2 - 110, _RM_TOP + grid / 2 - 24, 220, 48, text["no_data"]
        )
    height = _RM_TOP + grid + 54 + legend_height + 12
    return svg_document(width, height, title, body)
