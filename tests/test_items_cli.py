"""Item commands for every kind: add, list, show, status, edit — as a user runs them.

The ``--json`` keys asserted here are the stable contract scripts build on:

* every item: ``kind``, ``id``, ``title``, ``body``, ``path`` (project-relative,
  POSIX), plus the kind's fields under their file names;
* requirement: ``status``, ``priority`` (when set), ``depends_on``,
  ``acceptance``, ``tags`` (always lists), ``fingerprint`` (``sha256:…``),
  ``approval_state`` (``none`` | ``approved`` | ``suspect``);
* risk: ``probability``, ``impact``, ``score`` (= probability × impact);
* meeting: ``date``, ``kind``, ``actions`` (list of ``what``/``owner``/``due``/``done``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len

from conftest import Result, run_reqctl


def front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def assert_one_line_error(result: Result, code: int = 2) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    return lines[0]


def add(project: Path, *args: str) -> str:
    result = run_reqctl(project, *args)
    assert result.code == 0, result.err
    return result.out.strip()


def editor_script(tmp_path: Path, code: str) -> str:
    """An $EDITOR: a python script that rewrites the file given as its argument."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        f"{code}\n"
        "p.write_text(t, encoding='utf-8')\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


# --- requirements -----------------------------------------------------------------------


def test_req_add_prints_id_and_writes_fields(project: Path) -> None:
    assert add(project, "req", "add", "Base") == "REQ-001"
    new_id = add(
        project,
        "req",
        "add",
        "Export invoices as PDF",
        "--priority",
        "must",
        "--acceptance",
        "A 20-page invoice exports within 3 s",
        "--acceptance",
        "File name has the number",
        "--depends",
        "REQ-001",
        "--milestone",
        "M1",
        "--owner",
        "alice@example.com",
        "--tag",
        "finance",
        "--body",
        "Finance staff send invoices to auditors.",
    )
    assert new_id == "REQ-002"
    path = project / "requirements" / "REQ-002.md"
    data = front(path)
    assert data == {
        "id": "REQ-002",
        "title": "Export invoices as PDF",
        "status": "draft",
        "priority": "must",
        "owner": "alice@example.com",
        "milestone": "M1",
        "tags": ["finance"],
        "depends_on": ["REQ-001"],
        "acceptance": ["A 20-page invoice exports within 3 s", "File name has the number"],
    }
    assert path.read_text(encoding="utf-8").endswith("---\nFinance staff send invoices to auditors.\n")
    assert run_reqctl(project, "check").code == 0


def test_req_add_body_from_stdin(project: Path) -> None:
    result = run_reqctl(project, "req", "add", "Stdin", "--body", "-", stdin="line one\nline two\n")
    assert result.code == 0, result.err
    text = (project / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert text.endswith("---\nline one\nline two\n")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--depends", "REQ-042"), "REQ-042"),
        (("--milestone", "M9"), "M9"),
        (("--priority", "urgent"), "urgent"),
        (("--status", "approved"), "approved"),
        (("--depends", "../../etc/passwd"), "not an item ID"),
    ],
)
def test_req_add_rejects_bad_input(project: Path, args: tuple[str, ...], needle: str) -> None:
    result = run_reqctl(project, "req", "add", "Bad", *args)
    line = assert_one_line_error(result)
    assert needle in line
    assert list((project / "requirements").iterdir()) == []


def test_req_add_depends_accepts_lower_case_and_short_numbers(project: Path) -> None:
    add(project, "req", "add", "Base")
    assert add(project, "req", "add", "Dependent", "--depends", "req-1") == "REQ-002"
    assert front(project / "requirements" / "REQ-002.md")["depends_on"] == ["REQ-001"]
    assert run_reqctl(project, "check").code == 0


CJK_TITLES = [
    "导出发票为PDF格式",
    "Plain ASCII title",
    "客户可以在线支付订单并收到电子发票",
    "Ｆｕｌｌ width 日本語",
]


