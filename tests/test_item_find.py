"""``list`` filters and formats for every kind, and ``--date`` on ``add`` (issue 11, points 1 and 5)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from conftest import run_reqctl, write_item


def front(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def ids(out: str) -> list[str]:
    return [row["id"] for row in json.loads(out)]


@pytest.fixture
def filled(project: Path) -> Path:
    write_item(project, "requirements", "REQ-001",
               "title: Login with SSO\nstatus: draft\npriority: must\nmilestone: M1\n"
               "owner: Ann@example.com\ntags: [auth, web]", "Users sign in through the company portal.\n")
    write_item(project, "requirements", "REQ-002",
               "title: 导出报表\nstatus: proposed\npriority: should\nmilestone: M2\nowner: bob@example.com\n"
               "tags: [reports]", "客户需要每周导出一次数据。\n")
    write_item(project, "requirements", "REQ-003",
               "title: Audit log\nstatus: draft\npriority: should\nmilestone: M1\ntags: [Auth]")
    write_item(project, "risks", "RISK-001", "title: Vendor late\nprobability: 3\nimpact: 4\nowner: ann@example.com")
    write_item(project, "risks", "RISK-002", "title: 服务器容量不足\nprobability: 2\nimpact: 2")
    return project


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--milestone", "M1"), ["REQ-001", "REQ-003"]),
        (("--priority", "should"), ["REQ-002", "REQ-003"]),
        (("--status", "proposed"), ["REQ-002"]),
        (("--tag", "auth"), ["REQ-001", "REQ-003"]),  # tags compare in any case
        (("--tag", "reports", "--tag", "web"), ["REQ-001", "REQ-002"]),  # repeated: any of them
        (("--owner", "ann@example.com"), ["REQ-001"]),
        (("--text", "SSO"), ["REQ-001"]),
        (("--text", "company PORTAL"), ["REQ-001"]),  # the body, any case
        (("--text", "导出"), ["REQ-002"]),
        (("--text", "每周"), ["REQ-002"]),
        (("--milestone", "M1", "--priority", "should"), ["REQ-003"]),  # combined: all of them
        (("--milestone", "M2", "--tag", "auth"), []),
    ],
)
def test_req_list_filters(filled: Path, args: tuple[str, ...], expected: list[str]) -> None:
    result = run_reqctl(filled, "req", "list", *args, "--json")
    assert result.code == 0, result.err
    assert ids(result.out) == expected


def test_risk_list_filters_by_owner_and_chinese_text(filled: Path) -> None:
    assert ids(run_reqctl(filled, "risk", "list", "--owner", "ANN@example.com", "--format", "json").out) == [
        "RISK-001"
    ]
    assert ids(run_reqctl(filled, "risk", "list", "--text", "容量", "--json").out) == ["RISK-002"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("risk", "list", "--milestone", "M1"), "error: --milestone: a risk has no milestone"),
        (("meeting", "list", "--tag", "x"), "error: --tag: a meeting has no tags"),
        (("req", "list", "--priority", "urgent"), "error: --priority urgent: use one of must, should, could, wont"),
        (("req", "list", "--format", "xml"), "error: --format xml: use one of table, csv, json"),
        (("req", "list", "--bom"), "error: --bom only applies to --format csv"),
        (("req", "list", "--json", "--format", "csv"), "error: --json and --format csv contradict each other; use one"),
    ],
)
def test_list_filter_mistakes_are_one_line(filled: Path, args: tuple[str, ...], message: str) -> None:
    result = run_reqctl(filled, *args)
    assert result.code == 2
    assert result.err.strip() == message
    assert result.out == ""


def test_list_table_shows_only_matches(filled: Path) -> None:
    result = run_reqctl(filled, "req", "list", "--text", "导出")
    assert result.code == 0, result.err
    assert "导出报表" in result.out
    assert "Login" not in result.out
    assert "1 requirement" in result.out


def test_csv_has_a_header_and_one_row_per_item(filled: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    result = run_reqctl(filled, "req", "list", "--format", "csv", "--milestone", "M1", "--milestone", "M2")
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["id", "title", "status", "priority", "milestone", "approval"]
    assert rows[1:] == [
        ["REQ-001", "Login with SSO", "draft", "must", "M1", "none"],
        ["REQ-002", "导出报表", "proposed", "should", "M2", "none"],
        ["REQ-003", "Audit log", "draft", "should", "M1", "none"],
    ]
    assert result.out.count("\r\n") == 4  # RFC 4180 line ends, as Excel expects


def test_csv_bom_for_excel(filled: Path) -> None:
    result = run_reqctl(filled, "risk", "list", "--format", "csv", "--bom")
    assert result.code == 0, result.err
    assert result.out.startswith("\ufeffid,title,status,score,p×i,owner\r\n")
    assert "RISK-001,Vendor late,open,12,3×4,ann@example.com\r\n" in result.out
    plain = run_reqctl(filled, "risk", "list", "--format", "csv")
    assert plain.out.startswith("id,")


def test_csv_bytes_are_utf8_through_a_real_pipe(filled: Path) -> None:
    from conftest import run_reqctl_process

    result = run_reqctl_process(filled, "req", "list", "--format", "csv", "--bom", "--text", "导出",
                                env={"PYTHONIOENCODING": "latin-1", "LC_ALL": "C"})
    assert result.code == 0, result.err
    assert result.out.startswith("\ufeffid,")
    assert "REQ-002,导出报表" in result.out


def test_json_alias_and_format_json_agree(filled: Path) -> None:
    assert run_reqctl(filled, "req", "list", "--json").out == run_reqctl(filled, "req", "list", "--format", "json").out


# --- point 5: recording the past ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "folder", "field"),
    [
        (("risk", "add", "Late vendor", "--probability", "2", "--impact", "3"), "risks", "identified"),
        (("meeting", "add", "Kick-off"), "meetings", "date"),
        (("feedback", "add", "Happy", "--score", "4"), "feedback", "date"),
        (("decision", "add", "Use Postgres"), "decisions", "date"),
        (("lesson", "add", "Plan buffers"), "lessons", "date"),
    ],
)
def test_add_records_a_past_date(project: Path, args: tuple[str, ...], folder: str, field: str) -> None:
    result = run_reqctl(project, *args, "--date", "2026-11-16")
    assert result.code == 0, result.err
    item_id = result.out.strip()
    data = front(project / folder / f"{item_id}.md")
    assert str(data[field]) == "2026-11-16"


def test_add_refuses_a_malformed_date(project: Path) -> None:
    result = run_reqctl(project, "meeting", "add", "Kick-off", "--date", "16/11/2026")
    assert result.code == 2
    assert result.err.strip() == "error: --date 16/11/2026: expected a date like 2026-12-01"
    assert list((project / "meetings").iterdir()) == []


def test_approve_never_takes_a_date(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: A\nstatus: proposed\nacceptance: [works]")
    for option in ("--date", "--at", "--on"):
        result = run_reqctl(project, "approve", "REQ-001", option, "2026-01-01", "--by", "customer@example.com")
        assert result.code == 2
        assert "No such option" in result.err
        assert "approvals" not in front(project / "requirements" / "REQ-001.md")
    help_text = run_reqctl(project, "approve", "--help").out
    assert "--date" not in help_text
