"""Reports and documents through the real ``reqctl`` command, on a repository with dated commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import run_reqctl
from tests.report_fixtures import build_history

WEEK2 = ("--since", "2026-11-09", "--until", "2026-11-15")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    build_history(root)
    return root


def test_weekly_markdown_lines(repo: Path) -> None:
    result = run_reqctl(repo, "report", "weekly", *WEEK2, "--weeks", "3")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    for expected in (
        "# Test project — Weekly status report",
        "- Requirements: 1 added, 0 changed, 1 approved, 0 implemented, 0 verified.",
        "- Change requests: 1 opened, 0 approved, 0 baselined.",
        "- Risks: 1 new, 0 closed, 1 re-scored; 2 open in total.",
        "- **REQ-001** Customer signs in with e-mail (proposed → approved)",
        "- **REQ-003** Order history for 24 months",
        "- Opened: **CR-001** Add SEPA payment — impact 5 days, EUR 12,000",
        "- Re-scored: **RISK-001** Payment contract late (10 → 20)",
        "- **DEC-001** Use hosted payment page — accepted, 12 Nov 2026",
        "| MTG-001 | Send test plan | pm@example.com | 14 Nov 2026 **overdue** |",
        "- **CR-001** Add SEPA payment — awaiting customer, pm",
        "| 8 Nov 2026 | 2 | 0 | 0 | `░░░░░░░░░░░░░░░░ 0%` |",
        "| 15 Nov 2026 | 3 | 1 | 0 | `░░░░░░░░░░░░░░░░ 0%` |",
    ):
        assert expected in lines, expected


def test_weekly_first_week_sees_everything_as_new(repo: Path) -> None:
    result = run_reqctl(repo, "report", "weekly", "--since", "2026-11-02", "--until", "2026-11-08")
    assert result.code == 0, result.err
    assert "- Requirements: 2 added, 0 changed, 0 approved, 0 implemented, 0 verified." in result.out


def test_weekly_json_is_the_template_context(repo: Path) -> None:
    result = run_reqctl(repo, "report", "weekly", *WEEK2, "--weeks", "2", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["report"] == "weekly"
    assert data["period"]["since"] == "2026-11-09"
    assert [r["id"] for r in data["activity"]["requirements"]["approved"]] == ["REQ-001"]
    assert data["activity"]["risks"]["rescored"][0]["new_score"] == 20
    assert data["burnup"][-1] == {"date": "2026-11-15", "revision": data["burnup"][-1]["revision"],
                                  "total": 3, "approved": 1, "done": 0}
    assert {"milestones", "pending_approvals", "top_risks", "open_actions", "commits"} <= data.keys()


def test_weekly_chinese(repo: Path) -> None:
    result = run_reqctl(repo, "report", "weekly", *WEEK2, "--lang", "zh")
    assert result.code == 0, result.err
    assert "# Test project 项目周报" in result.out
    assert "## 本周进展" in result.out
    assert "- 需求：新增 1 项，内容变更 0 项，批准 1 项，实现 0 项，验收通过 0 项。" in result.out
    assert "**统计周期**：2026年11月9日至11月15日" in result.out
    assert "费用 1.2 万欧元" in result.out


def test_html_escapes_and_drops_script(repo: Path) -> None:
    out = repo / "srs.html"
    result = run_reqctl(repo, "doc", "srs", "--format", "html", "-o", "srs.html")
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[link](javascript:alert(1))", "")
    assert "Export invoices as PDF | with &lt;b&gt;bold&lt;/b&gt; title" in html
    assert "<svg" not in html or "script" not in html


def test_weekly_html_has_inline_svg_charts(repo: Path) -> None:
    result = run_reqctl(repo, "report", "weekly", *WEEK2, "-f", "html", "-o", "weekly.html")
    assert result.code == 0, result.err
    html = (repo / "weekly.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 2
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


@pytest.mark.parametrize("report", ["status", "risks", "summary"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_every_report_renders(repo: Path, report: str, lang: str, fmt: str) -> None:
    result = run_reqctl(repo, "report", report, "--lang", lang, "--format", fmt)
    assert result.code == 0, result.err
    assert result.out.strip()
    if fmt == "json":
        assert json.loads(result.out)["report"] == report


def test_status_terminal_view(repo: Path) -> None:
    result = run_reqctl(repo, "report", "status", "--until", "2026-11-20")
    assert result.code == 0, result.err
    assert "Test project — project status 2026-11-20" in result.out
    assert "RISK-001" in result.out


def test_risk_register_matrix(repo: Path) -> None:
    result = run_reqctl(repo, "report", "risks", "--until", "2026-11-20")
    assert result.code == 0, result.err
    assert "| 4 |  |  |  |  | RISK-001 |" in result.out
    row = ("| RISK-001 | Payment contract late | 20 (critical) | 4 | 5 | open | pm@example.com"
           " | 1 Nov 2026 **overdue** |")
    assert row in result.out


def test_srs_markdown(repo: Path) -> None:
    result = run_reqctl(repo, "doc", "srs", "--lang", "zh")
    assert result.code == 0, result.err
    assert "## 二、需求明细" in result.out
    assert "**验收标准**" in result.out
    assert "| REQ-001 | 已批准 | — | — | REQ-002 | CR-001 | — | — |" in result.out


@pytest.mark.parametrize(("args", "message"), [
    (("report", "weekly", "--since", "2026-13-01"), "error: --since 2026-13-01: not a date; use YYYY-MM-DD"),
    (("report", "weekly", "--since", "2026-11-20", "--until", "2026-11-01"), "is after --until"),
    (("report", "status", "--format", "pdf"), "error: --format pdf: use one of md, html, json"),
    (("report", "status", "--lang", "fr"), "error: --lang fr: use one of en, zh"),
    (("report", "status", "-o", "nowhere/x.md"), "does not exist"),
])
def test_bad_input_is_one_line(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run_reqctl(repo, *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 2
