"""The portable lessons file: its declared format, how it is written, and how a foreign one is read.

Format (JSON, UTF-8; documented in README "Knowledge sharing")::

    {"format": "reqctl-lessons", "version": 1,
     "project": "Acme portal", "customer": "Acme Retail", "exported": "2026-11-27",
     "lessons": [{"id": "LL-001", "title": "…", "date": "2026-11-20", "category": "requirements",
                  "context": "…", "links": ["…"], "relates": ["REQ-004"], "body": "…"}]}

JSON rather than YAML: any tool reads it without a YAML library, and the file
is data exchanged between projects, never edited by hand.  An export comes
from another team, so it is read like untrusted input: size-capped, strict
keys, one line naming the file and the first problem.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from reqctl.errors import FileFormatError
from reqctl.messages import lazy
from reqctl.model.items import Lesson, Title, _as_list, validator_message
from reqctl.model.project import Project

FORMAT = "reqctl-lessons"
VERSION = 1
MAX_BYTES = 5 * 1024 * 1024

Strings = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_as_list)]


class ExportedLesson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=64)
    title: Title
    date: dt.date | None = None
    category: str | None = None
    context: str | None = None
    links: Strings = Field(default_factory=list)
    relates: Strings = Field(default_factory=list)
    body: str = ""


class LessonExport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["reqctl-lessons"]
    version: Literal[1]
    project: str = Field(min_length=1, max_length=200)
    customer: str = ""
    exported: dt.date
    lessons: list[ExportedLesson]


def build(project: Project, today: dt.date) -> LessonExport:
    """The project's own lessons (kind ``lesson``), by ID, as an export dated ``today``."""
    from reqctl.ops import report_data as data

    lessons = [
        ExportedLesson(id=item.id, title=item.title, date=item.date, category=item.category,
                       context=item.context, links=list(item.links), relates=list(item.relates),
                       body=item.body.strip("\n"))
        for item in data.of_kind(project, Lesson.kind) if isinstance(item, Lesson)
    ]
    config = project.config
    return LessonExport(format=FORMAT, version=VERSION, project=config.name, customer=config.customer,
                        exported=today, lessons=lessons)


def dumps(export: LessonExport) -> str:
    """Stable text: fixed key order, empty fields left out, a final newline (diffs stay small)."""
    data: dict[str, Any] = export.model_dump(mode="json", exclude_none=True)
    data["lessons"] = [{k: v for k, v in lesson.items() if v not in ("", [])} for lesson in data["lessons"]]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def parse(raw: bytes, where: str) -> LessonExport:
    """A lessons export read from ``raw``; ``FileFormatError`` naming ``where`` and the first problem."""
    if len(raw) > MAX_BYTES:
        raise FileFormatError(lazy("larger than {mb} MB; not a lessons export", mb=MAX_BYTES // (1024 * 1024)),
                              path=where)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(lazy("not UTF-8 (byte {byte})", byte=exc.start), path=where) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(lazy("not JSON: {problem} (column {column})", problem=exc.msg, column=exc.colno),
                              path=where, line=exc.lineno) from None
    except RecursionError:
        raise FileFormatError(lazy("not JSON: nested too deeply"), path=where) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileFormatError(lazy('not a reqctl lessons export (no "format": "{format}")', format=FORMAT),
                              path=where)
    version = data.get("version")
    if version != VERSION:
        raise FileFormatError(lazy("format version {version} is not supported: this reqctl reads version {known}",
                                   version=repr(version), known=VERSION), path=where)
    try:
        export = LessonExport.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        more = lazy(" (and {n} more)", n=error.error_count() - 1) if error.error_count() > 1 else ""
        message = lazy("required field is missing") if first["type"] == "missing" else validator_message(first)
        raise FileFormatError(lazy("{field}: {message}{more}", field=loc, message=message, more=more),
                              path=where) from None
    seen: set[str] = set()
    for lesson in export.lessons:
        if lesson.id in seen:
            raise FileFormatError(lazy("lesson {id} appears twice", id=lesson.id), path=where)
        seen.add(lesson.id)
    return export
