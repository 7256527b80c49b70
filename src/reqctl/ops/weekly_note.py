"""The PM's weekly note: ``notes/weekly/2026-W48.md``, Markdown with optional YAML front matter.

The note carries what reqctl cannot compute: the PM's own summary, next
week's plan in their words, what they need from the customer, open
questions, and optionally an override of the overall status (``status:
red|amber|green`` with a required ``status_reason:``). Its ``##`` sections
are recognised by their headings in English or Chinese; other sections are
kept under their own heading. Notes are not items: ``reqctl check`` does not
read them, the weekly report does (from the working tree, like templates),
and a broken note is a one-line ``file:line`` error there.

Like item files, a note is never read or written through a symbolic link.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reqctl.errors import FileFormatError, UsageError
from reqctl.messages import lazy, os_reason
from reqctl.ops.weeks import IsoWeek
from reqctl.store import frontmatter

NOTES_FOLDER = "notes/weekly"
STATUSES = ("red", "amber", "green")
# Also accepted in a note's ``status:``: what a Chinese PM writes, and the American spelling of amber.
_STATUS_ALIASES = {"红": "red", "黄": "amber", "绿": "green", "yellow": "amber", "红色": "red", "黄色": "amber",
                   "绿色": "green"}
KEYS = ("status", "status_reason")

# Section key -> headings that name it (compared case-insensitively, without trailing colons).
SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "this week", "weekly summary", "本周总结", "本周工作总结", "总结", "本周小结"),
    "next_week": ("next week", "plan for next week", "next week's plan", "下周计划", "下周工作计划"),
    "customer_needs": ("needs from the customer", "customer needs", "what we need from the customer",
                       "需要客户支持", "需客户支持", "需要客户配合", "需客户配合", "需要客户协助"),
    "questions": ("open questions", "questions", "待确认问题", "待确认事项", "待确认", "问题"),
}
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")


@dataclass
class Section:
    key: str | None  # one of SECTIONS, or None for a section the report shows under its own heading
    title: str
    text: str
    line: int


@dataclass
class WeeklyNote:
    path: str  # project-relative
    status: str | None = None
    status_reason: str | None = None
    sections: list[Section] = field(default_factory=list)

    def text(self, key: str) -> str:
        return "\n\n".join(s.text for s in self.sections if s.key == key)

    def as_context(self) -> dict[str, Any]:
        """Plain data for the templates (JSON-ready)."""
        return {
            "path": self.path,
            "status": self.status,
            "status_reason": self.status_reason,
            "summary": self.text("summary"),
            "next_week": self.text("next_week"),
            "customer_needs": self.text("customer_needs"),
            "questions": self.text("questions"),
            "other": [{"title": s.title, "text": s.text} for s in self.sections if s.key is None],
        }


def note_path(week: IsoWeek) -> str:
    return f"{NOTES_FOLDER}/{week.label}.md"


def _section_key(title: str) -> str | None:
    wanted = title.strip().rstrip(":：").strip().lower()
    return next((key for key, names in SECTIONS.items() if wanted in names), None)


def _refuse_links(root: Path, rel: str) -> None:
    """Refuse a note whose folders or file are symbolic links (never followed out of the project)."""
    parts = rel.split("/")
    for depth in range(1, len(parts) + 1):
        part = "/".join(parts[:depth])
        if (root / part).is_symlink():
            raise UsageError(lazy("is a symbolic link; reqctl does not follow links in notes/"), path=part)


def _read(root: Path, rel: str) -> bytes | None:
    _refuse_links(root, rel)
    path = root / rel
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(lazy("is a symbolic link; reqctl does not follow links in notes/"), path=rel) from None
        raise UsageError(lazy("cannot read the weekly note: {reason}", reason=os_reason(exc)), path=rel) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder, a FIFO (reading it would wait forever)
        os.close(fd)
        raise UsageError(lazy("is not a regular file"), path=rel)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(frontmatter.MAX_FILE_BYTES + 1)


def parse_note(raw: bytes, rel: str) -> WeeklyNote:
    """Parse a note's bytes; every problem is a FileFormatError with the file and line."""
    text = frontmatter.decode(raw, rel)
    data: dict[str, Any] = {}
    lines_of: dict[str, int] = {}
    body, body_line = text, 1
    if text.split("\n", 1)[0].rstrip() == "---":
        parts = frontmatter.split(text, rel)
        loaded = frontmatter.load_yaml(parts.front, rel)
        if loaded is not None and not isinstance(loaded, dict):
            raise FileFormatError(lazy("front matter must be a mapping of 'key: value' lines"), path=rel, line=2)
        data = dict(loaded or {})
        lines_of = frontmatter.key_lines(parts.front)
        body, body_line = parts.body, parts.body_line
    note = WeeklyNote(path=rel)
    for key in data:
        if key not in KEYS:
            raise FileFormatError(lazy("unknown key '{key}' in a weekly note (allowed: {allowed})", key=key,
                                       allowed=", ".join(KEYS)), path=rel, line=lines_of.get(str(key), 2))
    status = data.get("status")
    if status is not None:
        name = str(status).strip().lower()
        name = _STATUS_ALIASES.get(name, name)
        if name not in STATUSES:
            raise FileFormatError(lazy("status: {status}: use red, amber or green", status=status), path=rel,
                                  line=lines_of.get("status", 2))
        reason = data.get("status_reason")
        if reason is None or not str(reason).strip():
            raise FileFormatError(lazy("status: {status} needs a status_reason: saying why the PM overrides the "
                                       "computed status", status=name), path=rel, line=lines_of.get("status", 2))
        note.status, note.status_reason = name, " ".join(str(reason).split())
    elif data.get("status_reason") is not None:
        raise FileFormatError(lazy("status_reason: without status: (red, amber or green)"), path=rel,
                              line=lines_of.get("status_reason", 2))
    note.sections = _sections(body, body_line)
    return note


