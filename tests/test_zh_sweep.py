"""Chinese throughout: the leftovers after the four zh branches (issue 10 point 5).

Each test runs a command in a real temporary repository of a ``language: zh`` project (or with
``--lang zh``), asserts the Chinese line a user sees, and that ``--lang en`` still shows the English one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import git, run_reqctl, write_config, write_item

REQ = "title: Login\nstatus: draft\npriority: must\nacceptance: [can log in]\n"


def _zh(project: Path) -> None:
    """Make the test project a Chinese one (``language: zh``), with one requirement, and commit it."""
    write_config(project)
    text = (project / "reqctl.yaml").read_text("utf-8").replace("language: en", "language: zh")
    (project / "reqctl.yaml").write_text(text, encoding="utf-8")
    write_item(project, "requirements", "REQ-001", REQ)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "zh")


def _both(project: Path, *args: str) -> tuple[str, str]:
    """stderr of the same run in the project's language (zh) and with ``--lang en``."""
    zh = run_reqctl(project, *args)
    en = run_reqctl(project, "--lang", "en", *args)
    return zh.err.strip(), en.err.strip()


def test_baseline_refused_on_uncommitted_changes_names_the_action_in_chinese(project: Path) -> None:
    _zh(project)
    (project / "requirements" / "REQ-001.md").write_text(
        (project / "requirements" / "REQ-001.md").read_text("utf-8") + "more\n", encoding="utf-8")
    zh, en = _both(project, "baseline", "create", "v1")
    assert zh == "error: 无法创建基线：requirements/REQ-001.md 有未提交的修改；请先提交或暂存（stash）"
    assert en == "error: cannot create a baseline: uncommitted changes in requirements/REQ-001.md; " \
                 "commit or stash them first"
    assert git(project, "tag", "--list") == ""


def test_unfinished_git_merge_is_explained_in_chinese(project: Path) -> None:
    _zh(project)
    head = git(project, "rev-parse", "HEAD").strip()
    (project / ".git" / "MERGE_HEAD").write_text(head + "\n", encoding="utf-8")
    zh, en = _both(project, "baseline", "create", "v1")
    assert zh == "error: git 正在进行合并；请先完成或中止它"
    assert en == "error: a merge is in progress; finish or abort it first"
    zh, en = _both(project, "change", "propose", "Bigger login", "--affects", "REQ-001")
    assert zh == "error: 无法提出变更请求：git 正在进行合并；请先完成或中止它"
    assert en == "error: cannot propose a change: a merge is in progress; finish or abort it first"


def test_publish_attachment_warning_is_chinese(project: Path, tmp_path: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-002", REQ, "\n![截图](docs/missing.png)\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "picture")
    zh, en = _both(project, "publish", str(tmp_path / "site"))
    assert "warning: requirements/REQ-002.md：docs/missing.png：文件不存在；保留为文字" in zh.splitlines()
    assert "warning: requirements/REQ-002.md: docs/missing.png: no such file; left as text" in en.splitlines()


@pytest.mark.parametrize(("args", "zh", "en"), [
    (("req", "history", "REQ-009"),
     "error: 没有提交改动过 requirements/REQ-009.md（git 历史中没有事项 REQ-009）",
     "error: no commit touched requirements/REQ-009.md (no item REQ-009 in git history)"),
    (("diff", "nosuchrev"),
     "error: 未知的版本“nosuchrev”：这里没有这个分支、标签或提交",
     "error: unknown revision 'nosuchrev': not a branch, tag or commit here"),
    (("req", "history", "bad/id"),
     "error: “bad/id”不是事项编号（应形如 REQ-012）",
     "error: 'bad/id' is not an item ID (expected something like REQ-012)"),
])
def test_history_errors_in_both_languages(project: Path, args: tuple[str, ...], zh: str, en: str) -> None:
    _zh(project)
    assert _both(project, *args) == (zh, en)


