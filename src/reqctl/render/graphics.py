"""Template globals that turn plain report data into charts (SVG or text).

The report context holds only plain data (dates as ISO strings) so that
``--format json`` is exactly what templates see; these helpers build the
chart objects from that data at render time, with labels in the report's
language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from reqctl.render import charts, i18n
from reqctl.render.filters import format_short_date

REQUIREMENT_ORDER = ("draft", "proposed", "approved", "implemented", "verified", "rejected", "deprecated")


def _points(rows: Sequence[Mapping[str, Any]]) -> list[charts.BurnupPoint]:
    return [
        charts.BurnupPoint(
            date=dt.date.fromisoformat(str(row["date"])[:10]),
            total=int(row["total"]),
            done=int(row["done"]),
            approved=int(row["approved"]),
        )
        for row in rows
    ]


def _cells(risks: Sequence[Mapping[str, Any]]) -> dict[tuple[int, int], list[str]]:
    cells: dict[tuple[int, int], list[str]] = {}
    for risk in risks:
        cells.setdefault((int(risk["probability"]), int(risk["impact"])), []).append(str(risk["id"]))
    return cells


def for_language(lang: str) -> dict[str, Callable[..., Any]]:
    labels = i18n.chart_labels(lang)
    # Status names in the bar legend, not the burn-up's line names ("approved" is both).
    status_labels = {**labels, **{status: i18n.word(status, lang) for status in REQUIREMENT_ORDER}}

    def burnup_svg(rows: Sequence[Mapping[str, Any]], title: str = "") -> Markup:
        return Markup(charts.burnup_svg(_points(rows), title=title, labels=labels,
                                        date_label=lambda day: format_short_date(day, lang)))

    def status_bars_svg(rows: Sequence[Mapping[str, Any]], title: str = "") -> Markup:
        data = [(str(row["label"]), dict(row["counts"])) for row in rows]
        return Markup(charts.stacked_bars_svg(data, order=REQUIREMENT_ORDER, title=title, labels=status_labels))

    def milestone_bars_svg(milestones: Sequence[Mapping[str, Any]], title: str = "") -> Markup:
        other = "未分配里程碑" if lang == "zh" else "No milestone"
        rows = [{"label": f"{m['id']} {m['title']}".strip() if m["id"] else other, "counts": m["counts"]}
                for m in milestones]
        return status_bars_svg(rows, title)

    def risk_matrix_svg(risks: Sequence[Mapping[str, Any]], title: str = "") -> Markup:
        return Markup(charts.risk_matrix_svg(_cells(risks), labels=labels, title=title))

    def risk_matrix_rows(risks: Sequence[Mapping[str, Any]]) -> list[list[str]]:
        corner = "概率 \\ 影响" if lang == "zh" else "P \\ I"
        return charts.risk_matrix_text(_cells(risks), corner=corner, markdown=True)

    def text_bar(done: int, total: int, width: int = 20) -> str:
        return charts.text_bar(int(done), int(total), width)

    def risk_level(probability: int, impact: int) -> str:
        return charts.risk_level(int(probability), int(impact))

    return {
        "burnup_svg": burnup_svg,
        "status_bars_svg": status_bars_svg,
        "milestone_bars_svg": milestone_bars_svg,
        "risk_matrix_svg": risk_matrix_svg,
        "risk_matrix_rows": risk_matrix_rows,
        "text_bar": text_bar,
        "risk_level": risk_level,
    }
