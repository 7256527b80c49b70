"""The cell → field value parser, the fast new-file renderer and the XLSX value reader, on generated input."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqctl.exporting.columns import cell_text, cell_value
from reqctl.importing.cells import CellError, parse_cell, parse_custom
from reqctl.model.ids import Kind
from reqctl.store import frontmatter, roundtrip

FIELDS = {
    Kind.REQUIREMENT: ["id", "title", "status", "priority", "owner", "source", "milestone", "tags", "depends_on",
                       "acceptance", "body"],
    Kind.RISK: ["probability", "impact", "review_by", "identified", "relates", "mitigation"],
    Kind.MEETING: ["date", "attendees", "actions"],
    Kind.CHANGE: ["impact", "affects", "created"],
}
cells = st.one_of(
    st.none(), st.text(), st.integers(), st.floats(allow_nan=True), st.booleans(), st.dates(),
    st.datetimes(), st.sampled_from(["", " ", "3", "3.0", "2026-02-30", "REQ-001, req-2", "a\nb", "[1]", "true"]),
)
field_of = st.sampled_from([(kind, name) for kind, names in FIELDS.items() for name in names])


@settings(max_examples=150, deadline=None)
@given(field_of, cells)
def test_any_cell_parses_or_gives_a_cell_error(kind_field: tuple[Kind, str], cell: Any) -> None:
    kind, name = kind_field
    try:
        value = parse_cell(kind, name, cell)
    except CellError as exc:
        assert str(exc)
        return
    # whatever was read is stable: written back as text and read again, it reads the same
    text = cell_text(kind, name, value)
    again = parse_cell(kind, name, text) if text else None
    assert cell_text(kind, name, again) == text


@settings(max_examples=150, deadline=None)
@given(field_of, cells)
def test_an_xlsx_cell_written_by_export_reads_back_as_the_same_text(kind_field: tuple[Kind, str], cell: Any) -> None:
    kind, name = kind_field
    try:
        value = parse_cell(kind, name, cell)
    except CellError:
        return
    written = cell_value(kind, name, value)
    assert cell_text(kind, name, parse_cell(kind, name, written)) == cell_text(kind, name, value)


scalars = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                    st.dates())


@settings(max_examples=150, deadline=None)
@given(scalars)
def test_custom_values_survive_csv_text(value: Any) -> None:
    text = cell_text(Kind.REQUIREMENT, "x", value)
    expected = text.replace("\r\n", "\n").replace("\r", "\n") if text.strip() else ""  # line ends become \n
    assert cell_text(Kind.REQUIREMENT, "x", parse_custom(text) if text.strip() else None) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("REQ-001, req-2;REQ-3\nREQ-4", ["REQ-001", "REQ-2", "REQ-3", "REQ-4"]),
    (" ", None),
    (3.0, None),
])
def test_reference_lists(cell: Any, expected: Any) -> None:
    if isinstance(cell, float):
        assert parse_cell(Kind.REQUIREMENT, "depends_on", cell) == ["3"]
    else:
        assert parse_cell(Kind.REQUIREMENT, "depends_on", cell) == expected


def test_typed_cells() -> None:
    assert parse_cell(Kind.RISK, "probability", 3.0) == 3
    assert parse_cell(Kind.RISK, "review_by", dt.datetime(2027, 1, 2)) == dt.date(2027, 1, 2)
    assert parse_cell(Kind.RISK, "review_by", "2027-01-02") == dt.date(2027, 1, 2)
    assert parse_cell(Kind.REQUIREMENT, "acceptance", "a, b\n\nc") == ["a, b", "c"]
    assert parse_cell(Kind.REQUIREMENT, "title", 42.0) == "42"
    assert parse_custom("007") == "007" and parse_custom("12") == 12 and parse_custom("1.5") == 1.5
    with pytest.raises(CellError, match="is not a whole number"):
        parse_cell(Kind.RISK, "probability", "high")
    with pytest.raises(CellError, match="has a time of day"):
        parse_cell(Kind.RISK, "review_by", dt.datetime(2027, 1, 2, 10, 30))


# -------------------------------------------------------------- new files ----

texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
ids = st.from_regex(r"REQ-[0-9]{3}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(
    title=st.one_of(st.sampled_from(["Export 报表", "yes", "Note:", "a # b", "C# code", "Ünïcode, ok", "x: y"]),
                    texts.filter(lambda t: t.strip() and "\n" not in t and "\r" not in t)),
    tags=st.lists(texts.filter(str.strip), max_size=3),
    depends=st.lists(ids, max_size=3),
    acceptance=st.lists(texts.filter(str.strip), max_size=3),
    custom=st.dictionaries(texts.filter(str.strip), scalars, max_size=3),
    body=texts,
)
def test_fast_render_reads_back_like_roundtrip_render(
    title: str, tags: list[str], depends: list[str], acceptance: list[str], custom: dict[str, Any], body: str
) -> None:
    from reqctl.importing.newfiles import render_new

    data: dict[str, Any] = {"id": "REQ-001", "title": title, "status": "draft", "tags": tags,
                            "depends_on": depends, "acceptance": acceptance}
    if custom:
        data["x-import"] = custom
    fast = frontmatter.parse(render_new(data, body).encode("utf-8"), "f.md")
    slow = frontmatter.parse(roundtrip.render_new(data, body).encode("utf-8"), "f.md")
    assert fast.data == data  # (ruamel's render_new writes U+0085 in a way PyYAML reads back as a space)
    assert fast.body == slow.body
    from reqctl.importing.newfiles import _emit_pyyaml, _emit_simple

    simple = _emit_simple(data)
    if simple is not None and "|" not in simple:  # the shortcut writes exactly what PyYAML writes
        assert simple == _emit_pyyaml(data)


def test_fast_render_layout_matches_roundtrip_for_plain_values() -> None:
    from reqctl.importing.newfiles import render_new

    data = {"id": "REQ-001", "title": "Export 报表", "status": "draft", "tags": ["a", "b"],
            "depends_on": ["REQ-002"], "acceptance": ["one, two", "three"], "x-import": {"Col A": "no", "n": 3}}
    assert render_new(data, "Body\n") == roundtrip.render_new(data, "Body\n")
    meeting = {"id": "MTG-001", "title": "Kickoff", "date": dt.date(2026, 1, 5),
               "actions": [{"what": "Send notes", "owner": "ana", "done": False}], "attendees": ["ana", "bo"]}
    assert render_new(meeting, "") == roundtrip.render_new(meeting, "")


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(texts.filter(lambda t: "\n" not in t and "\r" not in t), min_size=2, max_size=5),
       end=st.sampled_from(["", "\n", "\n\n"]))
def test_fast_render_writes_multi_line_text_as_the_literal_block_roundtrip_writes(lines: list[str], end: str) -> None:
    """What plan.py gives ruamel as a LiteralScalarString (``|`` block) the fast writer writes the same way."""
    from reqctl.importing.newfiles import literal_ok, render_new
    from reqctl.importing.plan import _readable

    text = "\n".join(lines) + end
    data = {"id": "REQ-001", "title": "T", "text": text, "x-reqif": {"note": text, "k": "v"}}
    fast = render_new(data, "")
    assert frontmatter.parse(fast.encode("utf-8"), "f.md").data == data
    block = fast.startswith("---\nid: REQ-001\ntitle: T\ntext: |")
    assert block == literal_ok(text)
    if block:  # as ruamel writes it
        assert fast == roundtrip.render_new(_readable(data), "")


# ------------------------------------------------------------- xlsx reader ----


def test_xlsx_reader_reads_what_openpyxl_reads() -> None:
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from reqctl.importing.xlsx_reader import Workbook as FastBook

    book = Workbook()
    sheet = book.active
    sheet.title = "需求"
    sheet.append(["id", "when", "n", "x", "flag", "text"])
    sheet.append(["A", dt.date(2027, 3, 1), 3, 2.5, True, "中文\nzweite Zeile"])
    sheet.append([None, dt.datetime(2027, 3, 1, 12, 30), -4, 1e20, False, None])
    sheet["F3"] = CellRichText([TextBlock(InlineFont(b=True), "bold"), " plain"])
    sheet["H5"] = "far away"
    other = book.create_sheet("risk")
    other.append(["title"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    expected = [list(row) for row in load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(
        values_only=True)]
    fast = FastBook(io.BytesIO(data))
    assert fast.sheetnames == ["需求", "risk"]
    rows = dict(fast.rows("需求"))
    width = max(len(r) for r in expected)
    for number, row in enumerate(expected, start=1):
        got = (rows.get(number, []) + [None] * width)[:width]
        assert got == (row + [None] * width)[:width], number
    assert rows[3][5] == "bold plain"
    assert list(fast.rows("risk")) == [(1, ["title"])]


def test_xlsx_reader_refuses_a_zip_that_is_no_workbook() -> None:
    import zipfile

    from reqctl.importing.xlsx_reader import Workbook as FastBook
    from reqctl.importing.xlsx_reader import XlsxError

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(XlsxError):
        FastBook(io.BytesIO(buffer.getvalue()))