def test_init_ci_install_problem_is_one_chinese_line(tmp_path: Path) -> None:
    zh = run_reqctl(tmp_path, "--lang", "zh", "init", "--ci-install", "", "p")
    assert (zh.code, zh.err.strip()) == (2, "error: --ci-install：安装命令为空")
    en = run_reqctl(tmp_path, "--lang", "en", "init", "--ci-install", "", "p")
    assert (en.code, en.err.strip()) == (2, "error: --ci-install: the install command is empty")
    assert not (tmp_path / "p").exists()


def test_import_row_problem_from_a_validator_is_chinese(project: Path) -> None:
    _zh(project)
    (project / "rows.csv").write_text('title,priority,acceptance\n"two\nlines",must,ok\n', encoding="utf-8")
    zh, en = _both(project, "import", "csv", "rows.csv", "--dry-run")
    assert "第 2 行，列“title”：必须是一行（详细内容请写在正文中）" in zh
    assert "must be a single line (put details in the body)" in en


@pytest.mark.parametrize(("args", "zh", "en"), [
    (("req", "list", "--status", "bogus"),
     "error: --status bogus：需求的状态只能是 draft, proposed, approved, implemented, verified, rejected, "
     "deprecated 之一",
     "error: --status bogus: a requirement status is one of draft, proposed, approved, implemented, verified, "
     "rejected, deprecated"),
    (("req", "status", "REQ-001", "done"),
     "error: “done”不是需求的状态；请使用 draft, proposed, approved, implemented, verified, rejected, deprecated 之一",
     "error: 'done' is not a requirement status; use one of draft, proposed, approved, implemented, verified, "
     "rejected, deprecated"),
    (("req", "status", "REQ-001", "approved"),
     "error: REQ-001 尚未经客户审批；请先运行 'reqctl approve REQ-001'",
     "error: REQ-001 is not approved by customer yet; run 'reqctl approve REQ-001' first"),
    (("req", "add", "X", "--milestone", "M9"),
     "error: --milestone M9：没有这个里程碑（已定义：M1, M2）",
     "error: --milestone M9: no such milestone (known: M1, M2)"),
    (("req", "add", "X", "--priority", "urgent"),
     "error: --priority urgent：请使用 must, should, could, wont 之一",
     "error: --priority urgent: use one of must, should, could, wont"),
    (("req", "add", "X", "--depends", "REQ-077"),
     "error: --depends REQ-077：没有这个事项",
     "error: --depends REQ-077: no such item"),
    (("schema", "widget"),
     "error: 未知的 schema“widget”：请使用 requirement, change, risk, decision, meeting, feedback, lesson, "
     "training, support, followup, config 之一",
     "error: unknown schema 'widget': use one of requirement, change, risk, decision, meeting, feedback, lesson, "
     "training, support, followup, config"),
    (("report", "weekly", "--format", "pdf"),
     "error: --format pdf：请使用 md, html, json 之一",
     "error: --format pdf: use one of md, html, json"),
])
def test_item_and_option_errors_in_both_languages(project: Path, args: tuple[str, ...], zh: str, en: str) -> None:
    _zh(project)
    assert _both(project, *args) == (zh, en)


# --- found by the audit (tests/test_zh_audit.py keeps them from coming back) -------------------------------


