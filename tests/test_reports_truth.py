"""Reports say what is true: milestone state, counts in the right form, one percentage everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import git, run_reqctl, write_item
from tests.report_fixtures import build_history


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    build_history(root)
    return root


def cells(line_start: str, text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(line_start))


@pytest.mark.parametrize(("lang", "in_progress", "missed"),
                         [("en", "in progress", "missed"), ("zh", "进行中", "未达成")])
def test_milestone_not_yet_due_is_in_progress(repo: Path, lang: str, in_progress: str, missed: str) -> None:
    md = run_reqctl(repo, "report", "summary", "--until", "2026-11-15", "--lang", lang).out
    assert cells("| **M1**", md).endswith(f"| {in_progress} |")
    assert "Met" not in md and "no |" not in md
    html = run_reqctl(repo, "report", "summary", "--until", "2026-11-15", "--lang", lang, "--format", "html").out
    assert f"<td>{in_progress}</td>" in html
    late = run_reqctl(repo, "report", "summary", "--until", "2026-12-20", "--lang", lang).out
    assert cells("| **M1**", late).endswith(f"| {missed} |")
    assert cells("| **M2**", late).endswith(f"| {in_progress} |")


@pytest.mark.parametrize(("lang", "in_progress"), [("en", "in progress"), ("zh", "进行中")])
def test_terminal_status_shows_milestone_state(repo: Path, lang: str, in_progress: str) -> None:
    out = run_reqctl(repo, "report", "status", "--until", "2026-11-15", "--lang", lang,
                     env={"COLUMNS": "200"}).out
    assert re.search(rf"M1 .*{in_progress}", out), out


def test_counts_use_singular_and_plural(repo: Path) -> None:
    md = run_reqctl(repo, "report", "summary", "--until", "2026-11-15").out
    assert "1 change request: 1 proposed." in md
    assert "0 of 3 requirements in scope are implemented or verified (0%)" in md
    assert "2 risks recorded, 2 still open." in md
    html = run_reqctl(repo, "report", "summary", "--until", "2026-11-15", "--format", "html").out
    assert "<p>1 change request;" in html


def test_same_percentage_in_terminal_markdown_and_html(project: Path) -> None:
    for number, status in ((1, "approved"), (2, "approved"), (3, "draft")):
        write_item(project, "requirements", f"REQ-00{number}", f"title: R{number}\nstatus: {status}")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "three requirements")
    terminal = run_reqctl(project, "report", "status", env={"COLUMNS": "200"}).out
    assert re.search(r"approved [█░]+ 66%", terminal), terminal
    md = run_reqctl(project, "report", "status", "--format", "md").out
    assert "| Approved or later | 2 (66%) |" in md
    html = run_reqctl(project, "report", "status", "--format", "html").out
    assert '<div class="value">66%</div>' in html
    assert "67%" not in terminal + md + html


CR = ("title: Add SEPA payment\nrequested_by: customer@example.com\ncreated: 2026-11-10\naffects: [REQ-001]\n"
      "status: ")


def test_change_approved_and_merged_in_one_week_counts_as_approved(project: Path) -> None:
    from tests.report_fixtures import commit_at

    write_item(project, "requirements", "REQ-001", "title: Pay\nstatus: approved")
    write_item(project, "changes", "CR-001", CR + "proposed")
    commit_at(project, "2026-11-03", "week 1: CR proposed")
    write_item(project, "changes", "CR-001", CR + "approved")
    commit_at(project, "2026-11-10", "approve CR-001")
    write_item(project, "changes", "CR-001", CR + "implemented")
    commit_at(project, "2026-11-11", "merge CR-001")
    md = run_reqctl(project, "report", "weekly", "--since", "2026-11-09", "--until", "2026-11-15").out
    assert "- Change requests: 0 opened, 1 approved, 1 baselined." in md
    zh = run_reqctl(project, "report", "weekly", "--since", "2026-11-09", "--until", "2026-11-15",
                    "--lang", "zh", "--format", "json").out
    import json

    activity = json.loads(zh)["activity"]["changes"]
    assert [r["id"] for r in activity["approved"]] == ["CR-001"]


def burnup_rows(md: str) -> list[str]:
    lines = md.split("## Burn-up" if "## Burn-up" in md else "## 需求累积", 1)[1].splitlines()
    return [line for line in lines if line.startswith("| ") and line[2:3].isdigit()]


def test_burnup_starts_with_the_first_commit_not_weeks_of_zeros(repo: Path) -> None:
    md = run_reqctl(repo, "report", "weekly", "--since", "2026-11-09", "--until", "2026-11-15").out
    rows = burnup_rows(md)
    assert rows[0].startswith("| 8 Nov 2026 | 2 |"), rows
    assert len(rows) == 2


def test_burnup_starts_at_the_configured_project_start(repo: Path) -> None:
    config = repo / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("start: 2026-10-01", "start: 2026-11-10"), "utf-8")
    git(repo, "commit", "-qam", "start later")
    md = run_reqctl(repo, "report", "weekly", "--since", "2026-11-09", "--until", "2026-11-15").out
    assert [row.split(" | ")[0] for row in burnup_rows(md)] == ["| 15 Nov 2026"]


@pytest.mark.parametrize(("lang", "tick"), [("en", ">8 Nov</text>"), ("zh", ">11月8日</text>")])
def test_burnup_axis_uses_the_report_date_format(repo: Path, lang: str, tick: str) -> None:
    html = run_reqctl(repo, "report", "weekly", "--since", "2026-11-09", "--until", "2026-11-15",
                      "--lang", lang, "--format", "html").out
    assert tick in html
    assert ">2026-11-08</text>" not in html


def srs_project(project: Path) -> Path:
    write_item(project, "requirements", "REQ-001", "title: Sign in\nstatus: approved\npriority: must",
               "Users sign in.\n")
    write_item(project, "requirements", "REQ-002", "title: Export\nstatus: draft\npriority: should")
    write_item(project, "requirements", "REQ-003", "title: Dark mode\nstatus: draft\npriority: wont", "Later.\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "requirements")
    return project


@pytest.mark.parametrize(("lang", "draft", "scope"), [
    ("en", "| Version | draft |", "| Requirements | 2 in scope, 1 approved; 1 won't (not in scope) |"),
    ("zh", "| 文档版本 | 草稿 |", "| 需求 | 范围内 2 项，已批准 1 项；另有 1 项暂不实现（不在范围内） |"),
])
def test_srs_draft_version_and_wont_out_of_scope(project: Path, lang: str, draft: str, scope: str) -> None:
    root = srs_project(project)
    md = run_reqctl(root, "doc", "srs", "--lang", lang).out
    assert draft in md
    assert scope in md
    assert "No baseline yet: this document is a draft." in md or "尚无基线：本文档为草稿。" in md


def test_srs_version_and_revision_history_come_from_baselines(project: Path) -> None:
    root = srs_project(project)
    write_item(root, "requirements", "REQ-001", "title: Sign in\nstatus: draft\npriority: must", "Users sign in.\n")
    git(root, "commit", "-qam", "REQ-001 back to draft: a baseline needs a clean check")
    made = run_reqctl(root, "baseline", "create", "v1.0", "-m", "Signed at kickoff")
    assert made.code == 0, made.err
    md = run_reqctl(root, "doc", "srs").out
    assert "| Version | v1.0 |" in md
    assert "| v1.0 | " in md and "| Signed at kickoff | 3 |" in md
    write_item(root, "requirements", "REQ-002", "title: Export PDF\nstatus: draft\npriority: should")
    git(root, "commit", "-qam", "after the baseline")
    assert "| Version | draft (changed since v1.0) |" in run_reqctl(root, "doc", "srs").out
    html = run_reqctl(root, "doc", "srs", "--format", "html", "--lang", "zh").out
    assert "<dt>文档版本</dt><dd>草稿（基线 v1.0 之后有修改）</dd>" in html
    assert "<td>v1.0</td>" in html


def test_srs_empty_description_leaves_no_empty_block(project: Path) -> None:
    root = srs_project(project)
    html = run_reqctl(root, "doc", "srs", "--format", "html").out
    export = html.split('id="REQ-002"', 1)[1].split("</article>", 1)[0]
    assert 'class="body"' not in export
    md = run_reqctl(root, "doc", "srs").out
    section = md.split("#### REQ-002 Export", 1)[1].split("####", 1)[0]
    assert "\n\n\n" not in section


@pytest.mark.parametrize(("lang", "in_progress"), [("en", "in progress"), ("zh", "进行中")])
@pytest.mark.parametrize("report", ["status", "weekly"])
def test_status_and_weekly_milestone_rows_say_in_progress(repo: Path, report: str, lang: str,
                                                          in_progress: str) -> None:
    md = run_reqctl(repo, "report", report, "--until", "2026-11-15", "--lang", lang, "--format", "md").out
    assert cells("| **M1**", md).endswith(f"` {in_progress} |")
    html = run_reqctl(repo, "report", report, "--until", "2026-11-15", "--lang", lang, "--format", "html").out
    assert f"</code> {in_progress}</td>" in html
