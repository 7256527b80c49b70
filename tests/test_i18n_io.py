"""import, export, publish, baseline, diff and templates speak Chinese in a Chinese run, English otherwise.

Real temporary repositories; the assertions are the lines a user reads.
Machine-readable output (the exported header row) stays the same in both languages.
"""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import git, run_reqctl, write_item

BAD_SHEET = [
    ["id", "title", "priority"],
    ["A1", "支持微信登录", "must"],
    ["A2", "导出月报", "urgent"],
]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _chinese(project: Path) -> Path:
    """The project's language becomes zh (committed), so no --lang is needed."""
    config = project / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: zh"), encoding="utf-8")
    git(project, "commit", "-qam", "zh")
    return project


def _status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all").strip()


def test_csv_import_with_an_invalid_row_in_chinese(project: Path, tmp_path: Path) -> None:
    _chinese(project)
    sheet = _csv(tmp_path / "需求.csv", BAD_SHEET)

    dry = run_reqctl(project, "import", "csv", str(sheet), "--dry-run", "--partial")
    assert dry.code == 0, dry.err
    out = dry.out.splitlines()
    assert f"将创建 REQ-001  {sheet} 第 2 行  支持微信登录" in out
    assert "csv：新建 1 条，更新 0 条，未变 0 条，跳过无效行 1 行（试运行：未写入任何文件）" in out
    assert "列映射：" in out and "  priority → priority" in out
    assert f"warning: {sheet}：第 3 行，列“priority”：“urgent”不在可选值 must, should, could, wont 之中（已跳过该行）" \
        in dry.err.splitlines()
    assert _status(project) == ""

    refused = run_reqctl(project, "import", "csv", str(sheet))
    assert refused.code == 2
    lines = refused.err.splitlines()
    assert f"error: {sheet}：第 3 行，列“priority”：“urgent”不在可选值 must, should, could, wont 之中" in lines
    assert lines[-1] == "error: 1 行无效：未导入任何内容（请修正，或加 --partial 只导入有效的行）"
    assert "Traceback" not in refused.err and _status(project) == ""

    real = run_reqctl(project, "import", "csv", str(sheet), "--partial")
    assert real.code == 0, real.err
    assert f"已创建 REQ-001  {sheet} 第 2 行  支持微信登录" in real.out.splitlines()
    assert "csv：新建 1 条，更新 0 条，未变 0 条，跳过无效行 1 行（未提交：请用 git diff 检查后再提交）" in real.out
    assert _status(project) == "?? requirements/REQ-001.md"


def test_xlsx_import_with_an_invalid_row_with_lang_zh(project: Path, tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "reqs.xlsx", [["id", "title", "priority"], ["A1", "登录", "urgent"], ["A2", "", ""]])
    result = run_reqctl(project, "--lang", "zh", "import", "xlsx", str(book), "--dry-run")
    assert result.code == 2
    lines = result.err.splitlines()
    assert f"error: {book}：第 2 行，列“priority”：“urgent”不在可选值 must, should, could, wont 之中" in lines
    assert f"error: {book}：第 3 行，列“title”：新建事项必须有标题" in lines
    assert lines[-1] == "error: 2 行无效：未导入任何内容（请修正，或加 --partial 只导入有效的行）"

    english = run_reqctl(project, "--lang", "en", "import", "xlsx", str(book), "--dry-run")
    assert english.code == 2
    assert f'error: {book}: row 3, column "title": a new item needs a title' in english.err.splitlines()
    assert english.err.splitlines()[-1].startswith("error: 2 invalid rows: nothing imported")


def test_import_in_english_is_unchanged(project: Path, tmp_path: Path) -> None:
    _chinese(project)
    sheet = _csv(tmp_path / "reqs.csv", BAD_SHEET)
    result = run_reqctl(project, "--lang", "en", "import", "csv", str(sheet), "--dry-run", "--partial")
    assert result.code == 0, result.err
    assert f"would create REQ-001  {sheet} row 2  支持微信登录" in result.out.splitlines()
    assert "csv: 1 created, 0 updated, 0 unchanged, 1 invalid rows skipped (dry run: nothing written)" in result.out
    assert "columns:" in result.out
    assert f"warning: {sheet}: row 3, column \"priority\": 'urgent' is not one of must, should, could, wont " \
        "(row skipped)" in result.err.splitlines()


