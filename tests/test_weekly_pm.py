"""The PM's weekly report (issue 10 point 4): calendar weeks, the weekly note, the overall status,
next week's plan and what the project needs from the customer — through ``reqctl`` in real temporary repos."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import CUSTOMER, PM, git, run_reqctl, write_config, write_item

from reqctl.errors import UsageError
from reqctl.ops.weeks import parse_week, week_of, weeks_in
from reqctl.render.filters import format_date_range

W46 = ("--week", "2026-W46")  # Monday 9 Nov to Sunday 15 Nov 2026
NOTE = "notes/weekly/2026-W46.md"


def commit_on(root: Path, day: str, message: str = "work") -> None:
    env = {"GIT_AUTHOR_DATE": f"{day}T10:00:00+00:00", "GIT_COMMITTER_DATE": f"{day}T10:00:00+00:00"}
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_config(root, "people:\n  other@acme.example: {name: Olga Acme, organisation: Test Customer}\n"
                 "  dev@example.com: {name: Dev Vendor, organisation: Vendor Ltd}\n")
    (root / ".gitignore").write_text(".reqctl/\n", encoding="utf-8")
    commit_on(root, "2026-11-02", "init")
    return root


def write_note(root: Path, text: str, rel: str = NOTE) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def weekly(root: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = run_reqctl(root, "report", "weekly", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


# --- the week parser -------------------------------------------------------------------------------


def test_parse_week_monday_to_sunday() -> None:
    week = parse_week("2026-W48")
    assert (week.monday, week.sunday, week.label) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29), "2026-W48")
    assert parse_week("2026w48") == week
    assert week.next().label == "2026-W49"


def test_parse_week_year_boundary() -> None:
    last = parse_week("2026-W53")  # 2026 starts on a Thursday: it has 53 ISO weeks
    assert (last.monday, last.sunday) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert last.next().label == "2027-W01"
    assert parse_week("2027-W01").monday == dt.date(2027, 1, 4)
    assert weeks_in(2027) == 52
    with pytest.raises(UsageError, match="2027 has weeks W01 to W52"):
        parse_week("2027-W53")


@pytest.mark.parametrize("text", ["2026-W00", "2026-W54", "2026-48", "W48", "2026-W4800", "", "２０２６-W48",
                                  "2026-W48-1", "0000-W01"])
def test_parse_week_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="--week"):
        parse_week(text)


@given(st.dates(min_value=dt.date(1, 1, 8), max_value=dt.date(9998, 12, 20)))
def test_week_of_round_trips(day: dt.date) -> None:
    week = week_of(day)
    parsed = parse_week(week.label)
    assert parsed == week
    assert parsed.monday <= day <= parsed.sunday
    assert parsed.monday.weekday() == 0 and (parsed.sunday - parsed.monday).days == 6
    assert parsed.next().monday == parsed.sunday + dt.timedelta(days=1)


@given(st.text(max_size=30))
def test_parse_week_any_text_is_a_week_or_a_usage_error(text: str) -> None:
    try:
        week = parse_week(text)
    except UsageError as exc:
        assert "\n" not in str(exc).strip("\n") or "\n" in text
    else:
        assert 1 <= week.week <= weeks_in(week.year)


def test_date_range_formats() -> None:
    assert format_date_range("2026-11-23", "2026-11-29", "zh") == "2026年11月23日至11月29日"
    assert format_date_range("2026-11-30", "2026-12-06", "zh") == "2026年11月30日至12月6日"
    assert format_date_range("2026-12-28", "2027-01-03", "zh") == "2026年12月28日至2027年1月3日"
    assert format_date_range("2026-11-23", "2026-11-29", "en") == "23 Nov – 29 Nov 2026"
    assert format_date_range("2026-12-28", "2027-01-03", "en") == "28 Dec 2026 – 3 Jan 2027"


# --- --week through the command ----------------------------------------------------------------------


def test_week_boundaries_monday_and_sunday_are_in(repo: Path) -> None:
    write_item(repo, "requirements", "REQ-001", "title: Before\nstatus: draft")
    commit_on(repo, "2026-11-08")  # Sunday of W45: before the period
    write_item(repo, "requirements", "REQ-002", "title: Monday\nstatus: draft")
    commit_on(repo, "2026-11-09")  # Monday of W46
    write_item(repo, "requirements", "REQ-003", "title: Sunday\nstatus: draft")
    commit_on(repo, "2026-11-15")  # Sunday of W46
    write_item(repo, "requirements", "REQ-004", "title: Next Monday\nstatus: draft")
    commit_on(repo, "2026-11-16")  # Monday of W47: after the period
    data = weekly(repo, *W46)
    assert data["period"] | {"start_revision": None, "end_revision": None} == {
        "since": "2026-11-09", "until": "2026-11-15", "days": 7, "week": "2026-W46", "as_of": "2026-11-15",
        "start_revision": None, "end_revision": None}
    assert [r["id"] for r in data["activity"]["requirements"]["added"]] == ["REQ-002", "REQ-003"]
    out = run_reqctl(repo, "report", "weekly", *W46).out
    assert "**Period:** week 2026-W46, 9 Nov – 15 Nov 2026 · **Customer:** Test Customer" in out


def test_week_across_the_year_boundary(repo: Path) -> None:
    data = weekly(repo, "--week", "2026-W53")
    assert (data["period"]["since"], data["period"]["until"]) == ("2026-12-28", "2027-01-03")
    assert data["next_week"]["week"] == "2027-W01"


@pytest.mark.parametrize(("args", "message"), [
    (("--week", "2026-W54"), "error: --week 2026-W54: 2026 has weeks W01 to W53"),
    (("--week", "2027-W53"), "error: --week 2027-W53: 2027 has weeks W01 to W52"),
    (("--week", "next"), "error: --week next: not an ISO week; use YYYY-Www, e.g. 2026-W48"),
    (("--week", "2026-W46", "--since", "2026-11-01"), "error: --week cannot be combined with --since or --until"),
])
def test_bad_week_is_one_line_exit_2(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run_reqctl(repo, "report", "weekly", *args)
    assert result.code == 2
    assert result.err.strip() == message
    assert result.out == ""


def test_default_period_is_this_calendar_week(repo: Path) -> None:
    data = weekly(repo)
    week = week_of(dt.date.today())
    assert (data["period"]["week"], data["period"]["since"], data["period"]["until"]) == (
        week.label, week.monday.isoformat(), week.sunday.isoformat())
    assert data["period"]["as_of"] == dt.date.today().isoformat()


def test_since_until_still_work(repo: Path) -> None:
    data = weekly(repo, "--since", "2026-11-03", "--until", "2026-11-12")
    assert (data["period"]["since"], data["period"]["until"], data["period"]["week"]) == (
        "2026-11-03", "2026-11-12", None)
    assert data["note_week"] == "2026-W46"  # the note of the week the period ends in


def test_chinese_period_dates(repo: Path) -> None:
    out = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh").out
    assert "**统计周期**：2026-W46，2026年11月9日至11月15日 · **客户**：Test Customer" in out
    out = run_reqctl(repo, "report", "weekly", "--week", "2026-W53", "--lang", "zh").out
    assert "2026年12月28日至2027年1月3日" in out
    assert "## 下周计划（2027年1月4日至1月10日）" in out
    html = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh", "-f", "html").out
    assert "统计周期：2026-W46，2026年11月9日至11月15日" in html


# --- the PM's note ----------------------------------------------------------------------------------

NOTE_EN = """---
status: amber
status_reason: Test data from the customer is late
---
# Weekly note 2026-W46

