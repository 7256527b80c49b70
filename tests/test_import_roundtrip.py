"""Export then import of the same file changes nothing, for ReqIF, XLSX and CSV, in real temporary repositories.

Projects: both bundled examples (every kind, Chinese text) and a hand-made one with what breaks
round trips: multi-paragraph bodies, lists, code blocks with '<' and '&', custom fields.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import git, run_reqctl, write_config, write_item

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FORMATS = ("reqif", "xlsx", "csv")

RICH_BODY = """The export **shall** keep:

1. numbered lists
2. with `code` and <angle brackets> & ampersands

- bullets
  - nested

```python
if a < b and c > d:
    print("&amp; stays &amp;")
```

最后一段：中文内容，含“引号”。"""


def _status(root: Path) -> str:
    return git(root, "status", "--porcelain", "-uall").rstrip("\n")


def _commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "seed")


def _rich(root: Path) -> None:
    write_item(root, "requirements", "REQ-001",
               "title: 导出报表 <PDF> & CSV\nstatus: draft\npriority: must\nowner: 王伟\n"
               "tags: [报表, export]\nacceptance:\n- opens in Acrobat, Preview\n- 合计与总账一致\n"
               "effort: 3\nx-supplier: Acme & Söhne\n",
               RICH_BODY + "\n")
    write_item(root, "requirements", "REQ-002",
               "title: Second\nstatus: draft\ndepends_on: [REQ-001]\nreviewed_on: 2026-01-05\n",
               "Line one  \nline two after a hard break.\n\n\n\nAfter blank lines.\n")
    write_item(root, "requirements", "REQ-003", "title: 'yes'\nstatus: draft\nx-count: 12\n")
    write_item(root, "risks", "RISK-001",
               "title: Vendor late\nstatus: open\nprobability: 3\nimpact: 4\nrelates: [REQ-001, REQ-002]\n")


@pytest.fixture(params=["acme-portal", "zh-erp", "rich"])
def source_project(request: pytest.FixtureRequest, project: Path) -> Path:
    if request.param == "rich":
        _rich(project)
    else:
        for entry in (EXAMPLES / request.param).iterdir():
            target = project / entry.name
            if entry.is_dir():
                shutil.copytree(entry, target, dirs_exist_ok=True)
            else:
                shutil.copy2(entry, target)
    _commit(project)
    assert run_reqctl(project, "check").code == 0
    return project


def _export(root: Path, fmt: str, out_dir: Path) -> list[tuple[list[str], Path]]:
    """The import commands (arguments, file) for one export of every kind."""
    if fmt == "csv":
        folder = out_dir / "csv"
        folder.mkdir()
        assert run_reqctl(root, "export", "csv", "-o", str(folder)).code == 0
        # requirements first: the other kinds' references name them
        files = sorted(folder.glob("*.csv"), key=lambda path: (path.stem != "requirement", path.stem))
        return [(["--kind", path.stem], path) for path in files]
    out = out_dir / f"all.{fmt}"
    result = run_reqctl(root, "export", fmt, "-o", str(out))
    assert result.code == 0, result.err
    return [([], out)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_changes_nothing(source_project: Path, tmp_path: Path, fmt: str) -> None:
    for args, path in _export(source_project, fmt, tmp_path):
        dry = run_reqctl(source_project, "--lang", "en", "import", fmt, *args, str(path), "--dry-run")
        assert dry.code == 0, dry.err
        assert " 0 created, 0 updated, " in dry.out, dry.out
        result = run_reqctl(source_project, "--lang", "en", "import", fmt, *args, str(path))
        assert result.code == 0, result.err
        assert " 0 created, 0 updated, " in result.out, result.out
    assert _status(source_project) == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_into_an_empty_project_gives_the_same_files(source_project: Path, tmp_path: Path, fmt: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    shutil.copy2(source_project / "reqctl.yaml", empty / "reqctl.yaml")
    _commit(empty)
    exported = _export(source_project, fmt, tmp_path)
    if fmt == "csv":  # one file per kind: references between the other kinds need their targets first
        exported = [entry for entry in exported if entry[1].stem == "requirement"]
    for args, path in exported:
        result = run_reqctl(empty, "import", fmt, *args, str(path), "--keep-ids")
        assert result.code == 0, result.err
    folders = "requirements" if fmt == "csv" else "*"
    for original in sorted(source_project.glob(f"{folders}/*.md")):
        rel = original.relative_to(source_project)
        copy = (empty / rel).read_text(encoding="utf-8")
        text = original.read_text(encoding="utf-8")
        assert _body(copy) == _body(text), rel
        # the same values; approvals are never exported, a team's own fields land under x-import
        before, after = _front(text), _front(copy)
        assert {k: v for k, v in after.items() if k != "x-import"} == {
            k: v for k, v in before.items() if k in after and k not in ("approvals", "approval")
        }, rel
        assert set(before) - set(after) <= {"approvals", "approval", *after.get("x-import", {})}, rel
    for args, path in exported:
        again = run_reqctl(empty, "--lang", "en", "import", fmt, *args, str(path), "--keep-ids", "--dry-run")
        assert " 0 created, 0 updated, " in again.out, again.out


def _front(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert isinstance(data, dict)
    return {key: value for key, value in data.items() if value not in ([], {}, None, "")}


def _body(text: str) -> str:
    return text.split("\n---\n", 1)[1] if "\n---\n" in text else ""


def _one_line_diff(root: Path, rel: str) -> list[str]:
    diff = git(root, "diff", "-U0", "--", rel)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_reqif_one_value_changed_is_a_one_line_diff(project: Path, tmp_path: Path) -> None:
    _rich(project)
    _commit(project)
    out = tmp_path / "all.reqif"
    assert run_reqctl(project, "export", "reqif", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    assert text.count('THE-VALUE="must"') == 1
    out.write_text(text.replace('THE-VALUE="must"', 'THE-VALUE="could"'), encoding="utf-8")
    result = run_reqctl(project, "import", "reqif", str(out))
    assert result.code == 0, result.err
    assert "update REQ-001" in result.out and "(priority)" in result.out
    assert _one_line_diff(project, "requirements/REQ-001.md") == ["-priority: must", "+priority: could"]
    assert _status(project) == " M requirements/REQ-001.md"


def test_reqif_body_and_tag_edits_come_back(project: Path, tmp_path: Path) -> None:
    _rich(project)
    _commit(project)
    out = tmp_path / "all.reqif"
    assert run_reqctl(project, "export", "reqif", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    text = text.replace("After blank lines.", "After blank lines, edited.").replace("报表, export", "报表")
    out.write_text(text, encoding="utf-8")
    result = run_reqctl(project, "import", "reqif", str(out))
    assert result.code == 0, result.err
    assert "2 updated" in result.out
    assert _one_line_diff(project, "requirements/REQ-002.md") == ["-After blank lines.", "+After blank lines, edited."]
    assert _one_line_diff(project, "requirements/REQ-001.md") == ["-tags: [报表, export]", "+tags: [报表]"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sheet_one_cell_change_is_a_one_line_diff(project: Path, tmp_path: Path, fmt: str) -> None:
    _rich(project)
    _commit(project)
    out = tmp_path / f"req.{fmt}"
    assert run_reqctl(project, "export", fmt, "--kind", "requirement", "-o", str(out)).code == 0
    if fmt == "csv":
        text = out.read_text(encoding="utf-8")
        assert text.count(",must,") == 1
        out.write_text(text.replace(",must,", ",could,"), encoding="utf-8")
    else:
        from openpyxl import load_workbook

        book = load_workbook(out)
        sheet = book["requirement"]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=2, column=header.index("priority") + 1, value="could")
        book.save(out)
    result = run_reqctl(project, "import", fmt, str(out))
    assert result.code == 0, result.err
    assert _one_line_diff(project, "requirements/REQ-001.md") == ["-priority: must", "+priority: could"]
    assert _status(project) == " M requirements/REQ-001.md"


def test_a_foreign_reqif_file_is_not_taken_for_a_reqctl_export(project: Path, tmp_path: Path) -> None:
    write_config(project)
    _rich(project)
    _commit(project)
    out = tmp_path / "all.reqif"
    assert run_reqctl(project, "export", "reqif", "-o", str(out)).code == 0
    foreign = tmp_path / "doors.reqif"
    foreign.write_text(out.read_text(encoding="utf-8").replace("reqctl 0", "DOORS 9"), encoding="utf-8")
    result = run_reqctl(project, "import", "reqif", str(foreign), "--dry-run")
    assert result.code == 0, result.err
    assert "x-reqif" in result.out and "would create" in result.out


# A body as the exporter wraps it comes back exactly: through reqif_text, the reqif library's
# parser and reqif_own.sheets_of, on generated text (every printable character, '<', '&', blank lines).
_LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_BODY = st.lists(_LINE, min_size=1, max_size=6).map("\n".join).map(lambda s: s.strip("\n").rstrip())


@settings(max_examples=60, deadline=None)
@given(body=_BODY, title=_LINE.map(str.strip).filter(bool))
def test_reqif_body_round_trips_through_the_reqif_library(body: str, title: str) -> None:
    from reqctl.exporting import Table
    from reqctl.exporting.reqif_export import reqif_text
    from reqctl.importing import reqif_own
    from reqctl.importing.reqif_import import _parse
    from reqctl.model.ids import Kind

    table = Table(Kind.REQUIREMENT, ["id", "title", "body", "x-note"],
                  [["REQ-001", title, body or None, body or None]], [])
    text = reqif_text([table], title="t")
    bundles = [("t.reqif", _parse(text, "t.reqif"))]
    assert reqif_own.is_reqctl_export(bundles)
    [sheet] = reqif_own.sheets_of(bundles)
    assert sheet.header == ["id", "title", "body", "x-note"]
    [(_number, cells)] = sheet.rows
    expected_body = body or None
    assert cells == ["REQ-001", title, expected_body, expected_body]


def test_reqif_invalid_value_names_the_spec_object_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    _rich(project)
    _commit(project)
    out = tmp_path / "all.reqif"
    assert run_reqctl(project, "export", "reqif", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8").replace('THE-VALUE="must"', 'THE-VALUE="urgent"')
    out.write_text(text.replace("After blank lines.", "Edited."), encoding="utf-8")
    result = run_reqctl(project, "import", "reqif", str(out))
    assert result.code == 2
    assert (f'error: {out} [requirement]: SPEC-OBJECT REQ-001, column "priority": '
            "'urgent' is not one of must, should, could, wont") in result.err
    assert "Traceback" not in result.err and _status(project) == ""
    partial = run_reqctl(project, "import", "reqif", str(out), "--partial")
    assert partial.code == 0, partial.err
    assert _status(project) == " M requirements/REQ-002.md"
    foreign = tmp_path / "doors.reqif"
    foreign.write_text(text.replace("reqctl 0", "DOORS 9"), encoding="utf-8")
    refused = run_reqctl(project, "import", "reqif", str(foreign), "--partial")
    assert refused.code == 2 and "--partial: only for a file 'reqctl export reqif' wrote" in refused.err