def test_req_list_table_aligns_cjk(project: Path) -> None:
    for title in CJK_TITLES:
        add(project, "req", "add", title, "--priority", "should")
    result = run_reqctl(project, "req", "list")
    assert result.code == 0, result.err
    lines = result.out.rstrip("\n").splitlines()
    table = lines[:-1]
    widths = {cell_len(line) for line in table}
    assert len(widths) == 1, [(cell_len(line), line) for line in table]

    # The vertical borders of each row fall in the same display columns.
    def border_columns(line: str) -> list[int]:
        return [cell_len(line[:i]) for i, ch in enumerate(line) if ch in "│┃"]

    body_rows = [line for line in table if line.startswith("│")]
    assert len(body_rows) == len(CJK_TITLES)
    assert len({tuple(border_columns(line)) for line in body_rows}) == 1
    for title in CJK_TITLES:
        assert any(title in line for line in body_rows), title
    assert lines[-1] == "4 requirements"


def test_req_list_status_filter_and_json(project: Path) -> None:
    add(project, "req", "add", "One", "--priority", "must", "--acceptance", "ok")
    add(project, "req", "add", "Two", "--status", "proposed", "--depends", "REQ-001")
    add(project, "req", "add", "Three")
    result = run_reqctl(project, "req", "list", "--status", "draft")
    assert result.code == 0
    assert "One" in result.out and "Three" in result.out and "Two" not in result.out
    assert result.out.rstrip().endswith("2 requirements")

    data = json.loads(run_reqctl(project, "req", "list", "--json", "--status", "proposed").out)
    assert [row["id"] for row in data] == ["REQ-002"]

    rows = json.loads(run_reqctl(project, "req", "list", "--json").out)
    assert [row["id"] for row in rows] == ["REQ-001", "REQ-002", "REQ-003"]
    first = rows[0]
    stable = {
        "kind",
        "id",
        "title",
        "body",
        "status",
        "priority",
        "depends_on",
        "acceptance",
        "tags",
        "path",
        "fingerprint",
        "approval_state",
    }
    assert stable <= set(first)
    assert first["kind"] == "requirement"
    assert first["path"] == "requirements/REQ-001.md"
    assert first["acceptance"] == ["ok"]
    assert first["fingerprint"].startswith("sha256:")
    assert first["approval_state"] == "none"
    assert rows[1]["depends_on"] == ["REQ-001"]
    assert rows[2]["depends_on"] == [] and rows[2]["tags"] == []

    bad = run_reqctl(project, "req", "list", "--status", "nonsense")
    assert "nonsense" in assert_one_line_error(bad)


def test_req_list_empty(project: Path) -> None:
    result = run_reqctl(project, "req", "list", "--json")
    assert result.code == 0
    assert json.loads(result.out) == []


def test_req_show_text_and_json(project: Path) -> None:
    add(project, "req", "add", "Base")
    add(
        project,
        "req",
        "add",
        "Export invoices",
        "--priority",
        "must",
        "--acceptance",
        "Fast export",
        "--depends",
        "REQ-001",
        "--body",
        "Auditors need PDFs.",
    )
    shown = run_reqctl(project, "req", "show", "REQ-002")
    assert shown.code == 0, shown.err
    assert "REQ-002" in shown.out and "Export invoices" in shown.out
    assert "priority: must" in shown.out
    assert "depends_on: REQ-001" in shown.out
    assert "Fast export" in shown.out
    assert "Auditors need PDFs." in shown.out
    assert "requirements/REQ-002.md" in shown.out

    data = json.loads(run_reqctl(project, "req", "show", "REQ-002", "--json").out)
    assert data["id"] == "REQ-002"
    assert data["title"] == "Export invoices"
    assert data["body"] == "Auditors need PDFs.\n"
    assert data["acceptance"] == ["Fast export"]
    assert data["path"] == "requirements/REQ-002.md"


