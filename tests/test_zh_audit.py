"""An audit of what a Chinese PM reads: no common English message words in a zh project (issue 10 point 5).

The commands a PM uses every week run in a copy of the Chinese example project (``language: zh``) and,
for a few, with ``--lang zh`` in an English project — successes and the usual mistakes (an unknown ID, a
bad option value, a dirty tree, a broken reqctl.yaml). Every line they print is searched for English
words that only a message would contain ("cannot", "missing", "no such", "invalid" …) once IDs, paths,
e-mail addresses, URLs, rule codes, key lists (``draft, proposed, approved``) and the documented
``error:``/``warning:`` prefixes are taken out. A new English message in a zh run fails here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import git, run_reqctl, write_item

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "zh-erp"
NO_EDITOR = {"VISUAL": "", "EDITOR": ""}

# Words (and phrases) that appear in reqctl's English messages and never in a Chinese one.
BLACKLIST = (
    "cannot", "missing", "no such", "not ", "invalid", "must be", "already", "created", "updated", "wrote",
    "use one of", "unknown", "failed", "expected", "found", "is a folder", "does not", "run 'reqctl", "awaiting",
    "approved by", "fork point", "working tree", "added", "removed", "changed", "none)", "(stale",
)

_STRIP = (
    re.compile(r"^(error|warning): "),  # the documented prefixes
    re.compile(r"https?://\S+"),
    re.compile(r"[\w.+-]+@[\w.-]+"),  # e-mail addresses
    re.compile(r"\b[A-Z]+-\d+\b"),  # item IDs
    re.compile(r"\b[RG]\d{3}\b"),  # rule codes
    re.compile(r"[\w.-]*/[\w./-]*"),  # paths
    re.compile(r"\b[\w-]+\.(md|yaml|yml|json|csv|xlsx|reqif|j2|html)\b"),  # file names
    re.compile(r"'[^']*'|`[^`]*`"),  # quoted commands and values the user typed
    re.compile(r"\b[a-z_-]+(?:, [a-z_-]+)+\b"),  # lists of keys (draft, proposed, approved)
    re.compile(r"--[a-z-]+"),  # option names
    re.compile(r"\b[a-z]+(?:-[a-z]+)+\b"),  # rule names (missing-approval) and other hyphenated keys
)


def english_words(text: str) -> list[str]:
    """The lines of ``text`` that still hold a blacklisted English word after IDs, paths … are removed."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        for pattern in _STRIP:
            stripped = pattern.sub(" ", stripped)
        lowered = f" {stripped.lower()} "
        if any(word in lowered for word in BLACKLIST):
            found.append(line.strip())
    return found


def _zh_project(tmp_path: Path) -> Path:
    root = tmp_path / "erp"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def _audit(root: Path, commands: list[tuple[str, ...]]) -> list[str]:
    problems = []
    for args in commands:
        result = run_reqctl(root, *args, env=NO_EDITOR)
        assert result.code in (0, 1, 2), (args, result.err)
        assert "Traceback" not in result.err, (args, result.err)
        problems += [f"reqctl {' '.join(args)}: {line}" for line in english_words(result.out + result.err)]
    return problems


READ_COMMANDS: list[tuple[str, ...]] = [
    ("req", "list"), ("req", "show", "REQ-001"), ("req", "show", "REQ-999"), ("req", "show", "bad/id"),
    ("req", "show", "CR-001"), ("req", "list", "--status", "bogus"), ("req", "list", "--priority", "bogus"),
    ("req", "list", "--format", "bogus"), ("req", "history", "REQ-001"), ("req", "history", "REQ-999"),
    ("risk", "list"), ("risk", "show", "RISK-001"), ("risk", "show", "RISK-999"), ("risk", "list", "--status", "x"),
    ("decision", "list"), ("decision", "show", "DEC-001"), ("meeting", "list"), ("meeting", "show", "MTG-001"),
    ("support", "list"), ("support", "show", "SUP-001"), ("training", "list"), ("training", "show", "TRN-001"),
    ("followup", "list"), ("followup", "show", "FUP-001"), ("lesson", "list"),
    ("change", "list"), ("change", "show", "CR-001"), ("change", "show", "CR-002"), ("change", "show", "CR-999"),
    ("change", "diff", "CR-001"), ("change", "diff", "CR-002"), ("change", "reject", "CR-002"),
    ("check",), ("check", "--format", "text"), ("check", "--rules"), ("check", "--format", "bogus"),
    ("check", "--base", "nosuchrev"),
    ("report", "weekly", "--week", "bogus"), ("report", "weekly", "--format", "pdf"), ("report", "status"),
    ("report", "weekly", "-o", "requirements"), ("report", "weekly", "-o", "nowhere/w.md"),
    ("doc", "srs", "--group-by", "bogus"), ("diff", "HEAD"), ("diff", "nosuchrev"), ("diff", "HEAD", "--format", "md"),
    ("baseline", "list"), ("baseline", "create", "bad..name"), ("schema", "widget"), ("templates", "list"),
    ("templates", "show", "bogus"), ("review", "list"), ("review", "revoke", "nobody@example.com"),
    ("lessons", "import", "nowhere.json"), ("export", "xlsx", "-o", "nowhere/a.xlsx"), ("approve", "REQ-999"),
    ("approve", "REQ-001"), ("serve",), ("req", "add"), ("req", "status", "REQ-001", "done"),
    ("req", "set", "REQ-001", "bogus=1"), ("meeting", "action", "done", "MTG-001", "99"),
    ("support", "add", "打印失败", "--severity", "bogus"), ("risk", "add", "x", "--probability", "9", "--impact", "1"),
]


