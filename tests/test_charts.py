"""Tests for reqctl.render.charts: SVG validity, escaping, colours, text helpers."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqctl.render.charts import (
    BURNUP_TABLE_COLUMNS,
    RISK_COLORS,
    BurnupPoint,
    burnup_svg,
    burnup_table,
    risk_level,
    risk_matrix_svg,
    risk_matrix_text,
    stacked_bars_svg,
    text_bar,
    xml_attr,
    xml_text,
)

NS = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert('x')</script> & <b>co</b>"
ZH = {
    "total": "总范围",
    "approved": "已批准",
    "done": "已完成",
    "date": "日期",
    "count": "需求数",
    "no_data": "暂无数据",
    "probability": "可能性",
    "impact": "影响",
    "low": "低",
    "medium": "中",
    "high": "高",
    "critical": "严重",
}
ORDER = ("draft", "proposed", "approved", "implemented", "verified")


# ---------------------------------------------------------------- helpers


def parse(svg: str) -> ET.Element:
    """Parse and check the common root contract of every chart."""
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert (root.get("viewBox") or "").startswith("0 0 ")
    assert root[0].tag == f"{NS}title"
    assert "Noto Sans CJK SC" in (root.get("font-family") or "")
    assert_safe(root, svg)
    return root


def assert_safe(root: ET.Element, svg: str) -> None:
    """No script elements, event handlers, links or external references."""
    assert "<script" not in svg.lower()
    for element in root.iter():
        assert not element.tag.lower().endswith(("script", "foreignobject", "image", "a"))
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert "javascript:" not in value.lower()
            assert "url(" not in value.lower()
    assert svg.count("http") == 1  # only the xmlns


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def tooltips(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}title")]


def points(n: int = 10, start: dt.date = dt.date(2024, 3, 1)) -> list[BurnupPoint]:
    return [
        BurnupPoint(start + dt.timedelta(days=3 * k), 40 + k, 2 * k, min(40, 5 + 3 * k))
        for k in range(n)
    ]


def risk_cell(root: ET.Element, probability: int, impact: int) -> ET.Element:
    for group in root.iter(f"{NS}g"):
        if group.get("data-p") == str(probability) and group.get("data-i") == str(impact):
            return group
    raise AssertionError(f"no cell {probability},{impact}")


def cell_fill(root: ET.Element, probability: int, impact: int) -> str:
    rect = risk_cell(root, probability, impact).find(f"{NS}rect")
    assert rect is not None
    return rect.get("fill") or ""


def bars(
    rows: Sequence[tuple[str, Mapping[str, int]]],
    *,
    colors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    return stacked_bars_svg(rows, order=ORDER, colors=colors, title="Status", labels=labels)


# ---------------------------------------------------------------- escaping helpers


def test_xml_text_escapes_and_strips_invalid_characters() -> None:
    assert xml_text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert xml_text("ok\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff\ud800!") == "ok!"
    assert xml_text("tab\tnl\ncr\r") == "tab\tnl\ncr\r"


def test_xml_attr_quotes() -> None:
    assert xml_attr('say "hi" & <go>') == "'say \"hi\" &amp; &lt;go&gt;'"
    assert xml_attr("\x07bell") == '"bell"'


# ---------------------------------------------------------------- burn-up


def test_burnup_is_valid_svg_with_three_series_and_legend() -> None:
    root = parse(burnup_svg(points(), title="Burn-up", labels={}))
    assert len(list(root.iter(f"{NS}polyline"))) == 3
    shown = texts(root)
    for label in ("Total scope", "Approved", "Done", "Date", "Requirements", "Burn-up"):
        assert label in shown


def test_burnup_escapes_title_and_labels() -> None:
    labels = {"total": EVIL, "date": "a & b"}
    svg = burnup_svg(points(), title=EVIL, labels=labels)
    root = parse(svg)
    assert tooltips(root)[0] == EVIL
    assert EVIL in shown_or_tooltips(root)
    assert "a & b" in texts(root)
    assert "&lt;script&gt;" in svg


def shown_or_tooltips(root: ET.Element) -> list[str]:
    return texts(root) + tooltips(root)


def test_burnup_cjk_labels() -> None:
    root = parse(burnup_svg(points(), title="需求燃起图", labels=ZH))
    shown = texts(root)
    for key in ("total", "approved", "done", "date", "count"):
        assert ZH[key] in shown
    assert "需求燃起图" in shown


def test_burnup_nice_y_ticks_and_monday_x_ticks() -> None:
    data = [
        BurnupPoint(dt.date(2024, 3, 1), 30, 0, 5),
        BurnupPoint(dt.date(2024, 4, 12), 47, 20, 40),
    ]
    shown = texts(parse(burnup_svg(data, title="t", labels={})))
    assert [s for s in shown if s.isdigit()] == ["0", "10", "20", "30", "40", "50"]
    dates = [dt.date.fromisoformat(s) for s in shown if s.count("-") == 2]
    assert dates
    assert all(day.weekday() == 0 for day in dates)
    assert all((b - a).days % 7 == 0 for a, b in itertools.pairwise(dates))


def test_burnup_short_span_labels_first_and_last_date() -> None:
    data = [BurnupPoint(dt.date(2024, 3, 5) + dt.timedelta(days=k), 3, k, 2) for k in range(3)]
    shown = texts(parse(burnup_svg(data, title="t", labels={})))
    assert "2024-03-05" in shown
    assert "2024-03-07" in shown


def test_burnup_sorts_points_and_tooltips_have_values() -> None:
    data = points(4)
    svg = burnup_svg(list(reversed(data)), title="t", labels={})
    assert svg == burnup_svg(data, title="t", labels={})
    assert "Done 2024-03-10: 6" in tooltips(parse(svg))


@pytest.mark.parametrize("count", [1, 2, 200])
def test_burnup_degenerate_and_many_points(count: int) -> None:
    data = points(count)
    root = parse(burnup_svg(data, title="t", labels={}))
    assert len(list(root.iter(f"{NS}polyline"))) == 3
    circles = list(root.iter(f"{NS}circle"))
    assert len(circles) == (3 * count if count <= 60 else 0)


def test_burnup_all_zero_counts() -> None:
    data = [BurnupPoint(dt.date(2024, 1, 1), 0, 0, 0)]
    shown = texts(parse(burnup_svg(data, title="t", labels={})))
    assert "0" in shown
    assert "1" in shown


def test_burnup_empty_shows_no_data() -> None:
    root = parse(burnup_svg([], title="Burn-up", labels=ZH))
    assert "暂无数据" in texts(root)
    assert not list(root.iter(f"{NS}polyline"))
    assert "No data" in texts(parse(burnup_svg([], title="t", labels={})))


# ---------------------------------------------------------------- stacked bars

ROWS: list[tuple[str, Mapping[str, int]]] = [
    ("M1", {"draft": 1, "approved": 3, "verified": 4}),
    ("M2 <script>&", {"proposed": 2}),
    ("Empty", {}),
]


def test_bars_valid_with_tooltips_counts_and_percentages() -> None:
    root = parse(bars(ROWS))
    tips = tooltips(root)
    assert "M1 — draft: 1 (12%)" in tips  # rounded down, like every other percentage
    assert "M1 — approved: 3 (37%)" in tips
    assert "M1 — verified: 4 (50%)" in tips
    assert "M2 <script>& — proposed: 2 (100%)" in tips
    shown = texts(root)
    assert "8" in shown  # row total
    assert "2" in shown


def test_bars_zero_total_row_is_empty_bar_with_zero() -> None:
    root = parse(bars([("Empty", {"draft": 0})]))
    assert "0" in texts(root)
    assert not [g for g in root.iter(f"{NS}g") if g.get("data-key")]
    assert "Empty: 0" in tooltips(root)


def test_bars_segments_and_legend_follow_order() -> None:
    root = parse(bars([("M", {"verified": 1, "extra": 1, "draft": 1})]))
    keys = [g.get("data-key") for g in root.iter(f"{NS}g") if g.get("data-key")]
    assert keys == ["draft", "verified", "extra"]
    shown = texts(root)
    legend = [s for s in shown if s in (*ORDER, "extra")]
    assert legend == [*ORDER, "extra"]


def test_bars_segments_fill_the_bar_exactly() -> None:
    root = parse(bars([("M", {"draft": 1, "approved": 1, "verified": 1})]))
    rects = [g.find(f"{NS}rect") for g in root.iter(f"{NS}g") if g.get("data-key")]
    spans = [(float(r.get("x") or 0), float(r.get("width") or 0)) for r in rects if r is not None]
    for (x0, w0), (x1, _) in itertools.pairwise(spans):
        assert abs(x0 + w0 - x1) < 0.02


def test_bars_colors_labels_and_escaping() -> None:
    colors = {"draft": "#ffffff", "approved": "red' onload='alert(1)"}
    svg = bars(ROWS, colors=colors, labels={"draft": "草稿 & <i>"})
    root = parse(svg)
    fills = {r.get("fill") for r in root.iter(f"{NS}rect")}
    assert "#ffffff" in fills
    assert "red' onload='alert(1)" in fills  # inert: stays inside the attribute
    assert "草稿 & <i>" in texts(root)
    assert "M2 <script>&" in tooltips(root)


def test_bars_negative_counts_clamp_to_zero() -> None:
    root = parse(bars([("M", {"draft": -3, "approved": 2})]))
    assert "M — approved: 2 (100%)" in tooltips(root)


def test_bars_long_row_name_is_shortened_but_kept_in_tooltip() -> None:
    name = "A very long milestone name " * 5
    root = parse(bars([(name, {"draft": 1})]))
    assert name in tooltips(root)
    assert any(s.endswith("…") for s in texts(root))


def test_bars_empty_shows_no_data() -> None:
    root = parse(bars([]))
    assert "No data" in texts(root)
    assert "暂无数据" in texts(parse(bars([], labels=ZH)))


# ---------------------------------------------------------------- risk matrix


@pytest.mark.parametrize(
    ("probability", "impact", "level"),
    [
        (1, 1, "low"),
        (2, 2, "low"),
        (1, 4, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (2, 5, "high"),
        (3, 4, "high"),
        (3, 5, "critical"),
        (4, 4, "critical"),
        (5, 5, "critical"),
    ],
)
def test_risk_cell_colour_by_score(probability: int, impact: int, level: str) -> None:
    assert risk_level(probability, impact) == level
    root = parse(risk_matrix_svg({}, labels={}, title="Risks"))
    assert cell_fill(root, probability, impact) == RISK_COLORS[level]


def test_risk_matrix_layout_probability_up_impact_right() -> None:
    root = parse(risk_matrix_svg({}, labels={}, title="Risks"))

    def xy(p: int, i: int) -> tuple[float, float]:
        rect = risk_cell(root, p, i).find(f"{NS}rect")
        assert rect is not None
        return float(rect.get("x") or 0), float(rect.get("y") or 0)

    assert xy(5, 1)[1] < xy(1, 1)[1]
    assert xy(1, 5)[0] > xy(1, 1)[0]
    assert len([g for g in root.iter(f"{NS}g") if g.get("class") == "cell"]) == 25


def test_risk_counts_ids_and_tooltips() -> None:
    cells = {
        (4, 2): ["R-2", "R-3", "R-<script>&"],
        (3, 3): [f"R-{n}" for n in range(10, 16)],
        (5, 5): ["R-1"],
    }
    svg = risk_matrix_svg(cells, labels={}, title=EVIL)
    root = parse(svg)
    assert tooltips(root)[0] == EVIL

    few = risk_cell(root, 4, 2)
    few_text = ["".join(t.itertext()) for t in few.iter(f"{NS}text")]
    assert few_text == ["3", "R-2", "R-3", "R-<script>&"]
    tip = few.findtext(f"{NS}title") or ""
    assert "= 8" in tip
    assert tip.endswith("R-2, R-3, R-<script>&")

    many = risk_cell(root, 3, 3)
    assert ["".join(t.itertext()) for t in many.iter(f"{NS}text")] == ["6"]
    assert "R-10, R-11, R-12, R-13, R-14, R-15" in (many.findtext(f"{NS}title") or "")

    assert not list(risk_cell(root, 1, 1).iter(f"{NS}text"))


def test_risk_cjk_labels_and_legend() -> None:
    root = parse(risk_matrix_svg({(2, 3): ["R-7"]}, labels=ZH, title="风险矩阵"))
    shown = texts(root)
    assert "风险矩阵" in shown
    assert "可能性 →" in shown
    assert "影响 →" in shown
    assert "严重 ≥15" in shown


def test_risk_single_string_value_is_one_id() -> None:
    root = parse(risk_matrix_svg({(1, 1): "R-1"}, labels={}, title="t"))
    assert ["".join(t.itertext()) for t in risk_cell(root, 1, 1).iter(f"{NS}text")] == [
        "1",
        "R-1",
    ]


@pytest.mark.parametrize("key", [(0, 1), (1, 6), (6, 6), (-1, 3)])
def test_risk_out_of_range_rejected(key: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="outside"):
        risk_matrix_svg({key: ["R-1"]}, labels={}, title="t")
    with pytest.raises(ValueError, match="outside"):
        risk_matrix_text({key: ["R-1"]})


@pytest.mark.parametrize("cells", [{}, {(3, 3): []}])
def test_risk_empty_shows_grid_and_no_data(cells: Mapping[tuple[int, int], list[str]]) -> None:
    root = parse(risk_matrix_svg(cells, labels=ZH, title="风险"))
    assert "暂无数据" in texts(root)
    assert len([g for g in root.iter(f"{NS}g") if g.get("class") == "cell"]) == 25


# ---------------------------------------------------------------- text equivalents


@pytest.mark.parametrize(
    ("done", "total", "width", "expected"),
    [
        (0, 0, 10, "░░░░░░░░░░ 0%"),
        (5, 0, 10, "░░░░░░░░░░ 0%"),
        (4, 10, 10, "████░░░░░░ 40%"),
        (10, 10, 10, "██████████ 100%"),
        (15, 10, 10, "██████████ 100%"),
        (-2, 10, 10, "░░░░░░░░░░ 0%"),
        (199, 200, 10, "█████████░ 99%"),
        (1, 3, 3, "█░░ 33%"),
        (1, 1, 1, "█ 100%"),
    ],
)
def test_text_bar(done: int, total: int, width: int, expected: str) -> None:
    assert text_bar(done, total, width) == expected


def test_text_bar_default_width_and_invalid_width() -> None:
    assert text_bar(1, 2) == "█" * 10 + "░" * 10 + " 50%"
    with pytest.raises(ValueError, match="width"):
        text_bar(1, 2, 0)


def test_risk_matrix_text_rows() -> None:
    rows = risk_matrix_text({(5, 1): ["R-1"], (1, 5): ["R-2", "R-3"], (3, 3): list("abcde")})
    assert rows[0] == ["P \\\\ I", "1", "2", "3", "4", "5"]
    assert [row[0] for row in rows[1:]] == ["5", "4", "3", "2", "1"]
    assert all(len(row) == 6 for row in rows)
    assert rows[1][1] == "R-1"
    assert rows[5][5] == "R-2, R-3"
    assert rows[3][3] == "a, b, c (+2)"
    assert rows[2][1:] == ["", "", "", "", ""]


def test_risk_matrix_text_markdown_escaping() -> None:
    cells = {(2, 2): ["A|B", "<script>&", "x\ny"]}
    md = risk_matrix_text(cells)[4][2]
    assert md == "A\\|B, \\<script\\>\\&, x y"
    plain = risk_matrix_text(cells, markdown=False)[4][2]
    assert plain == "A|B, <script>&, x y"


def test_risk_matrix_text_renders_as_safe_markdown_table() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    rows = risk_matrix_text({(2, 2): ["A|B", "<script>alert(1)</script>", "R&D"]})
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * 6]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    html = (
        markdown_it.MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .render("\n".join(lines))
    )
    assert "<script" not in html
    assert html.count("<tr>") == 6
    assert "A|B, &lt;script&gt;alert(1)&lt;/script&gt;, R&amp;D" in html


def test_burnup_table_sorted_in_dataclass_order() -> None:
    data = [
        BurnupPoint(dt.date(2024, 2, 1), 10, 2, 5),
        BurnupPoint(dt.date(2024, 1, 1), 8, 0, 3),
    ]
    assert BURNUP_TABLE_COLUMNS == ("date", "total", "done", "approved")
    assert burnup_table(data) == [("2024-01-01", 8, 0, 3), ("2024-02-01", 10, 2, 5)]
    assert burnup_table([]) == []


# ---------------------------------------------------------------- determinism


def test_deterministic_output() -> None:
    cells = {(2, 3): ["R-1", "R-2"], (5, 5): ["R-9"]}
    for _ in range(2):
        assert burnup_svg(points(), title="t", labels=ZH) == burnup_svg(
            points(), title="t", labels=ZH
        )
        assert bars(ROWS) == bars(list(ROWS))
        assert risk_matrix_svg(cells, labels={}, title="t") == risk_matrix_svg(
            dict(cells), labels={}, title="t"
        )


# ---------------------------------------------------------------- properties

any_text = st.text(max_size=60)
label_maps = st.dictionaries(
    st.sampled_from(
        [
            "total",
            "approved",
            "done",
            "date",
            "count",
            "no_data",
            "probability",
            "impact",
            "low",
            "critical",
            "draft",
            "verified",
            "total_count",
        ]
    ),
    any_text,
    max_size=6,
)


def valid_only(text: str) -> str:
    """``text`` without the characters that the escaping helpers drop."""
    return "".join(ch for ch in text if xml_text(ch) != "")


def normalized(text: str) -> str:
    """What an XML parser returns for character data written from ``text``."""
    return valid_only(text).replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=150, deadline=None)
@given(title=any_text, labels=label_maps, with_points=st.booleans())
def test_property_burnup_always_parses(
    title: str, labels: dict[str, str], with_points: bool
) -> None:
    root = parse(burnup_svg(points(3) if with_points else [], title=title, labels=labels))
    assert (root[0].text or "") == normalized(title)


@settings(max_examples=150, deadline=None)
@given(
    title=any_text,
    labels=label_maps,
    rows=st.lists(
        st.tuples(any_text, st.dictionaries(any_text, st.integers(-5, 1000), max_size=4)),
        max_size=4,
    ),
    colors=st.dictionaries(any_text, any_text, max_size=3),
)
def test_property_bars_always_parse(
    title: str,
    labels: dict[str, str],
    rows: list[tuple[str, dict[str, int]]],
    colors: dict[str, str],
) -> None:
    svg = stacked_bars_svg(rows, order=list(colors), colors=colors, title=title, labels=labels)
    ET.fromstring(svg)
    assert "<script" not in svg.lower()


@settings(max_examples=150, deadline=None)
@given(
    title=any_text,
    labels=label_maps,
    cells=st.dictionaries(
        st.tuples(st.integers(1, 5), st.integers(1, 5)),
        st.lists(any_text, max_size=5),
        max_size=6,
    ),
)
def test_property_risk_matrix_always_parses(
    title: str, labels: dict[str, str], cells: dict[tuple[int, int], list[str]]
) -> None:
    root = parse(risk_matrix_svg(cells, labels=labels, title=title))
    assert (root[0].text or "") == normalized(title)
    for row in risk_matrix_text(cells):
        assert all("\n" not in cell for cell in row)


@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=40))
def test_property_xml_helpers_always_parse(text: str) -> None:
    element = ET.fromstring(f"<t a={xml_attr(text)}>{xml_text(text)}</t>")
    assert element.get("a") == valid_only(text)
    assert (element.text or "") == normalized(text)


def test_surrogates_and_controls_are_dropped_in_charts() -> None:
    nasty = "A\x00B\ud800C\x1bD\ufffe"
    root = parse(burnup_svg([], title=nasty, labels={"no_data": nasty}))
    assert root[0].text == "ABCD"
    assert "ABCD" in texts(root)
