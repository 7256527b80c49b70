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