@pytest.mark.parametrize("typed", ["req-1", "REQ-1", "req-001", " REQ-001 "])
def test_ids_are_found_case_insensitively_and_without_padding(project: Path, typed: str) -> None:
    add(project, "req", "add", "Base")
    data = json.loads(run_reqctl(project, "req", "show", typed, "--json").out)
    assert data["id"] == "REQ-001"


def test_show_unknown_id_and_wrong_kind(project: Path) -> None:
    add(project, "risk", "add", "Late", "--probability", "2", "--impact", "3")
    assert "REQ-009" in assert_one_line_error(run_reqctl(project, "req", "show", "REQ-009"))
    assert "RISK-001" in assert_one_line_error(run_reqctl(project, "req", "show", "RISK-001"))


def test_req_status_moves_and_refuses_unknown(project: Path) -> None:
    add(project, "req", "add", "One")
    path = project / "requirements" / "REQ-001.md"
    moved = run_reqctl(project, "req", "status", "req-1", "proposed")
    assert moved.code == 0, moved.err
    assert moved.out.strip() == "REQ-001: draft → proposed"
    assert front(path)["status"] == "proposed"
    before = path.read_bytes()
    line = assert_one_line_error(run_reqctl(project, "req", "status", "REQ-001", "done"))
    assert "'done'" in line
    assert path.read_bytes() == before
    # Moving to approved needs an approval first.
    line = assert_one_line_error(run_reqctl(project, "req", "status", "REQ-001", "approved"))
    assert "reqctl approve REQ-001" in line
    assert path.read_bytes() == before
    again = run_reqctl(project, "req", "status", "REQ-001", "proposed")
    assert again.code == 0 and "already proposed" in again.out
    assert path.read_bytes() == before


