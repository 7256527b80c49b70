"""Chinese throughout, for the report, weekly-note, lessons, item and change commands (issue 10 point 5).

Each area runs in a real temporary repository with ``--lang zh`` (or in a ``language: zh`` project) and
asserts the Chinese line a user sees; the same run with ``--lang en`` still shows the English one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import git, run_reqctl, write_config, write_item

REQ = "title: Login\nstatus: draft\npriority: must\nacceptance: [can log in]\n"
NO_EDITOR = {"VISUAL": "", "EDITOR": ""}


def _zh(project: Path, extra: str = "") -> None:
    """Make the test project a Chinese one (``language: zh``) and commit it."""
    write_config(project, extra)
    text = (project / "reqctl.yaml").read_text("utf-8").replace("language: en", "language: zh")
    (project / "reqctl.yaml").write_text(text, encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "zh")


# --- report: the lines printed after rendering ---------------------------------------------------------


def test_report_summary_lines_are_chinese_and_english_with_lang_en(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", REQ)  # not committed: the weekly report warns
    zh = run_reqctl(project, "--lang", "zh", "report", "weekly", "-o", "weekly.md", "--week", "2026-W48")
    assert zh.code == 0, zh.err
    assert "warning: 报告读取的是已提交的历史；有 1 个事项文件尚未提交\n" in zh.err
    assert "已写入 weekly.md" in zh.err
    en = run_reqctl(project, "--lang", "en", "report", "weekly", "-o", "weekly.md", "--week", "2026-W48")
    assert "warning: the report reads committed history; 1 item file is not committed\n" in en.err
    assert "wrote weekly.md" in en.err


@pytest.mark.parametrize(("args", "zh", "en"), [
    (("--week", "2027-W53"), "error: --week 2027-W53：2027 年只有 W01 到 W52 周",
     "error: --week 2027-W53: 2027 has weeks W01 to W52"),
    (("--week", "48"), "error: --week 48：不是 ISO 周；请使用 YYYY-Www 格式，如 2026-W48",
     "error: --week 48: not an ISO week; use YYYY-Www, e.g. 2026-W48"),
    (("--since", "2026-12-01", "--until", "2026-11-01"), "error: --since 2026-12-01 晚于 --until 2026-11-01",
     "error: --since 2026-12-01 is after --until 2026-11-01"),
    (("--until", "tomorrow"), "error: --until tomorrow：不是日期；请使用 YYYY-MM-DD 格式",
     "error: --until tomorrow: not a date; use YYYY-MM-DD"),
    (("--week", "2026-W48", "--since", "2026-11-01"), "error: --week 不能与 --since 或 --until 同时使用",
     "error: --week cannot be combined with --since or --until"),
])
def test_report_period_errors_in_both_languages(project: Path, args: tuple[str, ...], zh: str, en: str) -> None:
    chinese = run_reqctl(project, "--lang", "zh", "report", "weekly", *args)
    assert (chinese.code, chinese.err.strip()) == (2, zh)
    english = run_reqctl(project, "--lang", "en", "report", "weekly", *args)
    assert (english.code, english.err.strip()) == (2, en)


# --- report weekly --edit ---------------------------------------------------------------------------------


def test_weekly_edit_without_an_editor_speaks_the_project_language(project: Path) -> None:
    _zh(project)
    created = run_reqctl(project, "report", "weekly", "--edit", "--week", "2026-W48", env=NO_EDITOR)
    assert created.code == 0, created.err
    assert created.out.strip() == "notes/weekly/2026-W48.md"
    assert "已按模板创建；没有可用的编辑器或终端，请自行编辑该文件" in created.err
    again = run_reqctl(project, "report", "weekly", "--edit", "--week", "2026-W48", env=NO_EDITOR)
    assert "文件已存在；没有可用的编辑器或终端，请自行编辑该文件" in again.err
    english = run_reqctl(project, "--lang", "en", "report", "weekly", "--edit", "--week", "2026-W48", env=NO_EDITOR)
    assert "exists; no editor or terminal, so edit the file yourself" in english.err


def _editor(tmp_path: Path, name: str, script: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_weekly_edit_with_an_editor_saved_no_changes_and_refused(project: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _zh(project)
    monkeypatch.setattr("reqctl.cli.report.interactive", lambda: True)
    note = "notes/weekly/2026-W48.md"
    keep = _editor(tmp_path, "keep.sh", "true\n")
    first = run_reqctl(project, "report", "weekly", "--edit", "--week", "2026-W48", env={"VISUAL": keep})
    assert (first.code, first.out.strip()) == (0, f"{note}：已创建")
    same = run_reqctl(project, "report", "weekly", "--edit", "--week", "2026-W48", env={"VISUAL": keep})
    assert same.out.strip() == f"{note}：没有修改"
    good = _editor(tmp_path, "good.sh", "printf -- '## 本周总结\\n\\n顺利。\\n' > \"$1\"\n")
    saved = run_reqctl(project, "report", "weekly", "--edit", "--week", "2026-W48", env={"VISUAL": good})
    assert saved.out.strip() == f"{note}：已保存"
    bad = _editor(tmp_path, "bad.sh", "printf -- '---\\nstatus: red\\n---\\n' > \"$1\"\n")
    refused = run_reqctl(project, "report", "weekly", "--edit", "--week", "2026-W48", env={"VISUAL": bad})
    assert refused.code == 2
    assert refused.err.startswith(
        f"error: {note}:2: status: red 需要同时填写 status_reason:，说明项目经理为何调整计算出的总体状态；"
        f"{note} 未修改，您的编辑已保存在 ")
    assert "顺利。" in (project / note).read_text(encoding="utf-8")
    english = run_reqctl(project, "--lang", "en", "report", "weekly", "--edit", "--week", "2026-W48",
                         env={"VISUAL": bad})
    assert english.err.startswith(f"error: {note}:2: status: red needs a status_reason: saying why the PM "
                                  f"overrides the computed status; {note} is unchanged, your edit is saved in ")
    assert run_reqctl(project, "--lang", "en", "report", "weekly", "--edit", "--week", "2026-W48",
                      env={"VISUAL": keep}).out.strip() == f"{note}: no changes"


def test_a_broken_weekly_note_is_reported_in_chinese(project: Path) -> None:
    _zh(project)
    note = project / "notes/weekly/2026-W48.md"
    note.parent.mkdir(parents=True)
    note.write_text("---\nmood: fine\n---\n", encoding="utf-8")
    zh = run_reqctl(project, "report", "weekly", "--week", "2026-W48")
    assert zh.code == 2
    assert zh.err.startswith("error: notes/weekly/2026-W48.md:2: 周报备注中有未知字段 'mood'（允许：")
    en = run_reqctl(project, "--lang", "en", "report", "weekly", "--week", "2026-W48")
    assert en.err.startswith("error: notes/weekly/2026-W48.md:2: unknown key 'mood' in a weekly note (allowed: ")


# --- lessons ---------------------------------------------------------------------------------------------


def _lesson_export(tmp_path: Path, name: str, lessons: list[dict[str, object]]) -> Path:
    path = tmp_path / name
    data = {"format": "reqctl-lessons", "version": 1, "project": "Earlier portal", "customer": "Acme",
            "exported": "2026-06-30", "lessons": lessons}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_lessons_export_and_import_speak_chinese(project: Path, tmp_path: Path) -> None:
    _zh(project)
    write_item(project, "lessons", "LL-001", "title: 尽早确认验收标准\ndate: 2026-11-20\ncategory: 需求")
    exported = run_reqctl(project, "lessons", "export", "-o", "lessons.json")
    assert exported.code == 0, exported.err
    assert "已写入 lessons.json（1 条经验教训）" in exported.err
    english = run_reqctl(project, "--lang", "en", "lessons", "export", "-o", "lessons.json")
    assert "wrote lessons.json (1 lesson)" in english.err

    own = run_reqctl(project, "lessons", "import", "lessons.json")
    assert own.code == 2
    assert own.err.strip() == "error: lessons.json: 是本项目（Test project）的导出文件；其中的经验教训本项目已有"

    other = _lesson_export(tmp_path, "earlier.json", [{"id": "LL-001", "title": "每周发周报"}])
    added = run_reqctl(project, "lessons", "import", str(other))
    assert added.code == 0, added.err
    assert added.out.strip() == "knowledge/earlier-portal.json：来自“Earlier portal”的 1 条经验教训（已新增）"
    same = run_reqctl(project, "--lang", "en", "lessons", "import", str(other))
    assert same.out.strip() == "knowledge/earlier-portal.json: 1 lesson from 'Earlier portal' (unchanged)"


def test_a_bad_lessons_export_names_the_field_in_chinese(project: Path, tmp_path: Path) -> None:
    _zh(project)
    bad = _lesson_export(tmp_path, "bad.json", [{"id": "LL-001", "title": ""}])
    zh = run_reqctl(project, "lessons", "import", str(bad))
    assert (zh.code, zh.err.strip()) == (2, f"error: {bad}: lessons.0.title：不能为空")
    en = run_reqctl(project, "--lang", "en", "lessons", "import", str(bad))
    assert en.err.strip() == f"error: {bad}: lessons.0.title: must not be empty"
    (tmp_path / "notjson.json").write_text("{", encoding="utf-8")
    broken = run_reqctl(project, "lessons", "import", str(tmp_path / "notjson.json"))
    assert "不是有效的 JSON：" in broken.err


# --- items: add, set, show, action done, risk update -------------------------------------------------------


@pytest.mark.parametrize(("args", "zh", "en"), [
    (("req", "set", "REQ-001", "colour=red"),
     "error: 'colour'：不是 'req set' 可以修改的字段；可用字段：title, priority, owner",
     "error: 'colour': not a field 'req set' changes; use one of title, priority, owner"),
    (("req", "set", "REQ-001", "status=approved"),
     "error: 'status'：请使用 'reqctl req status 编号 状态'（会检查审批）",
     "error: 'status': use 'reqctl req status ID STATUS' (it checks approvals)"),
    (("req", "set", "REQ-001", "milestone=M9"),
     "error: milestone=M9：没有这个里程碑（已定义：M1, M2）",
     "error: milestone=M9: no such milestone (known: M1, M2)"),
    (("req", "set", "REQ-001", "tags-=web"),
     "error: tags-=web：REQ-001 没有标签 'web'", "error: tags-=web: REQ-001 has no tag 'web'"),
    (("req", "add", "Export", "--status", "approved"),
     "error: --status approved：新需求的状态只能是 draft（草稿）或 proposed（待确认）",
     "error: --status approved: new requirements start as draft or proposed"),
    (("risk", "add", "Vendor late", "--probability", "9", "--impact", "2"),
     "error: --probability 9：请填写 1 到 5 之间的整数", "error: --probability 9: use a whole number from 1 to 5"),
    (("risk", "update", "RISK-001"),
     "error: 没有要更新的内容：请给出 --probability、--impact、--status 或 --note",
     "error: nothing to update: give --probability, --impact, --status or --note"),
    (("meeting", "action", "done", "MTG-001", "3"),
     "error: MTG-001 只有 1 个行动项；没有第 3 项", "error: MTG-001 has 1 action item; there is no number 3"),
    (("req", "show", "RISK-001"),
     "error: RISK-001 是风险；请使用 'reqctl risk show RISK-001'",
     "error: RISK-001 is a risk; use 'reqctl risk show RISK-001'"),
    (("req", "list", "--json", "--format", "csv"),
     "error: --json 与 --format csv 相互矛盾；请只用其一",
     "error: --json and --format csv contradict each other; use one"),
])
def test_item_command_errors_in_both_languages(project: Path, args: tuple[str, ...], zh: str, en: str) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", REQ)
    write_item(project, "risks", "RISK-001", "title: Vendor late\nstatus: open\nprobability: 2\nimpact: 3")
    write_item(project, "meetings", "MTG-001", "title: Kickoff\ndate: 2026-11-02\nkind: kickoff\n"
                                               "actions:\n  - {what: Send the plan, done: false}")
    chinese = run_reqctl(project, *args)
    assert chinese.code == 2
    assert chinese.err.startswith(zh), chinese.err
    english = run_reqctl(project, "--lang", "en", *args)
    assert english.code == 2
    assert english.err.startswith(en), english.err


def test_show_names_who_points_at_an_item_in_chinese(project: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", REQ)
    write_item(project, "requirements", "REQ-002", "title: Logout\nstatus: draft\npriority: must\n"
                                                   "depends_on: [REQ-001]")
    shown = run_reqctl(project, "req", "show", "REQ-001")
    assert shown.code == 0, shown.err
    assert "REQ-002 依赖本项：Logout" in shown.out
    assert "REQ-002 depends on it: Logout" in run_reqctl(project, "--lang", "en", "req", "show", "REQ-001").out


# --- change requests --------------------------------------------------------------------------------------


def test_change_errors_in_both_languages(project: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", REQ)
    write_item(project, "risks", "RISK-001", "title: Vendor late\nstatus: open\nprobability: 2\nimpact: 3")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "items")
    no_affects = run_reqctl(project, "change", "propose", "Single sign-on")
    assert no_affects.err.strip() == "error: 请用 --affects 编号 指出该变更影响的需求"
    risk = run_reqctl(project, "change", "propose", "Single sign-on", "--affects", "RISK-001")
    assert risk.err.strip() == "error: --affects RISK-001：这是风险，不是需求"
    missing = run_reqctl(project, "change", "propose", "Single sign-on", "--affects", "REQ-009")
    assert missing.err.strip() == "error: --affects REQ-009：main 分支上没有这条需求"
    english = run_reqctl(project, "--lang", "en", "change", "propose", "Single sign-on", "--affects", "REQ-009")
    assert english.err.strip() == "error: --affects REQ-009: no such requirement on main"

    (project / "requirements" / "REQ-001.md").write_text("changed\n", encoding="utf-8")
    dirty = run_reqctl(project, "change", "propose", "Single sign-on", "--affects", "REQ-001")
    assert dirty.err.strip() == ("error: 无法提出变更请求：requirements/REQ-001.md 有未提交的修改；"
                                 "请先提交或暂存（stash）")
    dirty_en = run_reqctl(project, "--lang", "en", "change", "propose", "Single sign-on", "--affects", "REQ-001")
    assert dirty_en.err.strip() == ("error: cannot propose a change: uncommitted changes in "
                                    "requirements/REQ-001.md; commit or stash them first")
    git(project, "checkout", "--", "requirements/REQ-001.md")

    proposed = run_reqctl(project, "change", "propose", "Single sign-on", "--affects", "REQ-001", "--no-branch")
    assert proposed.code == 0, proposed.err
    shown = run_reqctl(project, "change", "show", "CR-001").out
    assert "状态：待确认" in shown and "分支：（无：直接记录在主线上）" in shown and "影响评估：尚未评估" in shown
    assert "客户：尚未审批" in shown
    shown_en = run_reqctl(project, "--lang", "en", "change", "show", "CR-001").out
    assert "status: proposed" in shown_en and "branch: (none: recorded on the main line)" in shown_en
    assert "impact: not assessed yet" in shown_en and "customer: approval missing" in shown_en
    bad_risk = run_reqctl(project, "change", "assess", "CR-001", "--risk", "huge")
    assert bad_risk.err.strip() == "error: --risk huge：请使用 low、medium 或 high"
    unassessed = run_reqctl(project, "change", "approve", "CR-001", "--by", "pm@example.com")
    assert unassessed.err.strip() == "error: CR-001 尚未进行影响评估；请先运行 'reqctl change assess CR-001'"
    not_approved = run_reqctl(project, "change", "merge", "CR-001")
    assert not_approved.err.strip() == ("error: 无法完成 CR-001：CR-001 的状态是待确认，尚未批准；"
                                        "客户：尚未审批；项目经理：尚未审批")
    en = run_reqctl(project, "--lang", "en", "change", "merge", "CR-001")
    assert en.err.strip() == ("error: cannot complete CR-001: CR-001 is proposed, not approved; "
                              "customer: approval missing; pm: approval missing")


# --- reqctl.yaml and item validation ----------------------------------------------------------------------


def test_config_validator_messages_are_chinese(project: Path) -> None:
    _zh(project, "display:\n  zh:\n    priority: {urgent: 紧急}\n")
    zh = run_reqctl(project, "check")
    assert zh.code == 2
    assert zh.err.strip() == ("error: reqctl.yaml: （顶层）：display.zh.priority 中的 'urgent' "
                              "不是已配置的优先级（must, should, could, wont）")
    en = run_reqctl(project, "--lang", "en", "check")
    assert en.err.strip() == ("error: reqctl.yaml: (top level): display.zh.priority names 'urgent', "
                              "not one of the priorities (must, should, could, wont)")


def test_item_validator_messages_are_chinese_and_cached_in_both(project: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", "title: \"\"\nstatus: draft\npriority: must")
    write_item(project, "changes", "CR-001", "title: SSO\nstatus: proposed\naffects: [REQ-001]\n"
                                             "impact: {cost: {amount: lots, currency: CNY}}")
    zh = run_reqctl(project, "check")
    assert "requirements/REQ-001.md:3: 错误 R002 title：不能为空" in zh.out
    assert "impact.cost：金额 'lots' 不是数字：请填写数字，或 {amount: 12000, currency: CNY}" in zh.out
    en = run_reqctl(project, "--lang", "en", "check")  # from the cache the Chinese run filled
    assert "requirements/REQ-001.md:3: error R002 title: must not be empty" in en.out
    assert "impact.cost: amount 'lots' is not a number: write a number, or {amount: 12000, currency: CNY}" in en.out


# --- main ---------------------------------------------------------------------------------------------------


def test_lang_option_errors_follow_the_environment(project: Path) -> None:
    zh = run_reqctl(project, "--lang", "fr", "check", env={"LANGUAGE": "zh"})
    assert zh.err.strip() == "error: --lang fr：请使用 en, zh 之一"
    en = run_reqctl(project, "--lang", "fr", "check", env={"LANGUAGE": "en"})
    assert en.err.strip() == "error: --lang fr: use one of en, zh"
    usage = run_reqctl(project, "--lang", "zh", "req", "show")
    assert usage.code == 2 and "运行 'reqctl req show --help' 查看帮助。" in usage.err


def test_pydantic_type_errors_read_in_chinese_and_stay_as_pydantic_words_them_in_english(project: Path) -> None:
    _zh(project)
    write_item(project, "risks", "RISK-001", "title: Vendor late\nstatus: open\nprobability: 9\nimpact: lots")
    zh = run_reqctl(project, "check").out
    assert "risks/RISK-001.md:5: 错误 R002 probability：'9'：应小于或等于 5" in zh
    assert "risks/RISK-001.md:6: 错误 R002 impact：'lots'：应为整数，无法把文字解析为整数" in zh
    en = run_reqctl(project, "--lang", "en", "check").out
    assert "risks/RISK-001.md:5: error R002 probability: '9': Input should be less than or equal to 5" in en
    assert ("risks/RISK-001.md:6: error R002 impact: 'lots': Input should be a valid integer, unable to parse "
            "string as an integer") in en