def _sections(body: str, first_line: int) -> list[Section]:
    """Split the body at its ``#``/``##`` headings (not inside fenced code); empty sections are dropped."""
    sections: list[Section] = []
    current: Section | None = None
    lines: list[str] = []
    fence: str | None = None

    def close() -> None:
        if current is not None:
            current.text = "\n".join(lines).strip()
            if current.text:
                sections.append(current)

    for number, line in enumerate(body.split("\n"), start=first_line):
        opened = _FENCE.match(line)
        if opened is not None:
            marker = opened.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        heading = _HEADING.match(line) if fence is None and opened is None else None
        if heading is not None and len(heading.group(1)) <= 2:
            if len(heading.group(1)) == 1 and _section_key(heading.group(2)) is None:
                close()  # a title line: not a section of its own
                current, lines = None, []
                continue
            close()
            current, lines = Section(_section_key(heading.group(2)), heading.group(2).strip(), "", number), []
            continue
        if current is None:
            if not line.strip():
                continue
            current, lines = Section(None, "", "", number), []
        lines.append(line)
    close()
    return sections


def read_note(root: Path, week: IsoWeek) -> WeeklyNote | None:
    """The week's note, or None when the PM has not written one."""
    rel = note_path(week)
    raw = _read(root, rel)
    return None if raw is None else parse_note(raw, rel)


def template(week: IsoWeek, lang: str, period: str) -> str:
    """The text a new note starts from (``report weekly --edit``)."""
    if lang == "zh":
        return (
            "---\n"
            "# 可选：覆盖自动计算的总体状态（red 红 / amber 黄 / green 绿），必须同时写明原因。\n"
            "# status: amber\n"
            "# status_reason: 客户测试环境尚未就绪\n"
            "---\n"
            f"# {week.label} 周报备注（{period}）\n\n"
            "## 本周总结\n\n\n"
            "## 下周计划\n\n\n"
            "## 需要客户支持\n\n\n"
            "## 待确认问题\n\n"
        )
    return (
        "---\n"
        "# Optional: override the computed overall status (red, amber or green); a reason is required.\n"
        "# status: amber\n"
        "# status_reason: The customer's test environment is not ready yet\n"
        "---\n"
        f"# Weekly note {week.label} ({period})\n\n"
        "## Summary\n\n\n"
        "## Next week\n\n\n"
        "## Needs from the customer\n\n\n"
        "## Open questions\n\n"
    )


def ensure_note(root: Path, week: IsoWeek, lang: str, period: str) -> tuple[Path, bool]:
    """Create the week's note from the template unless it exists; returns (path, created).

    The folders are created inside the project only (a symlinked ``notes/`` is
    refused) and the file is written atomically, never over an existing note.
    """
    from reqctl.store.atomic import write_atomic

    rel = note_path(week)
    _refuse_links(root, rel)
    path = root / rel
    if path.exists():
        if not path.is_file():
            raise UsageError(lazy("is not a regular file"), path=rel)
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    _refuse_links(root, rel)  # nothing swapped in a link while the folders were made
    write_atomic(path, template(week, lang, period).encode("utf-8"))
    return path, True


def save_note(root: Path, week: IsoWeek, text: str) -> None:
    """Write an edited note after checking it parses (a refused edit leaves the file as it was)."""
    from reqctl.store.atomic import write_atomic

    rel = note_path(week)
    parse_note(text.encode("utf-8"), rel)
    _refuse_links(root, rel)
    write_atomic(root / rel, text.encode("utf-8"))