def test_zh_project_reads_in_chinese(tmp_path: Path) -> None:
    root = _zh_project(tmp_path)
    assert _audit(root, READ_COMMANDS) == []


def test_zh_project_writes_and_their_mistakes_read_in_chinese(tmp_path: Path) -> None:
    root = _zh_project(tmp_path)
    customer = "chen.jing@jnpm.example"
    commands: list[tuple[str, ...]] = [
        ("req", "add", "报表导出", "--acceptance", "可导出 Excel", "--milestone", "M9"),
        ("req", "add", "报表导出", "--acceptance", "可导出 Excel", "--depends", "REQ-077"),
        ("req", "add", "报表导出", "--acceptance", "可导出 Excel", "--milestone", "M1"),
        ("req", "set", "REQ-021", "owner=liu.yang@yunshan-soft.example"),
        ("req", "status", "REQ-021", "proposed"), ("req", "status", "REQ-021", "approved"),
        ("approve", "REQ-021", "--by", customer), ("approve", "REQ-021", "--by", customer),
        ("approve", "REQ-015", "--by", customer),
        ("risk", "add", "新风险", "--probability", "3", "--impact", "4"),
        ("risk", "update", "RISK-001", "--probability", "2"),
        ("support", "add", "无法打印", "--severity", "high"), ("support", "status", "SUP-002", "resolved"),
        ("baseline", "create", "v1"),  # dirty tree: refused
        ("change", "propose", "增加报表", "--affects", "REQ-010"),  # dirty tree: refused
    ]
    problems = _audit(root, commands)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "work")
    problems += _audit(root, [
        ("baseline", "create", "v1"), ("baseline", "create", "v1"),
        ("change", "propose", "增加报表", "--affects", "REQ-010"), ("change", "list"),
        ("change", "assess", "CR-003", "--effort-days", "3", "--schedule-days", "2", "--cost", "1000"),
        ("change", "approve", "CR-003", "--by", customer), ("change", "show", "CR-003"), ("change", "diff", "CR-003"),
        ("change", "merge", "CR-003"), ("change", "approve", "CR-003", "--by", "wang.lei@yunshan-soft.example"),
        ("change", "merge", "CR-003"), ("change", "merge", "CR-003"),
        ("diff", "v1"), ("diff", "v1", "--format", "md"), ("report", "weekly", "-o", "w.md"),
        ("doc", "srs", "-o", "s.md"),
        ("templates", "copy", "weekly.zh.md.j2"), ("templates", "copy", "weekly.zh.md.j2"),
    ])
    assert problems == []


def test_broken_files_and_config_read_in_chinese(tmp_path: Path) -> None:
    root = _zh_project(tmp_path)
    write_item(root, "requirements", "REQ-030", "title: x\nstatus: approved\npriority: urgent\ndepends_on: [REQ-099]\n")
    write_item(root, "requirements", "REQ-031", "title: [\n")
    write_item(root, "risks", "RISK-099", "title: r\nstatus: open\nprobability: 7\nimpact: 2\n")
    write_item(root, "changes", "CR-009", "title: c\nstatus: approved\naffects: [REQ-001]\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "broken")
    problems = _audit(root, [("check",), ("req", "list"), ("report", "weekly", "-o", "w.md"),
                             ("baseline", "create", "v2")])
    config = root / "reqctl.yaml"
    config.write_text(config.read_text("utf-8") + "bad: [\n", encoding="utf-8")
    problems += _audit(root, [("check",), ("req", "list")])
    assert problems == []


def test_lang_zh_in_an_english_project(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Login\nstatus: draft\npriority: must\nacceptance: [ok]\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "req")
    commands = [("--lang", "zh", *args) for args in (
        ("req", "list"), ("req", "show", "REQ-009"), ("req", "status", "REQ-001", "approved"),
        ("req", "list", "--status", "bogus"), ("diff", "nosuchrev"), ("req", "history", "REQ-009"),
        ("check",), ("schema", "widget"), ("change", "list"),
    )]
    assert _audit(project, commands) == []
    english = run_reqctl(project, "--lang", "en", "req", "status", "REQ-001", "approved")
    assert english_words(english.err)  # the blacklist does catch the English message
