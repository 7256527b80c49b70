"""``reqctl export xlsx|csv|reqif`` and ``reqctl import csv|xlsx`` in real temporary repositories."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from conftest import git, run_reqctl, write_config, write_item


def _status(root: Path) -> str:
    return git(root, "status", "--porcelain", "-uall").rstrip("\n")


def _seed(root: Path) -> None:
    write_item(root, "requirements", "REQ-001",
               "title: Export the monthly report  # the customer's wording\nstatus: draft\npriority: must\n"
               "owner: ana@example.com\ntags: [reporting, pdf]\nacceptance:\n- PDF opens in Acrobat, Preview\n"
               "- totals match the ledger\neffort: 3\n",
               "The report lists *every* booking.\n\nSecond paragraph.\n")
    write_item(root, "requirements", "REQ-002",
               "title: 系统必须支持中文报表\nstatus: proposed\npriority: should\nmilestone: M1\n"
               "depends_on: [REQ-001]\n", "用户可以导出中文 PDF。\n")
    write_item(root, "requirements", "REQ-003", "title: Audit log\nstatus: draft\n")
    write_item(root, "risks", "RISK-001",
               "title: Vendor late\nstatus: open\nprobability: 3\nimpact: 4\nreview_by: 2026-12-01\n"
               "relates: [REQ-001]\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "seed")


@pytest.fixture
def seeded(project: Path) -> Path:
    _seed(project)
    return project


# ------------------------------------------------------------------ export ----


def test_export_xlsx_has_sheets_header_filters_and_chinese(seeded: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    result = run_reqctl(seeded, "export", "xlsx", "-o", str(out))
    assert result.code == 0, result.err
    assert "3 requirements, 1 risk" in result.out
    book = load_workbook(out)
    assert book.sheetnames == ["requirement", "risk"]
    sheet = book["requirement"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["id", "title", "status", "priority"]
    assert "effort" in header  # a team's own field is a column
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet[1][0].font.bold
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["REQ-002"]["title"] == "系统必须支持中文报表"
    assert rows["REQ-002"]["body"] == "用户可以导出中文 PDF。"
    assert rows["REQ-002"]["depends_on"] == "REQ-001"
    assert rows["REQ-001"]["acceptance"] == "PDF opens in Acrobat, Preview\ntotals match the ledger"
    assert rows["REQ-001"]["effort"] == 3
    risk = book["risk"]
    risk_header = [c.value for c in risk[1]]
    values = dict(zip(risk_header, next(risk.iter_rows(min_row=2, values_only=True)), strict=True))
    assert values["probability"] == 3
    assert values["review_by"] == dt.datetime(2026, 12, 1)
    assert _status(seeded) == ""  # export writes nothing into the project


def test_export_columns_follow_config(seeded: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    write_config(seeded, "export:\n  columns:\n    requirement: [id, priority, title, status]\n")
    out = tmp_path / "cols.xlsx"
    assert run_reqctl(seeded, "export", "xlsx", "--kind", "requirement", "-o", str(out)).code == 0
    sheet = load_workbook(out)["requirement"]
    assert [c.value for c in sheet[1]] == ["id", "priority", "title", "status", "effort"]


def test_export_config_rejects_a_repeated_column(seeded: Path, tmp_path: Path) -> None:
    write_config(seeded, "export:\n  columns:\n    requirement: [id, title, id]\n")
    result = run_reqctl(seeded, "export", "xlsx", "-o", str(tmp_path / "x.xlsx"))
    assert result.code == 2
    assert "'id' twice" in result.err


def test_export_csv_one_file_per_kind_and_bom(seeded: Path, tmp_path: Path) -> None:
    result = run_reqctl(seeded, "export", "csv", "-o", str(tmp_path))
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == ["requirement.csv", "risk.csv"]
    text = (tmp_path / "requirement.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["REQ-001", "REQ-002", "REQ-003"]
    assert rows[1]["title"] == "系统必须支持中文报表"
    out = tmp_path / "bom.csv"
    assert run_reqctl(seeded, "export", "csv", "--kind", "risk", "--bom", "-o", str(out)).code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,title,")
    stdout = run_reqctl(seeded, "export", "csv", "--kind", "requirement", "-o", "-")
    assert stdout.out.startswith("id,title,status")


def test_export_reqif_parses_back_with_the_reqif_library(seeded: Path, tmp_path: Path) -> None:
    from reqif.parser import ReqIFParser

    out = tmp_path / "out.reqif"
    result = run_reqctl(seeded, "export", "reqif", "-o", str(out))
    assert result.code == 0, result.err
    bundle = ReqIFParser.parse(str(out))
    content = bundle.core_content.req_if_content
    names = {}
    for spec_type in content.spec_types:
        for definition in getattr(spec_type, "attribute_definitions", None) or ():
            names[definition.identifier] = definition.long_name
    objects = {}
    for spec_object in content.spec_objects:
        values = {}
        for attribute in spec_object.attributes:
            value = attribute.value
            if value.startswith("<xhtml:div><xhtml:pre>"):
                import html

                inner = value.removeprefix("<xhtml:div><xhtml:pre>").removesuffix("</xhtml:pre></xhtml:div>")
                value = html.unescape(inner)
            values[names[attribute.definition_ref]] = value
        objects[values["ReqIF.ForeignID"]] = (spec_object.identifier, values)
    assert set(objects) == {"REQ-001", "REQ-002", "REQ-003", "RISK-001"}
    assert objects["REQ-002"][1]["ReqIF.Name"] == "系统必须支持中文报表"
    assert objects["REQ-002"][1]["ReqIF.Text"] == "用户可以导出中文 PDF。"
    assert objects["REQ-002"][1]["priority"] == "should"
    assert objects["REQ-001"][1]["acceptance"] == "PDF opens in Acrobat, Preview\ntotals match the ledger"
    assert objects["REQ-001"][1]["ReqIF.Text"] == "The report lists *every* booking.\n\nSecond paragraph."
    assert objects["REQ-001"][1]["effort"] == "3"
    assert objects["RISK-001"][1]["probability"] == "3"
    by_identifier = {identifier: item_id for item_id, (identifier, _values) in objects.items()}
    relation_names = {
        t.identifier: t.long_name for t in content.spec_types if type(t).__name__ == "ReqIFSpecRelationType"
    }
    links = {(by_identifier[r.source], relation_names[r.relation_type_ref], by_identifier[r.target])
             for r in content.spec_relations}
    assert links == {("REQ-002", "depends_on", "REQ-001"), ("RISK-001", "relates", "REQ-001")}
    specifications = {s.long_name: len(s.children) for s in content.specifications}
    assert specifications == {"requirement": 3, "risk": 1}


def test_export_reqif_is_valid_against_the_reqif_schema(seeded: Path, tmp_path: Path) -> None:
    import reqif
    import xmlschema

    write_item(seeded, "requirements", "REQ-004", "title: 'Escapes <b> & \"quotes\"'\nstatus: draft\n",
               "A & B <c>\n\n中文\n")
    out = tmp_path / "out.reqif"
    assert run_reqctl(seeded, "export", "reqif", "-o", str(out)).code == 0
    schema = xmlschema.XMLSchema(str(Path(reqif.__file__).parent / "reqif_schema" / "reqif.xsd"))
    errors = [str(error).splitlines()[0] for error in schema.iter_errors(str(out))]
    assert errors == []


# ------------------------------------------------------------- round trips ----


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(seeded: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"all.{fmt}"
    args = ["--kind", "requirement"] if fmt == "csv" else []
    assert run_reqctl(seeded, "export", fmt, *args, "-o", str(out)).code == 0
    result = run_reqctl(seeded, "import", fmt, str(out))
    assert result.code == 0, result.err
    assert "0 created, 0 updated" in result.out
    assert _status(seeded) == ""


def test_csv_risks_round_trip(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "risk.csv"
    assert run_reqctl(seeded, "export", "csv", "--kind", "risk", "-o", str(out)).code == 0
    result = run_reqctl(seeded, "import", "csv", "--kind", "risk", str(out))
    assert result.code == 0, result.err
    assert "0 created, 0 updated, 1 unchanged" in result.out
    assert _status(seeded) == ""


def test_one_cell_change_is_a_one_line_diff(seeded: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "book.xlsx"
    assert run_reqctl(seeded, "export", "xlsx", "-o", str(out)).code == 0
    book = load_workbook(out)
    sheet = book["requirement"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("priority") + 1, value="could")
    book.save(out)
    result = run_reqctl(seeded, "import", "xlsx", str(out))
    assert result.code == 0, result.err
    assert "update REQ-001" in result.out and "(priority)" in result.out
    diff = git(seeded, "diff", "-U0", "--", "requirements/REQ-001.md")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-priority: must", "+priority: could"]
    assert "# the customer's wording" in (seeded / "requirements/REQ-001.md").read_text(encoding="utf-8")
    assert _status(seeded) == " M requirements/REQ-001.md"


def test_import_into_an_empty_project_recreates_items_and_links(seeded: Path, project_b: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.xlsx"
    assert run_reqctl(seeded, "export", "xlsx", "-o", str(out)).code == 0
    result = run_reqctl(project_b, "import", "xlsx", str(out), "--keep-ids")
    assert result.code == 0, result.err
    assert "4 created" in result.out
    for rel in ("requirements/REQ-002.md", "requirements/REQ-003.md", "risks/RISK-001.md"):
        assert (project_b / rel).read_text(encoding="utf-8") == (seeded / rel).read_text(encoding="utf-8")
    # a column no reqctl field takes is kept under x-import (the new project knows no 'effort' field)
    assert "x-import:\n  effort: 3\n" in (project_b / "requirements/REQ-001.md").read_text(encoding="utf-8")
    check = run_reqctl(project_b, "check")
    assert check.code == 0, check.out + check.err
    again = run_reqctl(project_b, "import", "xlsx", str(out), "--keep-ids")
    assert "0 created, 0 updated, 4 unchanged" in again.out


@pytest.fixture
def project_b(tmp_path: Path) -> Path:
    root = tmp_path / "b"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_config(root)
    (root / ".gitignore").write_text(".reqctl/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


# --------------------------------------------------------- customer sheets ----


def _csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_customer_sheet_with_map_and_unknown_columns(project: Path, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "kunde.csv", [
        ["Req ID", "Titel", "Beschreibung", "Prio", "Abteilung", "Needs"],
        ["K-1", "Login mit SSO", "Über Azure AD.", "must", "IT", ""],
        ["K-2", "Logout", "", "should", "IT", "K-1"],
    ])
    args = ["import", "csv", str(sheet), "--map", "Req ID=id", "--map", "Titel=title", "--map", "Beschreibung=body",
            "--map", "Needs=depends_on"]
    dry = run_reqctl(project, *args, "--dry-run")
    assert dry.code == 0, dry.err
    assert "would create REQ-001" in dry.out and "dry run: nothing written" in dry.out
    assert "Abteilung → x-import.Abteilung" in dry.out
    assert _status(project) == ""
    result = run_reqctl(project, *args)
    assert result.code == 0, result.err
    text = (project / "requirements/REQ-002.md").read_text(encoding="utf-8")
    assert "depends_on: [REQ-001]" in text
    assert "source: sheet:K-2" in text
    assert "x-import:\n  Abteilung: IT\n" in text
    assert "Über Azure AD." in (project / "requirements/REQ-001.md").read_text(encoding="utf-8")
    assert run_reqctl(project, "check").code == 0
    again = run_reqctl(project, *args)
    assert "0 created, 0 updated, 2 unchanged" in again.out
    assert len(list((project / "requirements").glob("*.md"))) == 2


def test_chinese_headers_map_by_themselves(project: Path, tmp_path: Path) -> None:
    rows = [["编号", "标题", "优先级", "描述"], ["A1", "支持微信登录", "must", "使用微信 OAuth。"]]
    sheet = _csv(tmp_path / "需求.csv", rows)
    result = run_reqctl(project, "import", "csv", str(sheet))
    assert result.code == 0, result.err
    text = (project / "requirements/REQ-001.md").read_text(encoding="utf-8")
    assert "title: 支持微信登录" in text and "priority: must" in text and "使用微信 OAuth。" in text


def test_invalid_rows_are_reported_and_nothing_is_written(project: Path, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "sheet.csv", [
        ["id", "title", "priority", "depends_on"],
        ["A", "Fine", "must", ""],
        ["B", "Bad priority", "urgent", ""],
        ["C", "", "must", ""],
        ["D", "Bad link", "must", "Z-9"],
    ])
    result = run_reqctl(project, "import", "csv", str(sheet))
    assert result.code == 2
    lines = result.err.splitlines()
    assert f'error: {sheet}: row 3, column "priority": \'urgent\' is not one of must, should, could, wont' in lines
    assert any('row 4, column "title"' in line for line in lines)
    assert any('row 5, column "depends_on": \'Z-9\'' in line for line in lines)
    assert lines[-1].startswith("error: 3 invalid rows: nothing imported")
    assert "Traceback" not in result.err
    assert _status(project) == ""
    partial = run_reqctl(project, "import", "csv", str(sheet), "--partial")
    assert partial.code == 0, partial.err
    assert "1 created" in partial.out and "3 invalid rows skipped" in partial.out
    assert "row 3" in partial.err
    assert _status(project) == "?? requirements/REQ-001.md"


def test_xlsx_dates_numbers_and_multi_value_cells(project: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "risk"
    sheet.append(["id", "title", "probability", "impact", "review_by", "relates", "Cost"])
    sheet.append(["R1", "Supplier fails", 2.0, 5, dt.datetime(2027, 1, 15), None, 1234.5])
    path = tmp_path / "risks.xlsx"
    book.save(path)
    write_item(project, "requirements", "REQ-001", "title: A\nstatus: draft\n")
    write_item(project, "requirements", "REQ-002", "title: B\nstatus: draft\n")
    sheet.cell(row=2, column=6, value="REQ-001, req-2")
    book.save(path)
    result = run_reqctl(project, "import", "xlsx", str(path))
    assert result.code == 0, result.err
    assert "create RISK-001" in result.out, result.out
    text = (project / "risks/RISK-001.md").read_text(encoding="utf-8")
    assert "probability: 2\n" in text and "impact: 5\n" in text
    assert "review_by: 2027-01-15\n" in text
    assert "relates: [REQ-001, REQ-002]" in text
    assert "Cost: 1234.5" in text


def test_bad_date_names_row_and_column(project: Path, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "r.csv", [["title", "probability", "impact", "review_by"], ["X", "3", "4", "soon"]])
    result = run_reqctl(project, "import", "csv", "--kind", "risk", str(sheet))
    assert result.code == 2
    assert f'{sheet}: row 2, column "review_by": \'soon\' is not a date (expected YYYY-MM-DD)' in result.err


def test_not_a_workbook_is_one_error_line(project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("hello", encoding="utf-8")
    result = run_reqctl(project, "import", "xlsx", str(bad))
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "is not an XLSX workbook" in result.err


def test_a_failure_midway_leaves_every_file_as_it_was(
    seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reqctl.errors import ReqctlError
    from reqctl.store import roundtrip

    sheet = _csv(tmp_path / "s.csv", [["id", "title"], ["REQ-001", "Changed title"], ["NEW-1", "A new one"]])

    def fail(*_args: object, **_kwargs: object) -> None:
        raise ReqctlError("disk full")

    monkeypatch.setattr(roundtrip, "edit_front_matter", fail)
    result = run_reqctl(seeded, "import", "csv", str(sheet))
    assert result.code == 2
    assert "disk full" in result.err
    assert _status(seeded) == ""


def test_export_names_each_item_it_leaves_out(seeded: Path, tmp_path: Path) -> None:
    write_item(seeded, "requirements", "REQ-009", "title: Broken\npriority: [not, text]\n")
    result = run_reqctl(seeded, "export", "csv", "--kind", "requirement", "-o", str(tmp_path / "r.csv"))
    assert result.code == 0
    assert "warning: requirements/REQ-009.md" in result.err and "skipped" in result.err
    assert "REQ-009" not in (tmp_path / "r.csv").read_text(encoding="utf-8")


def test_a_sheet_of_some_columns_updates_only_those(seeded: Path, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "prio.csv", [["ID", "Priority"], ["req-2", "must"], ["REQ-003", ""]])
    result = run_reqctl(seeded, "import", "csv", str(sheet))
    assert result.code == 0, result.err
    assert "update REQ-002" in result.out and "0 created, 1 updated, 1 unchanged" in result.out
    assert "priority: must\n" in (seeded / "requirements/REQ-002.md").read_text(encoding="utf-8")
    new_row = _csv(tmp_path / "new.csv", [["id", "priority"], ["X-1", "must"]])
    refused = run_reqctl(seeded, "import", "csv", str(new_row))
    assert refused.code == 2
    assert 'row 2, column "title": a new item needs a title' in refused.err