def test_req_edit_valid_edit_is_saved(project: Path, tmp_path: Path) -> None:
    add(project, "req", "add", "Old title")
    editor = editor_script(tmp_path, "t = t.replace('Old title', 'New title') + 'More text.\\n'")
    result = run_reqctl(project, "req", "edit", "REQ-001", env={"EDITOR": editor, "VISUAL": ""})
    assert result.code == 0, result.err
    assert result.out.strip() == "REQ-001: saved"
    text = (project / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert "title: New title" in text
    assert text.endswith("More text.\n")


@pytest.mark.parametrize(
    "code",
    [
        "t = t.replace('status: draft', 'status: nonsense')",
        "t = t.replace('title: Old title', 'title: [unclosed')",
        "t = t.replace('id: REQ-001', 'id: REQ-777')",
        "t = t.replace('---\\n', '', 1)",
    ],
)
def test_req_edit_invalid_edit_leaves_file_unchanged(project: Path, tmp_path: Path, code: str) -> None:
    add(project, "req", "add", "Old title")
    path = project / "requirements" / "REQ-001.md"
    before = path.read_bytes()
    editor = editor_script(tmp_path, code)
    result = run_reqctl(project, "req", "edit", "REQ-001", env={"EDITOR": editor, "VISUAL": ""})
    line = assert_one_line_error(result)
    assert "unchanged" in line
    assert path.read_bytes() == before


def test_req_edit_no_change(project: Path, tmp_path: Path) -> None:
    add(project, "req", "add", "Same")
    editor = editor_script(tmp_path, "pass")
    result = run_reqctl(project, "req", "edit", "REQ-001", env={"EDITOR": editor, "VISUAL": ""})
    assert result.code == 0
    assert "no changes" in result.out


def test_req_edit_saved_as_latin1_is_refused(project: Path, tmp_path: Path) -> None:
    add(project, "req", "add", "Cafe")
    path = project / "requirements" / "REQ-001.md"
    before = path.read_bytes()
    editor = editor_script(tmp_path, "p.write_bytes(t.replace('Cafe', 'Caf\\xe9').encode('latin-1')); raise SystemExit")
    line = assert_one_line_error(run_reqctl(project, "req", "edit", "REQ-001", env={"EDITOR": editor, "VISUAL": ""}))
    assert "UTF-8" in line
    assert path.read_bytes() == before


def test_req_edit_failing_editor(project: Path) -> None:
    add(project, "req", "add", "Same")
    path = project / "requirements" / "REQ-001.md"
    before = path.read_bytes()
    env = {"EDITOR": f"{sys.executable} -c 'raise SystemExit(3)'", "VISUAL": ""}
    assert "status 3" in assert_one_line_error(run_reqctl(project, "req", "edit", "REQ-001", env=env))
    env = {"EDITOR": "/nonexistent/editor", "VISUAL": ""}
    assert "editor" in assert_one_line_error(run_reqctl(project, "req", "edit", "REQ-001", env=env))
    assert path.read_bytes() == before


# --- risks, decisions, meetings ---------------------------------------------------------


def test_risk_add_list_show_sort(project: Path) -> None:
    assert add(project, "risk", "add", "Low risk", "--probability", "1", "--impact", "2") == "RISK-001"
    add(
        project,
        "risk",
        "add",
        "High risk",
        "--probability",
        "4",
        "--impact",
        "5",
        "--owner",
        "pm@example.com",
        "--mitigation",
        "Hire early",
        "--review-by",
        "2030-01-01",
    )
    add(project, "risk", "add", "Mid risk", "--probability", "3", "--impact", "3")
    data = front(project / "risks" / "RISK-002.md")
    assert data["probability"] == 4 and data["impact"] == 5
    assert data["status"] == "open"
    assert data["mitigation"] == "Hire early"
    assert str(data["review_by"]) == "2030-01-01"

    listed = run_reqctl(project, "risk", "list", "--sort", "score")
    assert listed.code == 0, listed.err
    assert "score" in listed.out
    rows = [line for line in listed.out.splitlines() if "RISK-" in line]
    assert [row.split("│")[1].strip() for row in rows] == ["RISK-002", "RISK-003", "RISK-001"]
    assert [row.split("│")[4].strip() for row in rows] == ["20", "9", "2"]

    rows_json = json.loads(run_reqctl(project, "risk", "list", "--json", "--sort", "score").out)
    assert [(r["id"], r["score"]) for r in rows_json] == [
        ("RISK-002", 20),
        ("RISK-003", 9),
        ("RISK-001", 2),
    ]
    shown = json.loads(run_reqctl(project, "risk", "show", "RISK-002", "--json").out)
    assert shown["score"] == 20 and shown["kind"] == "risk"
    text = run_reqctl(project, "risk", "show", "RISK-002")
    assert "score: 20" in text.out

    moved = run_reqctl(project, "risk", "status", "RISK-001", "closed")
    assert moved.code == 0
    assert front(project / "risks" / "RISK-001.md")["status"] == "closed"
    assert assert_one_line_error(run_reqctl(project, "risk", "status", "RISK-001", "draft"))
    assert "--sort" in assert_one_line_error(run_reqctl(project, "risk", "list", "--sort", "bogus"))


@pytest.mark.parametrize("args", [("--probability", "0", "--impact", "3"), ("--probability", "3", "--impact", "6")])
def test_risk_add_rejects_out_of_range_scores(project: Path, args: tuple[str, ...]) -> None:
    assert_one_line_error(run_reqctl(project, "risk", "add", "Bad", *args))
    assert list((project / "risks").iterdir()) == []


def test_decision_add_list_show_status(project: Path) -> None:
    new_id = add(
        project,
        "decision",
        "add",
        "Use PostgreSQL",
        "--date",
        "2026-10-01",
        "--decider",
        "pm@example.com",
        "--decider",
        "customer@example.com",
    )
    assert new_id == "DEC-001"
    data = front(project / "decisions" / "DEC-001.md")
    assert data["status"] == "proposed"
    assert data["deciders"] == ["pm@example.com", "customer@example.com"]
    text = (project / "decisions" / "DEC-001.md").read_text(encoding="utf-8")
    assert "## Context" in text and "## Decision" in text and "## Consequences" in text
    add(
        project,
        "decision",
        "add",
        "Use MySQL instead",
        "--status",
        "accepted",
        "--supersedes",
        "DEC-001",
    )
    assert front(project / "decisions" / "DEC-002.md")["supersedes"] == ["DEC-001"]
    assert run_reqctl(project, "decision", "status", "DEC-001", "superseded").code == 0
    rows = json.loads(run_reqctl(project, "decision", "list", "--json", "--status", "accepted").out)
    assert [r["id"] for r in rows] == ["DEC-002"]
    shown = run_reqctl(project, "decision", "show", "dec-1")
    assert shown.code == 0 and "Use PostgreSQL" in shown.out
    listed = run_reqctl(project, "decision", "list")
    assert "2026-10-01" in listed.out
    assert "--date" in assert_one_line_error(run_reqctl(project, "decision", "add", "X", "--date", "tomorrow"))
    assert run_reqctl(project, "check").code == 0


def test_meeting_add_with_actions(project: Path) -> None:
    new_id = add(
        project,
        "meeting",
        "add",
        "Kickoff",
        "--date",
        "2026-09-02",
        "--kind",
        "kickoff",
        "--attendee",
        "pm@example.com",
        "--attendee",
        "customer@example.com",
        "--action",
        "Send the contract|pm@example.com|2026-09-09",
        "--action",
        "Book workshop room",
        "--body",
        "We agreed on the scope.",
    )
    assert new_id == "MTG-001"
    data = front(project / "meetings" / "MTG-001.md")
    assert data["kind"] == "kickoff"
    assert data["attendees"] == ["pm@example.com", "customer@example.com"]
    assert [{k: str(v) for k, v in a.items()} for a in data["actions"]] == [
        {
            "what": "Send the contract",
            "owner": "pm@example.com",
            "due": "2026-09-09",
            "done": "False",
        },
        {"what": "Book workshop room", "done": "False"},
    ]
    listed = run_reqctl(project, "meeting", "list")
    row = next(line for line in listed.out.splitlines() if "MTG-001" in line)
    assert row.split("│")[-2].strip() == "2"  # open actions
    shown = run_reqctl(project, "meeting", "show", "MTG-001")
    assert "Send the contract — pm@example.com (due 2026-09-09)" in shown.out
    assert "We agreed on the scope." in shown.out
    data_json = json.loads(run_reqctl(project, "meeting", "show", "MTG-001", "--json").out)
    assert data_json["actions"][0] == {
        "what": "Send the contract",
        "owner": "pm@example.com",
        "due": "2026-09-09",
        "done": False,
    }
    assert data_json["kind"] == "kickoff" or data_json.get("kind") == "meeting"
    line = assert_one_line_error(run_reqctl(project, "meeting", "status", "MTG-001", "open"))
    assert "no status" in line
    assert run_reqctl(project, "check").code == 0


@pytest.mark.parametrize("action", ["|owner|2026-01-01", "a|b|c|d", "Do it|me|someday"])
def test_meeting_bad_action(project: Path, action: str) -> None:
    assert_one_line_error(run_reqctl(project, "meeting", "add", "M", "--action", action))
    assert list((project / "meetings").iterdir()) == []


# --- IDs that try to leave the repository -----------------------------------------------


EVIL_IDS = [
    "../../etc/passwd",
    "../risks/RISK-001",
    "REQ-001/../../x",
]


@pytest.mark.parametrize("evil", EVIL_IDS)
def test_path_like_ids_are_refused(project: Path, tmp_path: Path, evil: str) -> None:
    outside = tmp_path / "etc"
    outside.mkdir()
    bait = outside / "passwd.md"
    bait.write_text("---\nid: REQ-001\ntitle: bait\n---\n", encoding="utf-8")
    before = bait.read_bytes()
    for args in (
        ("req", "show", evil),
        ("req", "status", evil, "proposed"),
        ("req", "edit", evil),
        ("approve", evil),
    ):
        result = run_reqctl(project, *args, env={"EDITOR": "false"})
        assert_one_line_error(result)
        assert "bait" not in result.out
    assert bait.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etc", "proj"]
    assert list((project / "requirements").iterdir()) == []


@pytest.mark.parametrize("text", ["No", "0o17", "12:30", "2026-01-01"])
def test_req_add_texts_yaml_could_misread(project: Path, text: str) -> None:
    """Found by the property tests: ruamel wrote `title: No`, which the reader loads as False."""
    result = run_reqctl(project, "req", "add", text, "--acceptance", text, "--tag", text)
    assert result.code == 0, result.err
    data = json.loads(run_reqctl(project, "req", "show", "REQ-001", "--json").out)
    assert (data["title"], data["acceptance"], data["tags"]) == (text, [text], [text])
    assert run_reqctl(project, "check").code == 0


# --- invalid files are named, never silently dropped --------------------------------------


def _with_invalid_files(project: Path) -> None:
    from conftest import write_item

    write_item(project, "requirements", "REQ-001", "title: Fine\nstatus: draft")
    write_item(project, "requirements", "REQ-007", "title: Broken\nstatus: draft\npriority: [a, b]")
    (project / "requirements" / "REQ-008.md").write_text("---\nid: REQ-008\ntitle: [unclosed\n---\n", "utf-8")


def test_list_names_invalid_files_on_stderr_and_keeps_json_valid(project: Path) -> None:
    _with_invalid_files(project)
    result = run_reqctl(project, "req", "list", "--json")
    assert result.code == 0, result.err
    assert [row["id"] for row in json.loads(result.out)] == ["REQ-001"]
    lines = result.err.strip().splitlines()
    assert len(lines) == 2, result.err
    assert lines[0].startswith("warning: requirements/REQ-007.md:5: skipped: priority: ")
    assert lines[0].endswith("; run 'reqctl check'")
    assert lines[1].startswith("warning: requirements/REQ-008.md:")
    table = run_reqctl(project, "req", "list")
    assert "REQ-001" in table.out and "REQ-007" not in table.out
    assert table.err.count("warning:") == 2
    assert run_reqctl(project, "risk", "list").err == ""  # other kinds' broken files are not theirs


@pytest.mark.parametrize(("typed", "needle"), [
    ("REQ-007", "requirements/REQ-007.md:5: priority: "),
    ("req-7", "requirements/REQ-007.md:5: priority: "),
    ("REQ-008", "requirements/REQ-008.md:"),
])
def test_show_of_invalid_item_says_what_is_wrong(project: Path, typed: str, needle: str) -> None:
    _with_invalid_files(project)
    line = assert_one_line_error(run_reqctl(project, "req", "show", typed))
    assert line.startswith(f"error: {needle}"), line
    assert "no requirement" not in line
    assert line.endswith("run 'reqctl check'")


def test_documents_carry_a_notice_of_skipped_files(project: Path, tmp_path: Path) -> None:
    _with_invalid_files(project)
    srs = run_reqctl(project, "doc", "srs", "--format", "md")
    assert srs.code == 0, srs.err
    assert "2 items could not be read" in srs.out
    assert "requirements/REQ-007.md:5: priority:" in srs.out
    assert srs.err.count("warning:") == 2
    html = run_reqctl(project, "doc", "srs", "--format", "html")
    assert 'class="notice"' in html.out and "requirements/REQ-008.md" in html.out
    published = run_reqctl(project, "publish", str(tmp_path / "site"))
    assert published.code == 0, published.err
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "2 items could not be read" in index and "requirements/REQ-007.md:5" in index
    spec = (tmp_path / "site" / "reports" / "srs.html").read_text(encoding="utf-8")
    assert spec.count("could not be read") == 1


def test_documents_of_a_valid_project_have_no_notice(project: Path) -> None:
    from conftest import write_item

    write_item(project, "requirements", "REQ-001", "title: Fine")
    srs = run_reqctl(project, "doc", "srs", "--format", "md")
    assert "could not be read" not in srs.out and srs.err == ""
