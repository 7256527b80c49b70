"""``reqctl --help`` in Chinese: command, option and framework words, and the parser's errors.

The help texts are English in the code and translated at run time from the
catalog (cli/helplang.py); ``test_every_help_text_has_a_chinese_translation``
is what keeps a new option from shipping untranslated.
"""

from __future__ import annotations

from pathlib import Path

import typer.main
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_reqctl, run_reqctl_process, write_config
from reqctl.cli.helplang import display_width, extract, help_text, help_texts, wrap_line
from reqctl.cli.main import app

PO = Path(__file__).resolve().parents[1] / "src" / "reqctl" / "locale" / "zh" / "LC_MESSAGES" / "reqctl.po"
MAIN = Path(__file__).resolve().parents[1] / "src" / "reqctl" / "cli" / "main.py"


def _zh_project(project: Path) -> None:
    write_config(project)
    text = (project / "reqctl.yaml").read_text("utf-8").replace("language: en", "language: zh")
    (project / "reqctl.yaml").write_text(text, encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_every_help_text_has_a_chinese_translation() -> None:
    """A new command or option needs its help in reqctl.po (extract, then append the translation)."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for text in dict.fromkeys(help_texts(typer.main.get_command(app))):
        entry = catalog.get(text)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(text)
    assert not missing, (
        "help texts without a Chinese translation (docs/TRANSLATING.md, 'Help texts'):\n" + "\n".join(missing)
    )


def test_the_extractor_yields_main_py_messages_and_every_help_text() -> None:
    with MAIN.open("rb") as handle:
        found = [message for _line, _func, message, _comments in extract(handle, {"_": None}, [], {})]
    assert "interrupted" in found  # main.py's own marked messages still reach the catalog
    assert "Only these statuses (repeatable)." in found
    assert "Requirements: add, list, show, move, edit." in found
    assert "Show this message and exit." in found


def test_help_texts_are_what_click_shows() -> None:
    assert help_text("  First.\n\n  Second.\f\n  internal note") == "First.\n\nSecond."
    assert help_text(None) == ""


def test_lang_zh_req_list_help_is_chinese(project: Path) -> None:
    result = run_reqctl(project, "--lang", "zh", "req", "list", "--help")
    assert result.code == 0, result.err
    lines = _lines(result.out)
    assert lines[0] == "用法：reqctl req list [OPTIONS]"
    assert "  以表格、CSV 或 JSON 列出事项；各筛选条件同时生效（可重复的选项：匹配其中任一" in lines
    assert "选项：" in lines
    assert "                                  只列出这些状态（可重复）。" in lines
    assert "  -m, --milestone MILESTONE       只列出这些里程碑（可重复）。" in lines
    assert "  --sort <id|score|priority|status|milestone|date>" in lines
    assert "                                  排序方式。  [默认：id]" in lines
    assert "  --help                          显示此帮助信息并退出。" in lines
    for english in ("Usage:", "Options", "Show this message", "default:", "Only these"):
        assert english not in result.out


def test_lang_zh_root_help_lists_commands_in_chinese(project: Path) -> None:
    result = run_reqctl(project, "--lang", "zh", "--help")
    assert result.code == 0, result.err
    lines = _lines(result.out)
    assert lines[0] == "用法：reqctl [OPTIONS] COMMAND [ARGS]..."
    assert "  以文件形式保存在 git 中的客户需求、变更请求、风险、决策和会议纪要。" in lines
    assert "命令：" in lines
    assert "  req        需求：新增、列出、查看、变更状态、编辑。" in lines
    assert "  change     基于 git 分支的变更请求。" in lines
    assert "  baseline   基线：记录已校验状态的标签。" in lines
    assert "  --no-cache      不读写解析缓存。" in lines
    assert "Commands" not in result.out
    assert run_reqctl(project, "--lang=zh", "--debug", "--help").out == result.out


def test_lang_environment_makes_change_help_chinese(project: Path) -> None:
    result = run_reqctl(project, "change", "--help", env={"LANG": "zh_CN.UTF-8"})
    assert result.code == 0, result.err
    lines = _lines(result.out)
    assert lines[0] == "用法：reqctl change [OPTIONS] COMMAND [ARGS]..."
    assert "  propose  在新分支上提出变更请求。" in lines
    assert "  merge    将已批准的变更请求合并到主线。" in lines


def test_a_chinese_project_shows_chinese_help_and_lang_en_overrides(project: Path, tmp_path: Path) -> None:
    _zh_project(project)
    result = run_reqctl(project, "--help")
    assert result.code == 0, result.err
    assert "  risk       风险登记册（风险值 = 发生概率 × 影响程度）。" in _lines(result.out)
    assert "选项：" in _lines(result.out)
    # -C names the project from elsewhere; a bare group name prints its help too.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_reqctl(elsewhere, "-C", str(project), "req")
    assert result.code == 0, result.err
    assert "  add      新增一条需求并输出其新 ID。" in _lines(result.out)
    # Sub-command help, an argument's help and a required marker.
    result = run_reqctl(project, "change", "assess", "--help")
    lines = _lines(result.out)
    assert "参数：" in lines
    assert "  CR  变更请求，例如 CR-003。  [必填]" in lines
    assert "  --effort-days <float>     所需工作量，单位为人天。" in lines
    # The person at the terminal decides: --lang en and LANG=en_US both give English.
    for args, env in ((("--lang", "en", "--help"), None), (("--help",), {"LANG": "en_US.UTF-8"})):
        english = run_reqctl(project, *args, env=env)
        assert english.code == 0
        assert _lines(english.out)[0] == "Usage: reqctl [OPTIONS] COMMAND [ARGS]..."
        assert "Commands:" in _lines(english.out)
        assert "  --no-cache      Do not read or write the parse cache." in _lines(english.out)
        assert "用法" not in english.out


def test_english_help_is_unchanged(project: Path) -> None:
    result = run_reqctl(project, "--lang", "en", "req", "list", "--help")
    lines = _lines(result.out)
    assert lines[0] == "Usage: reqctl req list [OPTIONS]"
    assert "                                  Sort order.  [default: id]" in lines
    assert "  --help                          Show this message and exit." in lines


def test_parser_errors_are_chinese_in_a_chinese_run(project: Path) -> None:
    _zh_project(project)
    result = run_reqctl(project, "req", "list", "--bogus")
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: 没有选项：--bogus（可能是：--bom）",
        "运行 'reqctl req list --help' 查看帮助。",
    ]
    result = run_reqctl(project, "req", "status", "REQ-001")
    assert result.code == 2
    assert result.err.splitlines()[0] == "error: 缺少参数 'STATUS'。"
    for args in (("nope",), ("nope", "x", "--y")):
        result = run_reqctl(project, *args)
        assert result.err.splitlines()[0] == "error: 没有命令 'nope'。"
    result = run_reqctl(project, "req", "lisst")  # typer suggests the command it may be
    assert result.err.splitlines()[0] == "error: 没有命令 'lisst'。您是不是要输入 'list'？"
    assert run_reqctl(project, "--lang", "en", "req", "lisst").err.splitlines()[0] == (
        "error: No such command 'lisst'. Did you mean 'list'?")
    result = run_reqctl(project, "req", "list", "--sort")
    assert result.err.splitlines() == ["error: 选项 '--sort' 需要一个值。"]
    english = run_reqctl(project, "--lang", "en", "req", "list", "--bogus")
    assert english.err.splitlines() == [
        "error: No such option: --bogus (Possible options: --bom)",
        "Try 'reqctl req list --help' for help.",
    ]


def test_chinese_help_fits_the_terminal(project: Path) -> None:
    """Wrapping counts a Chinese character as two columns (click's own wrapping counts one)."""
    for args in (("req", "add", "--help"), ("report", "weekly", "--help"), ("import", "csv", "--help")):
        result = run_reqctl(project, "--lang", "zh", *args)
        assert result.code == 0, result.err
        for line in result.out.splitlines():
            if display_width(line) != len(line):  # a line with Chinese in it
                assert display_width(line) <= 80, line


def test_help_in_a_real_process(tmp_path: Path) -> None:
    """The installed entry point, a Chinese locale, outside any project."""
    result = run_reqctl_process(tmp_path, "report", "--help", env={"LANG": "zh_CN.UTF-8"})
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "用法：reqctl report [OPTIONS] COMMAND [ARGS]..."
    assert "状态报告：周报、状态、风险、总结、支持。" in result.out
    assert "  weekly   项目经理的周报（默认：本自然周）。" in result.out.splitlines()


_TEXT = st.lists(
    st.sampled_from(["需", "求", "，", "。", "（", "）", "word", "a", " ", "  ", "--lang", "REQ-001", "验收标准"]),
    max_size=60,
).map("".join)


@given(_TEXT, st.integers(min_value=10, max_value=60))
def test_wrapping_keeps_every_character_and_the_width(text: str, width: int) -> None:
    lines = wrap_line(text, width, "  ", "  ")
    assert "".join(line[2:].replace(" ", "") for line in lines) == text.replace(" ", "")
    for line in lines:
        tokens = line[2:].split(" ")
        if len(tokens) == 1 and display_width(line) > width:  # one word longer than the line
            assert " " not in line[2:]
            continue
        # A closing punctuation mark may hang one character past the width.
        assert display_width(line) <= width + 2 or line[-1] in "，。）", line


def test_wrapped_output_is_stable_for_a_plain_sentence() -> None:
    assert wrap_line("Sort order.  [default: id]", 40) == ["Sort order.  [default: id]"]
    assert wrap_line("一二三四五六七八九十", 10) == ["一二三四五", "六七八九十"]
    assert wrap_line("一二三四，五六", 8) == ["一二三四，", "五六"]