def test_doorstop_mapping_report_in_chinese(project: Path, tmp_path: Path) -> None:
    tree = tmp_path / "reqs"
    tree.mkdir()
    (tree / ".doorstop.yml").write_text("settings:\n  digits: 3\n  prefix: REQ\n  sep: ''\n", encoding="utf-8")
    (tree / "REQ001.yml").write_text("active: true\nheader: 登录\ntext: 用户可以登录。\nlevel: 1.1\n"
                                     "reviewed: null\nlinks: [REQ009]\n", encoding="utf-8")
    (tree / "REQ002.yml").write_text("active: false\ntext: 旧需求\n", encoding="utf-8")
    result = run_reqctl(project, "--lang", "zh", "import", "doorstop", str(tree), "--dry-run")
    assert result.code == 0, result.err
    out = result.out.splitlines()
    assert "doorstop：新建 1 条，更新 0 条，未变 0 条（试运行：未写入任何文件）" in out
    assert "已映射：" in out and "保留为自定义字段：" in out and "无法映射：" in out and "说明：" in out
    assert "  text -> 正文（没有 header 时取第一行作为标题）" in out
    assert "  REQ002（REQ002.yml）：active: false，未导入" in out
    assert "  doorstop:REQ001 -> doorstop:REQ009：目标未导入，已略去该链接" in out
    assert "  共 1 个文档；已评审 0 条，未评审 1 条" in out

    english = run_reqctl(project, "--lang", "en", "import", "doorstop", str(tree), "--dry-run")
    assert "kept as custom fields:" in english.out and "not mapped:" in english.out
    assert "  REQ002 (REQ002.yml): active: false, not imported" in english.out.splitlines()


