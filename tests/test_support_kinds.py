"""Training, support tickets and follow-up visits: commands, ``report support``, R018 and the report sections."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, PM, git, run_reqctl, write_config, write_item
from tests.report_fixtures import commit_at

TODAY = "2026-12-01"  # every report below runs --until this day


def test_support_add_list_show_status(project: Path) -> None:
    assert run_reqctl(project, "req", "add", "Login", "-a", "works").code == 0
    added = run_reqctl(project, "support", "add", "Cannot log in", "--severity", "high", "--category", "bug",
                       "--from", CUSTOMER, "--reported", "2026-11-20", "--relates", "req-1")
    assert added.code == 0, added.err
    assert added.out.strip() == "SUP-001"
    text = (project / "support" / "SUP-001.md").read_text(encoding="utf-8")
    assert "status: open\nseverity: high\ncategory: bug\n" in text
    assert "reported: 2026-11-20" in text and "relates: [REQ-001]" in text
    listed = run_reqctl(project, "support", "list")
    assert "SUP-001" in listed.out and "high" in listed.out and "open" in listed.out
    assert run_reqctl(project, "support", "list", "--status", "resolved").out.count("SUP-001") == 0

    moved = run_reqctl(project, "support", "status", "SUP-001", "in-progress")
    assert moved.code == 0 and moved.out.strip() == "SUP-001: open → in-progress"
    today = dt.date.today().isoformat()
    text = (project / "support" / "SUP-001.md").read_text(encoding="utf-8")
    assert f"responded: {today}" in text and "resolved:" not in text
    assert run_reqctl(project, "support", "status", "SUP-001", "resolved").code == 0
    text = (project / "support" / "SUP-001.md").read_text(encoding="utf-8")
    assert f"resolved: {today}" in text and text.count("responded:") == 1

    shown = json.loads(run_reqctl(project, "support", "show", "SUP-001", "--json").out)
    assert shown["kind"] == "support" and shown["status"] == "resolved" and shown["from"] == CUSTOMER
    panel = run_reqctl(project, "support", "show", "SUP-001")
    assert "severity: high" in panel.out and "support/SUP-001.md" in panel.out
    assert run_reqctl(project, "check").code == 0


def test_support_mistakes_are_one_line_and_change_nothing(project: Path) -> None:
    bad = run_reqctl(project, "support", "add", "X", "--severity", "urgent")
    assert bad.code == 2 and bad.err.strip() == "error: --severity urgent: use one of low, medium, high, critical"
    assert not (project / "support").exists() or not list((project / "support").glob("*.md"))
    assert run_reqctl(project, "support", "add", "X", "--relates", "REQ-009").code == 2
    assert run_reqctl(project, "support", "add", "Y").code == 0
    before = (project / "support" / "SUP-001.md").read_bytes()
    wrong = run_reqctl(project, "support", "status", "SUP-001", "done")
    assert wrong.code == 2 and "in-progress" in wrong.err and len(wrong.err.strip().splitlines()) == 1
    assert (project / "support" / "SUP-001.md").read_bytes() == before


def test_training_add_list_show(project: Path) -> None:
    added = run_reqctl(project, "training", "add", "Finance key-user training", "--date", "2026-11-18",
                       "--trainer", PM, "--audience", "finance key users", "--topic", "GL posting",
                       "--topic", "month-end close", "--material", "slides.pdf", "--attendance", "12",
                       "--score", "4")
    assert added.code == 0, added.err
    assert added.out.strip() == "TRN-001"
    text = (project / "trainings" / "TRN-001.md").read_text(encoding="utf-8")
    assert "date: 2026-11-18" in text and "attendance: 12" in text and "score: 4" in text
    assert "topics:\n  - GL posting\n  - month-end close\n" in text
    listed = run_reqctl(project, "training", "list")
    assert "TRN-001" in listed.out and "12" in listed.out
    data = json.loads(run_reqctl(project, "training", "show", "TRN-001", "--json").out)
    assert data["kind"] == "training" and data["trainer"] == PM and data["materials"] == ["slides.pdf"]
    bad = run_reqctl(project, "training", "add", "T", "--score", "7")
    assert bad.code == 2 and "--score 7" in bad.err
    nostatus = run_reqctl(project, "training", "status", "TRN-001", "done")
    assert nostatus.code == 2 and "has no status" in nostatus.err


def test_followup_add_and_init_creates_the_folders(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q")
    assert run_reqctl(root, "init").code == 0
    for folder in ("trainings", "support", "followups"):
        assert (root / folder).is_dir()
    added = run_reqctl(root, "followup", "add", "Quarterly visit", "--date", "2026-11-02", "--contact",
                       CUSTOMER, "--channel", "visit", "--satisfaction", "5", "--next-visit", "2099-02-01",
                       "--opportunity", "Phase 2: mobile app")
    assert added.code == 0, added.err and added.out.strip() == "FUP-001"
    data = json.loads(run_reqctl(root, "followup", "show", "FUP-001", "--json").out)
    assert data["next_visit"] == "2099-02-01" and data["opportunities"] == ["Phase 2: mobile app"]


def test_schema_covers_the_new_kinds(project: Path) -> None:
    for kind, key in (("training", "attendance"), ("support", "severity"), ("followup", "next_visit")):
        result = run_reqctl(project, "schema", kind)
        assert result.code == 0, result.err
        assert key in json.loads(result.out)["properties"]
    support = json.loads(run_reqctl(project, "schema", "support").out)
    assert "from" in support["properties"]
    assert "in-progress" in json.dumps(support["properties"]["status"])


# --- report support: figures computed by hand ------------------------------------------------------


def _tickets(root: Path) -> None:
    write_item(root, "requirements", "REQ-001", "title: Login\nstatus: draft")
    write_item(root, "requirements", "REQ-002", "title: Reports\nstatus: draft")
    # response 1 day, resolution 5 days
    write_item(root, "support", "SUP-001", "title: Cannot log in\nstatus: resolved\nseverity: high\n"
               f"from: {CUSTOMER}\nreported: 2026-11-20\nresponded: 2026-11-21\nresolved: 2026-11-25\n"
               "relates: [REQ-001]\nresolution: Reset the SSO mapping")
    # open, 2 days old on 1 Dec
    write_item(root, "support", "SUP-002", "title: Login slow\nstatus: open\nseverity: critical\n"
               f"from: {CUSTOMER}\nreported: 2026-11-29\nrelates: [REQ-001]")
    # in progress, 21 days old, response 3 days
    write_item(root, "support", "SUP-003", "title: Export wrong\nstatus: in-progress\nseverity: medium\n"
               "reported: 2026-11-10\nresponded: 2026-11-13\nrelates: [REQ-002]")
    # closed: response 0 days, resolution 29 days
    write_item(root, "support", "SUP-004", "title: Question on VAT\nstatus: closed\nseverity: low\n"
               "reported: 2026-11-01\nresponded: 2026-11-01\nresolved: 2026-11-30")


@pytest.fixture
def tickets(project: Path) -> Path:
    write_config(project, f"people:\n  {CUSTOMER}: {{name: 王芳}}\n")
    _tickets(project)
    git(project, "add", "-A")
    commit_at(project, "2026-11-30", "tickets")
    return project


def test_report_support_json_figures(tickets: Path) -> None:
    result = run_reqctl(tickets, "report", "support", "-f", "json", "--until", TODAY)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    stats = data["stats"]
    assert stats["total"] == 4 and stats["open"] == 2
    assert stats["by_status"] == {"open": 1, "in-progress": 1, "resolved": 1, "closed": 1}
    assert stats["open_by_severity"] == {"low": 0, "medium": 1, "high": 0, "critical": 1}
    assert stats["response"] == {"count": 3, "average": 1.3, "median": 1, "max": 3}  # 1, 3, 0 days
    assert stats["resolution"] == {"count": 2, "average": 17.0, "median": 17.0, "max": 29}  # 5, 29 days
    assert [t["id"] for t in data["open_tickets"]] == ["SUP-002", "SUP-003"]  # worst severity first
    assert [t["age_days"] for t in data["open_tickets"]] == [2, 21]
    matrix = {row["severity"]: row for row in data["age_matrix"]}
    assert matrix["critical"]["ages"] == {"0-2": 1, "3-7": 0, "8-30": 0, "31+": 0}
    assert matrix["medium"]["ages"] == {"0-2": 0, "3-7": 0, "8-30": 1, "31+": 0}
    per_req = {r["id"]: (r["total"], r["open"], r["tickets"]) for r in data["by_requirement"]}
    assert per_req == {"REQ-001": (2, 1, ["SUP-001", "SUP-002"]), "REQ-002": (1, 1, ["SUP-003"])}


def test_report_support_markdown_en(tickets: Path) -> None:
    out = run_reqctl(tickets, "report", "support", "--until", TODAY).out
    lines = out.splitlines()
    assert "as of 1 Dec 2026 · 4 tickets, 2 open" in out
    assert "| critical | 1 | 0 | 0 | 0 | 1 |" in lines
    assert "| medium | 0 | 0 | 1 | 0 | 1 |" in lines
    assert "| SUP-002 | Login slow | critical | open | 29 Nov 2026 | 2 days | 王芳 | REQ-001 |" in lines
    assert "| First response (reported → responded) | 3 | 1.3 days | 1.0 days | 3 days |" in lines
    assert "| Resolution (reported → resolved) | 2 | 17.0 days | 17.0 days | 29 days |" in lines
    assert "| **REQ-001** Login | 2 | 1 | SUP-001, SUP-002 |" in lines
    assert "- **SUP-001** Cannot log in — resolved in 4 days: Reset the SSO mapping" not in lines
    assert "- **SUP-001** Cannot log in — resolved in 5 days: Reset the SSO mapping" in lines
    assert CUSTOMER not in out


def test_report_support_markdown_and_html_zh(tickets: Path) -> None:
    out = run_reqctl(tickets, "report", "support", "--lang", "zh", "--until", TODAY).out
    lines = out.splitlines()
    assert "截至 2026年12月1日 · 共 4 张工单，未解决 2 张" in out
    assert "| 严重 | 1 | 0 | 0 | 0 | 1 |" in lines
    assert "| 响应时间（报告 → 首次响应） | 3 | 1.3 天 | 1.0 天 | 3 天 |" in lines
    assert "| 解决时间（报告 → 解决） | 2 | 17.0 天 | 17.0 天 | 29 天 |" in lines
    assert "## 各需求的工单数" in out
    html = run_reqctl(tickets, "report", "support", "-f", "html", "--lang", "zh", "--until", TODAY)
    assert html.code == 0, html.err
    assert "支持工单报告" in html.out and "严重程度" in html.out and "王芳" in html.out


@pytest.mark.parametrize(("lang", "heading", "line"), [
    ("en", "## Support and training", "2 of 4 support tickets open (1 critical, 1 medium)"),
    ("zh", "## 客户支持与培训", "支持工单共 4 张，未解决 2 张（严重 1 张、中 1 张）"),
])
def test_status_report_has_the_support_section(tickets: Path, lang: str, heading: str, line: str) -> None:
    out = run_reqctl(tickets, "report", "status", "-f", "md", "--lang", lang, "--until", TODAY).out
    assert heading in out and line in out
    assert "| SUP-002 |" in out and "| SUP-001 |" not in out  # open tickets only


@pytest.mark.parametrize(("lang", "reported", "resolved"), [
    ("en", "- Ticket reported: **SUP-002** Login slow (critical, open)",
     "- Ticket resolved: **SUP-001** Cannot log in after 5 days"),
    ("zh", "- 新增工单：**SUP-002** Login slow（严重，待处理）", "- 已解决工单：**SUP-001** Cannot log in，用时 5 天"),
])
def test_weekly_report_lists_the_period_tickets(tickets: Path, lang: str, reported: str, resolved: str) -> None:
    result = run_reqctl(tickets, "report", "weekly", "--since", "2026-11-24", "--until", "2026-11-30",
                        "--weeks", "1", "--lang", lang)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert reported in lines and resolved in lines
    assert not any("SUP-003" in line for line in lines if "工单" in line or "Ticket" in line)  # reported earlier


# --- follow-up visits, R018 and the summary --------------------------------------------------------


def _aftercare(root: Path) -> None:
    write_item(root, "feedback", "FB-001", "title: Pilot went well\ndate: 2026-01-20\nscore: 3")
    write_item(root, "trainings", "TRN-001", f"title: Key users\ndate: 2026-02-03\ntrainer: {PM}\n"
               "audience: [finance]\nattendance: 12\nscore: 5")
    write_item(root, "trainings", "TRN-002", "title: Admins\ndate: 2026-02-20\nattendance: 8\nscore: 4")
    write_item(root, "followups", "FUP-001", f"title: First visit\ndate: 2026-01-05\ncontact: {CUSTOMER}\n"
               "channel: visit\nsatisfaction: 4\nnext_visit: 2026-02-01")
    write_item(root, "followups", "FUP-002", f"title: Second visit\ndate: 2026-02-10\ncontact: {CUSTOMER}\n"
               "channel: phone\nsatisfaction: 5\nnext_visit: 2099-01-01\nopportunities: [Phase 2 reporting]")
    write_item(root, "followups", "FUP-003", "title: IT visit\ndate: 2026-01-20\ncontact: it@customer.example\n"
               "next_visit: 2026-03-01")


@pytest.fixture
def aftercare(project: Path) -> Path:
    write_config(project, f"people:\n  {CUSTOMER}: {{name: 王芳}}\n  {PM}: {{name: Zhang Wei}}\n")
    _aftercare(project)
    return project


def test_r018_overdue_next_visit_only_without_a_later_visit(aftercare: Path) -> None:
    result = run_reqctl(aftercare, "check")
    assert result.code == 0, result.out  # a warning
    findings = [line for line in result.out.splitlines() if "R018" in line]
    assert findings == [
        "followups/FUP-003.md:6: warning R018 next visit with it@customer.example was due on 2026-03-01; "
        "visit and record it, or move the date"
    ]  # FUP-001's next visit happened (FUP-002), FUP-002's is in the future
    listed = run_reqctl(aftercare, "check", "--rules")
    assert any(line.startswith("R018") and "followup-due" in line for line in listed.out.splitlines())


def test_r018_is_silenced_by_a_later_visit(aftercare: Path) -> None:
    write_item(aftercare, "followups", "FUP-004", "title: IT again\ndate: 2026-03-05\n"
               "contact: IT@customer.example")
    assert "R018" not in run_reqctl(aftercare, "check").out


def test_summary_json_gathers_training_visits_and_scores(aftercare: Path) -> None:
    data = json.loads(run_reqctl(aftercare, "report", "summary", "-f", "json", "--until", TODAY).out)
    assert data["trainings"]["total"] == 2 and data["trainings"]["attendance"] == 20
    assert data["trainings"]["average_score"] == 4.5
    visits = data["followups"]
    assert visits["total"] == 3 and visits["average_satisfaction"] == 4.5
    assert visits["next_visit"] == "2099-01-01"
    assert [v["id"] for v in visits["overdue"]] == ["FUP-003"]
    assert visits["opportunities"] == [{"id": "FUP-002", "text": "Phase 2 reporting"}]
    timeline = data["scores_over_time"]
    assert [(e["id"], e["score"]) for e in timeline["entries"]] == [
        ("FUP-001", 4), ("FB-001", 3), ("TRN-001", 5), ("FUP-002", 5), ("TRN-002", 4)]
    assert timeline["by_month"] == [{"month": "2026-01", "count": 2, "average": 3.5},
                                    {"month": "2026-02", "count": 3, "average": 4.67}]


def test_summary_markdown_en(aftercare: Path) -> None:
    out = run_reqctl(aftercare, "report", "summary", "--until", TODAY).out
    lines = out.splitlines()
    assert "2 training sessions, 20 attendances, average feedback score **4.5 / 5**." in lines
    assert "| TRN-001 | Key users | 3 Feb 2026 | Zhang Wei | finance | 12 | 5 |" in lines
    assert "3 visits, average satisfaction **4.5 / 5**; next visit planned for 1 Jan 2099." in lines
    assert ("- **FUP-003** IT visit — 20 Jan 2026, it@customer.example — **next visit overdue since 1 Mar 2026**"
            in lines)
    assert "- **FUP-001** First visit — 5 Jan 2026, 王芳 (visit), 4/5" in lines
    assert "| 2026-02 | 3 | 4.67 |" in lines
    assert "- Phase 2 reporting (FUP-002)" in lines


def test_summary_markdown_and_html_zh(aftercare: Path) -> None:
    out = run_reqctl(aftercare, "report", "summary", "--lang", "zh", "--until", TODAY).out
    lines = out.splitlines()
    for heading in ("## 培训记录", "## 支持工单", "## 回访记录", "## 满意度趋势"):
        assert heading in lines
    assert "共开展培训 2 场，累计出席 20 人次，平均评分 **4.5 / 5**。" in lines
    assert "共回访 3 次，平均满意度 **4.5 / 5**；下次回访计划于 2099年1月1日。" in lines
    assert "- **FUP-002** Second visit — 2026年2月10日，王芳（电话回访），满意度 5/5" in lines
    assert "| 2026-01 | 2 | 3.5 |" in lines
    assert "- 2026年1月20日 · 客户反馈 **FB-001** Pilot went well：3/5" in lines
    html = run_reqctl(aftercare, "report", "summary", "-f", "html", "--lang", "zh", "--until", TODAY)
    assert html.code == 0, html.err
    assert "回访记录" in html.out and "下次回访已逾期" in html.out and "满意度趋势" in html.out


def test_support_add_takes_a_past_date_like_the_other_records(project: Path) -> None:
    result = run_reqctl(project, "support", "add", "Login fails", "--date", "2026-11-20")
    assert result.code == 0, result.err
    (path,) = (project / "support").glob("SUP-*.md")
    assert "reported: 2026-11-20" in path.read_text(encoding="utf-8")