def test_change_list_headers_roles_and_missing_branch_are_chinese(project: Path) -> None:
    _zh(project)
    write_item(project, "changes", "CR-001", "title: Bigger\nstatus: proposed\naffects: [REQ-001]\n"
               "impact: {effort_days: 3, schedule_days: 2}\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "cr")
    zh = run_reqctl(project, "change", "list").out
    assert "工作量（人天）" in zh and "工期影响（天）" in zh and "费用" in zh
    assert "客户· 项目经理·" in zh and "（无）" in zh
    en = run_reqctl(project, "--lang", "en", "change", "list").out
    assert "effort_days" in en and "customer· pm·" in en and "(none)" in en
    csv = run_reqctl(project, "change", "list", "--format", "csv").out
    assert "customer· pm·,(none)" in csv  # scripts read the keys, whatever the language


def test_meeting_kind_and_release_notes_read_in_chinese(project: Path) -> None:
    _zh(project)
    write_item(project, "meetings", "MTG-001", "title: Kick-off\ndate: 2026-11-02\nkind: kickoff\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "mtg")
    git(project, "tag", "v1")
    assert "类型：启动会" in run_reqctl(project, "meeting", "show", "MTG-001").out
    assert "meeting_kind: kickoff" in run_reqctl(project, "--lang", "en", "meeting", "show", "MTG-001").out
    path = project / "requirements" / "REQ-001.md"
    path.write_text(path.read_text("utf-8").replace("priority: must", "priority: should"), encoding="utf-8")
    zh = run_reqctl(project, "diff", "v1", "--format", "md").out.splitlines()
    assert zh[0] == "# v1 至 工作区 的变更"
    assert "新增 0 项，删除 0 项，修改 1 项。" in zh and "## 修改" in zh
    assert "  - 优先级：必须 → 应该" in zh
    en = run_reqctl(project, "--lang", "en", "diff", "v1", "--format", "md").out.splitlines()
    assert en[0] == "# Changes from v1 to the working tree"
    assert "  - Priority: must → should" in en


def test_check_rules_and_broken_files_read_in_chinese(project: Path) -> None:
    _zh(project)
    assert "R010  错误  missing-approval:" in run_reqctl(project, "check", "--rules").out
    assert "R010  error    missing-approval:" in run_reqctl(project, "--lang", "en", "check", "--rules").out
    write_item(project, "requirements", "REQ-002", "title: [\n")
    zh, en = (run_reqctl(project, "--no-cache", *lang, "check").out for lang in ((), ("--lang", "en")))
    assert "错误 R001 YAML 错误：缺少应有的内容（括号或引号可能没有闭合）" in zh
    assert "error R001 YAML error: did not find expected node content" in en


def test_config_and_os_errors_read_in_chinese(project: Path) -> None:
    _zh(project)
    config = project / "reqctl.yaml"
    good = config.read_text("utf-8")
    config.write_text(good.replace("date: 2026-12-15", "date: 2026-1-5"), encoding="utf-8")
    zh, en = _both(project, "check")
    assert zh.endswith("milestones.0.date：应为有效的日期或日期时间，内容过短")
    assert en.endswith("milestones.0.date: Input should be a valid date or datetime, input is too short")
    config.write_text(good.replace("requirement: [customer]", "requirement: [boss]"), encoding="utf-8")
    zh, en = _both(project, "check")
    assert zh.startswith("error: reqctl.yaml: （顶层）：")
    assert en.startswith("error: reqctl.yaml: (top level): ")
    config.write_text(good, encoding="utf-8")
    zh, en = _both(project, "lessons", "import", "nowhere.json")
    assert zh == "error: nowhere.json: 无法读取文件：文件或文件夹不存在"
    assert en == "error: nowhere.json: cannot read file: No such file or directory"


def test_template_typo_reads_in_chinese(project: Path) -> None:
    _zh(project)
    (project / "templates").mkdir()
    (project / "templates" / "weekly.zh.md.j2").write_text("# 周报\n{{ nosuch.x }}\n", encoding="utf-8")
    (project / "templates" / "weekly.en.md.j2").write_text("# Weekly\n{{ nosuch.x }}\n", encoding="utf-8")
    zh = run_reqctl(project, "report", "weekly", "-o", "w.md")
    assert zh.err.strip() == "error: templates/weekly.zh.md.j2:2: 模板错误：“nosuch”未定义"
    en = run_reqctl(project, "--lang", "en", "report", "weekly", "--lang", "en", "-o", "w.md")
    assert en.err.strip() == "error: templates/weekly.en.md.j2:2: template error: 'nosuch' is undefined"