def test_export_baseline_and_diff_in_chinese(project: Path, tmp_path: Path) -> None:
    _chinese(project)
    write_item(project, "requirements", "REQ-001", "id: REQ-001\ntitle: 登录\nstatus: draft\npriority: must\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "req")

    exported = run_reqctl(project, "export", "xlsx", "-o", str(tmp_path / "zh.xlsx"))
    assert exported.code == 0, exported.err
    assert exported.out.splitlines() == [f"已写入 {tmp_path / 'zh.xlsx'}", "需求 1 条"]
    english_export = run_reqctl(project, "--lang", "en", "export", "xlsx", "-o", str(tmp_path / "en.xlsx"))
    assert english_export.out.splitlines() == [f"wrote {tmp_path / 'en.xlsx'}", "1 requirement"]
    assert _header(tmp_path / "zh.xlsx") == _header(tmp_path / "en.xlsx")  # machine-readable: never translated
    refused = run_reqctl(project, "export", "xlsx", "-o", "-")
    assert refused.err == "error: -o -：XLSX 工作簿是二进制文件，请指定文件名\n"

    created = run_reqctl(project, "baseline", "create", "v1")
    assert created.code == 0, created.err
    assert created.out.startswith("基线 v1 已创建，提交 ") and created.out.rstrip().endswith("（需求 1 条）")
    again = run_reqctl(project, "baseline", "create", "v1")
    assert again.code == 2 and again.err == "error: 名为 v1 的标签已存在\n"
    assert run_reqctl(project, "--lang", "en", "baseline", "create", "v1").err == \
        "error: a tag named v1 already exists\n"

    write_item(project, "requirements", "REQ-001", "id: REQ-001\ntitle: 登录\nstatus: draft\npriority: should\n")
    write_item(project, "requirements", "REQ-002", "id: REQ-002\ntitle: 退出\nstatus: draft\npriority: must\n")
    diff = run_reqctl(project, "diff", "v1")
    assert diff.code == 0, diff.err
    lines = diff.out.splitlines()
    assert lines[0] == "v1 → 工作区：新增 1 项，删除 0 项，修改 1 项"
    assert "+ REQ-002  退出  （新增）" in lines
    assert "    优先级：必须 → 应该" in lines  # field names and priorities in the run's language
    english = run_reqctl(project, "--lang", "en", "diff", "v1")
    assert english.out.splitlines()[0] == "v1 → working tree: 1 added, 0 removed, 1 changed"
    assert "    priority: must → should" in english.out.splitlines()
    assert "+ REQ-002  退出  (added)" in english.out.splitlines()
    history = run_reqctl(project, "req", "history", "REQ-001")
    assert history.code == 0, history.err
    assert "提交" in history.out and "作者" in history.out and "新增" in history.out
    assert "author" in run_reqctl(project, "--lang", "en", "req", "history", "REQ-001").out
    bad = run_reqctl(project, "diff", "v1", "--format", "pdf")
    assert bad.err == "error: --format pdf：请使用 text, md, json 之一\n"


def test_publish_and_templates_in_chinese(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    published = run_reqctl(project, "--lang", "zh", "publish", str(site))
    assert published.code == 0, published.err
    assert published.out.startswith("已发布 ") and f"个页面到 {site}（打开 {site / 'index.html'}）" in published.out
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x", encoding="utf-8")
    refused = run_reqctl(project, "--lang", "zh", "publish", str(tmp_path / "other"))
    assert refused.code == 2
    assert refused.err.endswith("：文件夹不为空，且不是 reqctl 发布的；请换一个文件夹\n")

    listed = run_reqctl(project, "--lang", "zh", "templates", "list")
    assert listed.code == 0, listed.err
    assert "名称" in listed.out and "来源" in listed.out and "内置" in listed.out
    copied = run_reqctl(project, "--lang", "zh", "templates", "copy", "weekly.zh.md.j2")
    assert copied.out == "已复制到 templates/weekly.zh.md.j2；修改后报告将使用该模板\n"
    missing = run_reqctl(project, "--lang", "zh", "templates", "show", "nope.md.j2")
    assert missing.err == "error: 没有名为“nope.md.j2”的模板（参见“reqctl templates list”）\n"
    english = run_reqctl(project, "--lang", "en", "templates", "copy", "weekly.zh.md.j2")
    assert english.err == "error: templates/weekly.zh.md.j2 already exists; pass --force to overwrite it\n"


def _header(path: Path) -> list[object]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [cell.value for cell in next(book.worksheets[0].iter_rows(max_row=1))]


def test_strictdoc_and_reqif_in_chinese(project: Path, tmp_path: Path) -> None:
    sdoc = tmp_path / "spec.sdoc"
    sdoc.write_text("[DOCUMENT]\nTITLE: 规格\n\n[TEXT]\nSTATEMENT: 引言\n\n[REQUIREMENT]\nUID: A-1\nTITLE: 登录\n"
                    "STATEMENT: 用户可以登录。\n", encoding="utf-8")
    result = run_reqctl(project, "--lang", "zh", "import", "strictdoc", str(sdoc), "--dry-run")
    assert result.code == 0, result.err
    out = result.out.splitlines()
    assert "strictdoc：新建 1 条，更新 0 条，未变 0 条（试运行：未写入任何文件）" in out
    assert "  1 个 [TEXT] 节点（需求之间的自由文本）：未导入" in out
    assert "  从 1 个文档中读取了 1 条需求" in out
    bad = tmp_path / "bad.sdoc"
    bad.write_text("[DOCUMENT]\nTITLE: x\n\n[REQUIREMENT]\nUID: A\n\n[REQUIREMENT]\nUID: A\n", encoding="utf-8")
    refused = run_reqctl(project, "--lang", "zh", "import", "strictdoc", str(bad))
    assert refused.err == f"error: {bad}:7: UID A 出现了两次\n"

    imported = run_reqctl(project, "import", "strictdoc", str(sdoc))
    assert imported.code == 0, imported.err
    exported = run_reqctl(project, "--lang", "zh", "export", "reqif", "-o", str(tmp_path / "out.reqif"))
    assert exported.out.splitlines() == [f"已写入 {tmp_path / 'out.reqif'}", "需求 1 条"]
    back = run_reqctl(project, "--lang", "zh", "import", "reqif", str(tmp_path / "out.reqif"), "--dry-run")
    assert back.code == 0, back.err
    assert "reqif：新建 0 条，更新 0 条，未变 1 条（试运行：未写入任何文件）" in back.out.splitlines()
    not_xml = tmp_path / "x.reqif"
    not_xml.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', encoding="utf-8")
    assert run_reqctl(project, "--lang", "zh", "import", "reqif", str(not_xml)).err == \
        f"error: {not_xml}: 已拒绝：XML 声明了 DOCTYPE 或实体（ReqIF 不需要）\n"
