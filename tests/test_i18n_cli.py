"""Chinese throughout: in a project whose language is zh the CLI's own messages, findings, errors and tables
are Chinese; --lang and the locale environment override; display names rename priorities without touching files.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from conftest import CUSTOMER, git, run_reqctl, write_config, write_item
from reqctl.messages import Message, Word, decode, encode, environment_language, lazy

REQ = "title: 登录\nstatus: approved\npriority: must\nacceptance: [能登录]\n"


def _zh(project: Path, extra: str = "") -> None:
    write_config(project, extra)
    text = (project / "reqctl.yaml").read_text("utf-8").replace("language: en", "language: zh")
    (project / "reqctl.yaml").write_text(text, encoding="utf-8")


def test_check_in_a_chinese_project_speaks_chinese_and_lang_en_overrides_even_from_the_cache(project: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", REQ + "colour: red")
    zh = run_reqctl(project, "check")
    assert zh.code == 1
    line = "requirements/REQ-001.md:4: 错误 R010 状态为已批准，但缺少客户的审批；请运行 'reqctl approve REQ-001'"
    assert line in zh.out
    assert "警告 R003 需求中有未知字段 'colour'" in zh.out
    assert zh.out.rstrip().endswith("1 个错误，1 个警告（共检查 1 个文件）")

    en = run_reqctl(project, "--lang", "en", "check")  # the result cached by the run above
    assert "error R010 status is approved but approval by customer is missing" in en.out
    assert "warning R003 unknown field 'colour' for a requirement" in en.out
    assert en.out.rstrip().endswith("1 error, 1 warning in 1 file")
    assert "错误 R010 状态为已批准" in run_reqctl(project, "check").out  # and back

    write_item(project, "requirements", "REQ-002", "status: done")
    invalid = run_reqctl(project, "check").out
    assert "错误 R002 title：缺少必填字段" in invalid and "错误 R002 status：'done' 不是允许的取值（draft," in invalid
    sarif = run_reqctl(project, "--lang", "zh", "check", "-f", "json")
    assert '"code": "R010"' in sarif.out and '"severity": "error"' in sarif.out and "缺少客户的审批" in sarif.out


def test_errors_and_list_tables_are_chinese(project: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", REQ)
    missing = run_reqctl(project, "req", "show", "REQ-999")
    assert (missing.code, missing.err) == (2, "error: 没有编号为 REQ-999 的需求\n")

    listed = run_reqctl(project, "req", "list")
    assert listed.code == 0, listed.err
    header = listed.out.splitlines()[1]
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == ["编号", "标题", "状态", "优先级", "里程碑", "审批"]
    assert "已批准" in listed.out and "必须" in listed.out and "未审批" in listed.out
    assert listed.out.rstrip().endswith("共 1 条需求")

    english = run_reqctl(project, "--lang", "en", "req", "list")
    assert "┃ id " in english.out and "approved" in english.out and "must" in english.out
    assert english.out.rstrip().endswith("1 requirement")
    assert "error: no requirement with ID REQ-999" in run_reqctl(project, "--lang", "en", "req", "show", "REQ-999").err
    # CSV stays machine-readable: keys, not words.
    assert run_reqctl(project, "req", "list", "--format", "csv").out.splitlines()[0].startswith("id,title,status")


def test_the_locale_environment_comes_before_the_project_language(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", REQ)  # an English project
    chinese = run_reqctl(project, "req", "list", env={"LANG": "zh_CN.UTF-8"})
    assert "┃ 编号" in chinese.out and "已批准" in chinese.out
    assert "┃ id" in run_reqctl(project, "req", "list", env={"LANG": "C.UTF-8"}).out
    # --lang beats the environment; LANGUAGE beats LANG, as in gettext.
    assert "┃ id" in run_reqctl(project, "--lang", "en", "req", "list", env={"LANG": "zh_CN.UTF-8"}).out
    assert "┃ id" in run_reqctl(project, "req", "list", env={"LANG": "zh_CN.UTF-8", "LANGUAGE": "en"}).out
    _zh(project)
    assert "┃ 编号" in run_reqctl(project, "req", "list", env={"LANG": "C.UTF-8"}).out  # no preference: the project's
    assert "┃ id" in run_reqctl(project, "req", "list", env={"LC_ALL": "en_US.UTF-8"}).out


def test_unknown_lang_is_a_usage_error(project: Path) -> None:
    result = run_reqctl(project, "--lang", "fr", "req", "list")
    assert (result.code, result.err) == (2, "error: --lang fr: use one of en, zh\n")


def test_display_names_rename_priorities_in_lists_and_reports_and_approvals_stay_valid(project: Path) -> None:
    _zh(project, "display:\n  zh:\n    priority: {must: 高, should: 中, could: 低}\n  status: {approved: 已确认}\n")
    write_item(project, "requirements", "REQ-001", REQ)
    write_item(project, "requirements", "REQ-002", "title: 导出\nstatus: draft\npriority: could\n")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "reqs")

    listed = run_reqctl(project, "req", "list").out
    assert "高" in listed and "低" in listed and "已确认" in listed and "必须" not in listed
    assert "priority: must" in (project / "requirements" / "REQ-001.md").read_text("utf-8")  # files keep keys
    check = run_reqctl(project, "check")
    assert check.code == 0, check.out
    assert "R011" not in check.out
    srs = run_reqctl(project, "doc", "srs", "-o", "srs.md")
    assert srs.code == 0, srs.err
    text = (project / "srs.md").read_text("utf-8")
    assert "优先级：**高**" in text and "优先级：**低**" in text
    assert run_reqctl(project, "publish", str(project.parent / "site")).code == 0
    pages = "".join(p.read_text("utf-8") for p in (project.parent / "site").rglob("*.html"))
    assert "高" in pages and "低" in pages and "必须" not in pages
    # In English the plain (language-less) names apply; the zh ones do not.
    english = run_reqctl(project, "--lang", "en", "req", "list").out
    assert "已确认" in english and "must" in english and "高" not in english


def test_display_names_are_checked(project: Path) -> None:
    write_config(project, "display:\n  zh:\n    colour: {must: red}\n")
    result = run_reqctl(project, "req", "list")
    assert result.code == 2 and "display.zh.colour" in result.err and "\n" not in result.err.rstrip("\n")
    write_config(project, "display:\n  priority: {urgent: 紧急}\n")
    result = run_reqctl(project, "req", "list")
    assert result.code == 2
    assert "display.priority names 'urgent', not one of the priorities (must, should, could, wont)" in result.err


def test_messages_keep_their_template_through_the_cache_and_pickle() -> None:
    message = lazy("status is {status} but it lacks approval by: {roles}", status=Word("approved"), roles="pm")
    assert message == "status is approved but it lacks approval by: pm"
    for copy in (decode(encode(message)), pickle.loads(pickle.dumps(message))):
        assert isinstance(copy, Message)
        assert copy.translated("zh") == "状态为已批准，但缺少以下角色的审批：pm"
    assert environment_language({"LANGUAGE": "de:zh_TW", "LANG": "en_US.UTF-8"}) == "zh"
    assert environment_language({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) is None


def test_show_status_and_approve_speak_chinese(project: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", REQ.replace("approved", "proposed"))
    shown = run_reqctl(project, "req", "show", "REQ-001").out
    assert "状态：待确认" in shown and "优先级：必须" in shown and "审批：未审批（待客户审批）" in shown
    moved = run_reqctl(project, "req", "status", "REQ-001", "draft")
    assert moved.out == "REQ-001：待确认 → 草稿\n"
    approved = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert approved.code == 0, approved.err
    assert approved.out.startswith(f"REQ-001 已由 {CUSTOMER} 以客户身份审批（指纹 ")
    assert approved.out.rstrip().endswith("；状态 草稿 → 已批准")
    refused = run_reqctl(project, "approve", "REQ-001", "--by", "nobody@example.com")
    assert refused.err == "error: nobody@example.com 无权审批需求：审批人为 reqctl.yaml 中的角色 customer\n"


def test_config_errors_and_skipped_files_speak_chinese(project: Path) -> None:
    _zh(project, "colour: red\n")
    result = run_reqctl(project, "req", "list")
    assert result.code == 2 and result.err.startswith("error: reqctl.yaml:") and "colour：未知的设置项" in result.err
    _zh(project)
    write_item(project, "requirements", "REQ-001", "status: done")
    shown = run_reqctl(project, "req", "show", "REQ-001")
    assert shown.err.startswith("error: requirements/REQ-001.md:3: title：缺少必填字段；status：'done' 不是允许的取值")
    assert shown.err.endswith("；请运行 'reqctl check'\n")


def test_init_in_chinese_and_rule_list(tmp_path: Path, project: Path) -> None:
    made = run_reqctl(tmp_path, "init", "--lang", "zh", "new")
    assert made.code == 0, made.err
    assert "已创建  reqctl.yaml" in made.out and made.out.rstrip().endswith("（报告读取的是已提交的历史）")
    assert "created  reqctl.yaml" in run_reqctl(tmp_path, "init", "old").out
    _zh(project)
    rules = run_reqctl(project, "check", "--rules").out
    assert "R013  错误  no-acceptance: 已批准的需求至少有一条验收标准" in rules  # severity words too


def test_unreadable_files_are_reported_in_the_run_language_also_from_the_parse_cache(project: Path) -> None:
    _zh(project)
    (project / "requirements" / "REQ-001.md").write_text("no front matter\n", encoding="utf-8")
    first = run_reqctl(project, "check").out
    assert "requirements/REQ-001.md:1: 错误 R001 缺少 YAML 头信息：文件必须以一行 '---' 开头" in first
    (project / "reqctl.yaml").write_text(  # a new check context: the result is recomputed from the parse cache
        (project / "reqctl.yaml").read_text("utf-8") + "goals: [上线]\n", encoding="utf-8"
    )
    english = run_reqctl(project, "--lang", "en", "check").out
    assert "error R001 no YAML front matter: the file must start with a '---' line" in english
    assert "缺少 YAML 头信息" in run_reqctl(project, "check").out


def test_set_and_risk_update_speak_chinese(project: Path) -> None:
    _zh(project)
    write_item(project, "requirements", "REQ-001", REQ.replace("approved", "draft"))
    write_item(project, "risks", "RISK-001", "title: 服务器延迟\nprobability: 2\nimpact: 3")
    assert run_reqctl(project, "req", "set", "REQ-001", "owner=pm@example.com").out == "REQ-001：已设置 负责人\n"
    updated = run_reqctl(project, "risk", "update", "RISK-001", "--probability", "4", "--status", "mitigating")
    assert updated.out == "RISK-001：风险值 6 → 12，未关闭 → 应对中\n"


def test_a_stale_approval_names_its_role_in_the_runs_language(project: Path) -> None:
    _zh(project, "")
    write_item(project, "requirements", "REQ-001", REQ)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    path = project / "requirements" / "REQ-001.md"
    path.write_text(path.read_text("utf-8") + "\n内容改了。\n", "utf-8")
    zh = run_reqctl(project, "check")
    assert zh.code == 1
    assert f"错误 R011 {CUSTOMER} 于 " in zh.out and "审批后内容已变更（客户；指纹 " in zh.out
    en = run_reqctl(project, "--lang", "en", "check")
    assert "(customer; fingerprint " in en.out and "客户" not in en.out