## Summary

Pilot *on track*; <script>alert("x")</script> <b>bold</b>

## Next week

- Run the **UAT** kick-off

## Needs from the customer

- Test data by Wednesday

## Open questions

1. Who signs the UAT report?

## Team

Two new testers joined.
"""

NOTE_ZH = """# 2026-W46 周报备注

## 本周总结

试点准备**顺利**。

## 下周计划

启动用户验收测试。

## 需要客户支持

请客户周三前提供测试数据。

## 待确认问题

验收报告由谁签字？
"""


def test_note_sections_in_markdown(repo: Path) -> None:
    write_note(repo, NOTE_EN)
    out = run_reqctl(repo, "report", "weekly", *W46).out
    for expected in ("## Overall status: Amber", "## PM's summary",
                     "Pilot *on track*; <script>alert(\"x\")</script> <b>bold</b>",
                     "- Run the **UAT** kick-off", "- Test data by Wednesday", "## Open questions",
                     "1. Who signs the UAT report?", "## Team", "Two new testers joined."):
        assert expected in out, expected
    assert out.index("## PM's summary") < out.index("## Summary") < out.index("## Next week") < out.index(
        "## Needs from the customer") < out.index("## Open questions") < out.index("## Milestones")
    assert "Weekly note 2026-W46" not in out  # the note's title line is not a section


def test_note_sections_in_html_are_escaped(repo: Path) -> None:
    write_note(repo, NOTE_EN)
    result = run_reqctl(repo, "report", "weekly", *W46, "-f", "html", "-o", "weekly.html")
    assert result.code == 0, result.err
    html = (repo / "weekly.html").read_text(encoding="utf-8")
    assert "<h2>PM&#39;s summary</h2>" in html or "<h2>PM's summary</h2>" in html
    assert "<em>on track</em>" in html
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<strong>UAT</strong>" in html
    assert "Set by the PM: Test data from the customer is late" in html
    assert 'class="rag rag-amber"' in html


def test_note_sections_in_chinese(repo: Path) -> None:
    write_note(repo, NOTE_ZH)
    out = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh").out
    for expected in ("## 本周总结（项目经理）\n\n试点准备**顺利**。",
                     "## 下周计划（2026年11月16日至11月22日）\n\n启动用户验收测试。",
                     "## 需要客户支持\n\n请客户周三前提供测试数据。", "## 待确认问题\n\n验收报告由谁签字？"):
        assert expected in out, expected
    html = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh", "-f", "html").out
    assert "<h2>本周总结（项目经理）</h2>" in html and "<strong>顺利</strong>" in html


def test_override_without_reason_is_an_error(repo: Path) -> None:
    write_note(repo, "---\nstatus: red\n---\n## Summary\n\nx\n")
    result = run_reqctl(repo, "report", "weekly", *W46)
    assert result.code == 2
    assert result.err.strip() == (f"error: {NOTE}:2: status: red needs a status_reason: saying why the PM "
                                  "overrides the computed status")


@pytest.mark.parametrize(("front", "message"), [
    ("status: purple\nstatus_reason: x", f"error: {NOTE}:2: status: purple: use red, amber or green"),
    ("status_reason: why", f"error: {NOTE}:2: status_reason: without status: (red, amber or green)"),
    ("owner: me", f"error: {NOTE}:2: unknown key 'owner' in a weekly note (allowed: status, status_reason)"),
    ("status: [", f"error: {NOTE}:"),
])
def test_bad_note_front_matter(repo: Path, front: str, message: str) -> None:
    write_note(repo, f"---\n{front}\n---\n")
    result = run_reqctl(repo, "report", "weekly", *W46)
    assert result.code == 2
    assert result.err.startswith(message) and result.err.count("\n") == 1


def test_chinese_status_names_in_note(repo: Path) -> None:
    write_note(repo, "---\nstatus: 红\nstatus_reason: 客户关键用户本周缺席\n---\n")
    out = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh").out
    assert "## 总体状态：红" in out
    assert "项目经理设定：客户关键用户本周缺席（按规则计算为：绿）。" in out


def test_check_ignores_notes(repo: Path) -> None:
    write_note(repo, "---\nstatus: [\n---\n")
    commit_on(repo, "2026-11-10")
    result = run_reqctl(repo, "check")
    assert result.code == 0, result.out + result.err
    assert "notes" not in result.out + result.err


def test_symlinked_notes_folder_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "weekly"
    outside.mkdir(parents=True)
    (outside / "2026-W46.md").write_text("## Summary\n\nsecret\n", encoding="utf-8")
    (repo / "notes").symlink_to(tmp_path / "outside")
    result = run_reqctl(repo, "report", "weekly", *W46)
    assert result.code == 2
    assert result.err.strip() == "error: notes: is a symbolic link; reqctl does not follow links in notes/"
    edit = run_reqctl(repo, "report", "weekly", *W46, "--edit")
    assert edit.code == 2 and "symbolic link" in edit.err


# --- --edit -----------------------------------------------------------------------------------------


def test_edit_without_editor_creates_the_note(repo: Path) -> None:
    result = run_reqctl(repo, "report", "weekly", "--edit", *W46, env={"VISUAL": "", "EDITOR": ""})
    assert result.code == 0, result.err
    assert result.out.strip() == NOTE
    text = (repo / NOTE).read_text(encoding="utf-8")
    assert text.startswith("---\n# Optional: override the computed overall status")
    assert "# Weekly note 2026-W46 (9 Nov – 15 Nov 2026)" in text
    for heading in ("## Summary", "## Next week", "## Needs from the customer", "## Open questions"):
        assert heading in text
    (repo / NOTE).write_text(text.replace("## Summary\n", "## Summary\n\nAll good.\n"), encoding="utf-8")
    again = run_reqctl(repo, "report", "weekly", "--edit", *W46, env={"VISUAL": "", "EDITOR": ""})
    assert again.code == 0 and again.out.strip() == NOTE and "exists" in again.err
    assert "All good." in (repo / NOTE).read_text(encoding="utf-8")  # never overwritten
    out = run_reqctl(repo, "report", "weekly", *W46).out
    assert "## PM's summary\n\nAll good." in out
    assert "## Open questions" not in out  # the template's empty sections are left out


def test_note_that_is_a_folder_is_refused(repo: Path) -> None:
    (repo / NOTE).mkdir(parents=True)
    for args in ((), ("--edit",)):
        result = run_reqctl(repo, "report", "weekly", *W46, *args, env={"VISUAL": "", "EDITOR": ""})
        assert result.code == 2
        assert result.err.strip() == f"error: {NOTE}: is not a regular file"


def test_edit_creates_a_chinese_note(repo: Path) -> None:
    result = run_reqctl(repo, "report", "weekly", "--edit", "--week", "2026-W53", "--lang", "zh",
                        env={"VISUAL": "", "EDITOR": ""})
    assert result.code == 0, result.err
    text = (repo / "notes/weekly/2026-W53.md").read_text(encoding="utf-8")
    assert "# 2026-W53 周报备注（2026年12月28日至2027年1月3日）" in text
    for heading in ("## 本周总结", "## 下周计划", "## 需要客户支持", "## 待确认问题"):
        assert heading in text


def test_edit_runs_the_editor_and_refuses_a_bad_note(repo: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reqctl.cli.report.interactive", lambda: True)
    good = tmp_path / "good.sh"
    good.write_text("#!/bin/sh\nprintf -- '---\\nstatus: green\\nstatus_reason: fine\\n---\\n"
                    "## Summary\\n\\nEdited.\\n' > \"$1\"\n", encoding="utf-8")
    good.chmod(0o755)
    result = run_reqctl(repo, "report", "weekly", "--edit", *W46, env={"VISUAL": str(good)})
    assert result.code == 0, result.err
    assert result.out.strip() == f"{NOTE}: saved"
    assert "Edited." in (repo / NOTE).read_text(encoding="utf-8")
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/bin/sh\nprintf -- '---\\nstatus: red\\n---\\n' > \"$1\"\n", encoding="utf-8")
    bad.chmod(0o755)
    result = run_reqctl(repo, "report", "weekly", "--edit", *W46, env={"VISUAL": str(bad)})
    assert result.code == 2
    assert "needs a status_reason" in result.err and "your edit is saved in" in result.err
    assert "Edited." in (repo / NOTE).read_text(encoding="utf-8")  # unchanged


# --- overall status ---------------------------------------------------------------------------------


def meeting(root: Path, actions: str, mid: str = "MTG-001") -> None:
    write_item(root, "meetings", mid, f"title: Status\ndate: 2026-11-03\nattendees: [{PM}]\nactions:\n{actions}")


def test_green_when_no_rule_fires(repo: Path) -> None:
    data = weekly(repo, *W46)
    assert data["overall"]["status"] == data["overall"]["computed"] == "green"
    assert data["overall"]["fired"] == [] and data["overall"]["override"] is None
    out = run_reqctl(repo, "report", "weekly", *W46).out
    assert "## Overall status: Green\n\nNo status rule fired: green." in out


def test_amber_from_an_overdue_customer_action(repo: Path) -> None:
    meeting(repo, f"  - what: Send test data\n    owner: {CUSTOMER}\n    due: 2026-11-10\n")
    commit_on(repo, "2026-11-04")
    data = weekly(repo, *W46)
    assert data["overall"]["status"] == "amber"
    assert data["overall"]["fired"] == [{"colour": "amber", "metric": "overdue_customer_actions", "count": 1,
                                         "threshold": 1}]
    out = run_reqctl(repo, "report", "weekly", *W46).out
    assert "Amber because of: overdue customer action items 1 (≥ 1)." in out
    zh = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh").out
    assert "## 总体状态：黄\n\n判定为黄的原因：客户方逾期行动项 1 项（≥ 1）。" in zh


def test_red_from_configured_rules(repo: Path) -> None:
    write_config(repo, "weekly:\n  status:\n    red: {overdue_actions: 1}\n    amber: {}\n")
    meeting(repo, f"  - what: Write test plan\n    owner: {PM}\n    due: 2026-11-10\n")
    commit_on(repo, "2026-11-04")
    data = weekly(repo, *W46)
    assert data["overall"]["status"] == "red"
    assert [f["metric"] for f in data["overall"]["fired"]] == ["overdue_actions"]
    assert data["overall"]["metrics"]["overdue_customer_actions"] == 0  # the PM is not the customer
    assert "## Overall status: Red\n\nRed because of: overdue action items 1 (≥ 1)." in run_reqctl(
        repo, "report", "weekly", *W46).out


def test_red_from_default_rules_overdue_milestone(repo: Path) -> None:
    (repo / "reqctl.yaml").write_text((repo / "reqctl.yaml").read_text(encoding="utf-8").replace(
        "date: 2026-12-15", "date: 2026-11-12"), encoding="utf-8")
    write_item(repo, "requirements", "REQ-001", "title: Sign in\nstatus: draft\nmilestone: M1")
    commit_on(repo, "2026-11-04")
    data = weekly(repo, *W46)  # M1 was due on Thursday 12 Nov and is not done
    assert data["overall"]["computed"] == "red"
    assert {"colour": "red", "metric": "overdue_milestones", "count": 1, "threshold": 1} in data["overall"]["fired"]


def test_unknown_status_metric_is_a_config_error(repo: Path) -> None:
    write_config(repo, "weekly:\n  status:\n    red: {late_pizza: 1}\n")
    result = run_reqctl(repo, "report", "weekly", *W46)
    assert result.code == 2
    assert "reqctl.yaml" in result.err and "late_pizza" in result.err and result.err.count("\n") == 1


def test_override_with_reason(repo: Path) -> None:
    write_note(repo, NOTE_EN)
    data = weekly(repo, *W46)
    assert data["overall"] | {"metrics": None} == {
        "status": "amber", "computed": "green", "fired": [], "metrics": None,
        "override": {"status": "amber", "reason": "Test data from the customer is late", "path": NOTE}}
    out = run_reqctl(repo, "report", "weekly", *W46).out
    assert ("## Overall status: Amber\n\nSet by the PM: Test data from the customer is late "
            "(computed from the rules: Green).") in out


# --- next week and the customer ----------------------------------------------------------------------


def test_next_week_plan(repo: Path) -> None:
    write_config(repo, "")
    (repo / "reqctl.yaml").write_text((repo / "reqctl.yaml").read_text(encoding="utf-8").replace(
        "date: 2026-12-15", "date: 2026-11-20"), encoding="utf-8")
    meeting(repo, f"  - what: Book the UAT room\n    owner: {PM}\n    due: 2026-11-17\n"
                  f"  - what: Later thing\n    owner: {PM}\n    due: 2026-11-24\n"
                  f"  - what: Done thing\n    owner: {PM}\n    due: 2026-11-18\n    done: true\n")
    write_item(repo, "risks", "RISK-001", f"title: Data late\nstatus: open\nprobability: 2\nimpact: 2\n"
               f"owner: {PM}\nreview_by: 2026-11-22")
    write_item(repo, "risks", "RISK-002", f"title: Closed one\nstatus: closed\nprobability: 2\nimpact: 2\n"
               f"owner: {PM}\nreview_by: 2026-11-19")
    commit_on(repo, "2026-11-04")
    data = weekly(repo, *W46)["next_week"]
    assert (data["week"], data["since"], data["until"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    assert [a["what"] for a in data["actions"]] == ["Book the UAT room"]
    assert [m["id"] for m in data["milestones"]] == ["M1"]
    assert [r["id"] for r in data["risk_reviews"]] == ["RISK-001"]
    out = run_reqctl(repo, "report", "weekly", *W46).out
    section = out[out.index("## Next week"):out.index("## Needs from the customer")]
    assert "## Next week (16 Nov – 22 Nov 2026)" in section
    assert "- Milestone **M1** Pilot — due 20 Nov 2026" in section
    assert "- Action item (MTG-001): Book the UAT room — pm@example.com, due 17 Nov 2026" in section
    assert "- Risk review: **RISK-001** Data late — pm@example.com, by 22 Nov 2026" in section
    assert "Later thing" not in section and "Done thing" not in section
    zh = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh").out
    assert "- 里程碑 **M1** Pilot：2026年11月20日 到期" in zh


def test_customer_needs(repo: Path) -> None:
    write_item(repo, "requirements", "REQ-001", "title: Sign in\nstatus: proposed")
    write_item(repo, "changes", "CR-001", f"title: Add SEPA\nstatus: proposed\nrequested_by: {CUSTOMER}\n"
               "created: 2026-11-03\naffects: [REQ-001]")
    meeting(repo, "  - what: Send test data\n    owner: other@acme.example\n    due: 2026-11-10\n"
                  f"  - what: Sign contract\n    owner: {CUSTOMER}\n    due: 2026-11-11\n"
                  "  - what: Vendor task\n    owner: dev@example.com\n    due: 2026-11-10\n"
                  f"  - what: Not due yet\n    owner: {CUSTOMER}\n    due: 2026-11-30\n")
    commit_on(repo, "2026-11-04")
    needs = weekly(repo, *W46)["customer_needs"]
    assert [(p["id"], p["customer_roles"]) for p in needs["approvals"]] == [("REQ-001", ["customer"]),
                                                                            ("CR-001", ["customer"])]
    assert [a["what"] for a in needs["overdue_actions"]] == ["Send test data", "Sign contract"]
    out = run_reqctl(repo, "report", "weekly", *W46).out
    section = out[out.index("## Needs from the customer"):out.index("## Milestones")]
    assert "- Approval: **REQ-001** Sign in — awaiting customer (customer@example.com)" in section
    assert "- Approval: **CR-001** Add SEPA — awaiting customer (customer@example.com)" in section
    assert "- Overdue action item (MTG-001): Send test data — Olga Acme, due 10 Nov 2026" in section
    assert "Vendor task" not in section and "Not due yet" not in section
    zh = run_reqctl(repo, "report", "weekly", *W46, "--lang", "zh").out
    assert "- 待审批：**REQ-001** Sign in，等待客户（customer@example.com）审批" in zh
    assert "- 逾期行动项（MTG-001）：Send test data，负责人 Olga Acme，2026年11月10日 截止" in zh


def test_nothing_for_the_customer(repo: Path) -> None:
    out = run_reqctl(repo, "report", "weekly", *W46).out
    assert "## Needs from the customer\n\nNothing is waiting on the customer." in out
    assert "Nothing falls due next week." in out


_NOTE_PIECES = st.sampled_from(["---\n", "status: ", "status_reason: ", "## Summary\n", "## 下周计划\n", "```\n",
                                "# Title\n", "red", "红", "amber\n", "x", "\n", " ", ":", "[", "\t", "~~~\n"])


@given(st.lists(_NOTE_PIECES, max_size=25).map("".join))
def test_any_note_text_parses_or_is_a_located_format_error(text: str) -> None:
    from reqctl.errors import FileFormatError
    from reqctl.ops.weekly_note import parse_note

    try:
        note = parse_note(text.encode("utf-8"), NOTE)
    except FileFormatError as exc:
        assert str(exc.path) == NOTE and exc.line is not None
    else:
        assert note.status in (None, "red", "amber", "green")
        assert (note.status is None) == (note.status_reason is None)
        assert all(s.text.strip() for s in note.sections)
