"""``reqctl publish DIR``: a static site (dashboard, lists, item pages, reports, specification).

The site is built in a temporary folder next to DIR and swapped in at the end,
so a failure leaves DIR as it was. DIR must be empty, missing, or a site that
reqctl published before (it carries a marker file); nothing else is replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.errors import ReqctlError, UsageError
from reqctl.model.ids import Kind
from reqctl.model.project import Project
from reqctl.ops import report_data as data
from reqctl.ops.invalid import invalid_files
from reqctl.ops.report_srs import srs_context
from reqctl.ops.reports import base_context, risks_context, status_context, summary_context
from reqctl.render.env import build_environment, render_with
from reqctl.render.i18n import word

MARKER = ".reqctl-site"
LISTS: tuple[tuple[Kind, str], ...] = (
    (Kind.REQUIREMENT, "requirements.html"), (Kind.CHANGE, "changes.html"), (Kind.RISK, "risks.html"),
    (Kind.DECISION, "decisions.html"), (Kind.MEETING, "meetings.html"), (Kind.FEEDBACK, "feedback.html"),
    (Kind.LESSON, "lessons.html"),
)


@dataclass(frozen=True)
class PublishResult:
    directory: Path
    pages: int


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise UsageError(f"{target}: folder is not empty and was not published by reqctl; choose another")


def _item_rows(project: Project, kind: Kind, today: dt.date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in data.of_kind(project, kind):
        row: dict[str, Any]
        if kind is Kind.REQUIREMENT:
            row = data.requirement_row(project, item, body=True)  # type: ignore[arg-type]
        elif kind is Kind.CHANGE:
            row = data.change_row(project, item, body=True)  # type: ignore[arg-type]
        elif kind is Kind.RISK:
            row = data.risk_row(project, item, today, body=True)  # type: ignore[arg-type]
        elif kind is Kind.DECISION:
            row = data.decision_row(project, item, body=True)  # type: ignore[arg-type]
        elif kind is Kind.MEETING:
            row = data.meeting_row(project, item, today, body=True)  # type: ignore[arg-type]
        elif kind is Kind.FEEDBACK:
            row = data.feedback_row(project, item, body=True)  # type: ignore[arg-type]
        else:
            row = data.lesson_row(project, item, body=True)  # type: ignore[arg-type]
        row["kind"] = kind.value
        rows.append(row)
    return rows


def _history(project: Project) -> dict[str, list[dict[str, Any]]]:
    """Commits per item file, from one pass over the log (empty outside git)."""
    from reqctl.history.log import commits

    try:
        log = commits(project.root)
    except ReqctlError:
        return {}
    by_path: dict[str, list[dict[str, Any]]] = {}
    for commit in log:
        entry = {"sha": commit.sha[:10], "date": commit.authored.date().isoformat(),
                 "author": commit.author_name or commit.author_email, "subject": commit.subject}
        for changed in commit.files:
            rows = by_path.setdefault(changed.path, [])
            if len(rows) < 20:
                rows.append(entry)
    return by_path


def publish_site(project: Project, target: Path, lang: str, today: dt.date, *, weeks: int = 8) -> PublishResult:
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    env = build_environment(project.root, lang)
    base = base_context(project, "site", lang, today)
    rows = {kind: _item_rows(project, kind, today) for kind, _ in LISTS}
    pages = {row["id"]: f"items/{row['id']}.html" for kind_rows in rows.values() for row in kind_rows}
    reports_nav = [("status.html", "状态报告" if lang == "zh" else "Status"),
                   ("weekly.html", "周报" if lang == "zh" else "Weekly"),
                   ("risk-register.html", "风险登记册" if lang == "zh" else "Risk register"),
                   ("summary.html", "项目总结" if lang == "zh" else "Summary"),
                   ("srs.html", "需求规格说明书" if lang == "zh" else "Specification")]
    nav = [{"href": f, "label": word(kind.value, lang) if lang == "zh" else kind.folder.capitalize()}
           for kind, f in LISTS if rows[kind]]
    nav += [{"href": f"reports/{href}", "label": label} for href, label in reports_nav]
    history = _history(project)
    try:
        from reqctl.ops.report_weekly import weekly_context

        weekly: dict[str, Any] | None = weekly_context(project, lang, today, weeks=weeks)
    except ReqctlError:  # not in git, or no commits yet: the site has no weekly report
        weekly = None
        nav[:] = [n for n in nav if n["href"] != "reports/weekly.html"]

    unreadable = [f.to_context() for f in invalid_files(project)]  # every page names what it left out

    def site(root: str) -> dict[str, Any]:
        return {"root": root, "nav": nav, "pages": pages, "unreadable": unreadable}

    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    count = 0
    try:
        (staging / "assets").mkdir()
        (staging / "items").mkdir()
        (staging / "reports").mkdir()
        (staging / "assets" / "style.css").write_text(render_with(env, project.root, "_style.css.j2", {}), "utf-8")

        def write(rel: str, template: str, context: dict[str, Any], root: str) -> None:
            nonlocal count
            html = render_with(env, project.root, template, {**context, "site": site(root)})
            (staging / rel).write_text(html, encoding="utf-8")
            count += 1

        status = status_context(project, lang, today)
        write("index.html", "site_index.html.j2",
              {**status, "counts": {kind.value: len(rows[kind]) for kind, _ in LISTS}}, "")
        for kind, filename in LISTS:
            if rows[kind]:
                write(filename, "site_list.html.j2", {**base, "kind": kind.value, "items": rows[kind]}, "")
        for kind, _ in LISTS:
            for row in rows[kind]:
                write(pages[row["id"]], "site_item.html.j2",
                      {**base, "item": row, "history": history.get(row.get("path") or "", [])}, "../")
        write("reports/status.html", f"status.{lang}.html.j2", status, "../")
        write("reports/risk-register.html", f"risks.{lang}.html.j2", risks_context(project, lang, today), "../")
        write("reports/summary.html", f"summary.{lang}.html.j2", summary_context(project, lang, today), "../")
        write("reports/srs.html", f"srs.{lang}.html.j2", srs_context(project, lang, today), "../")
        if weekly is not None:
            write("reports/weekly.html", f"weekly.{lang}.html.j2", weekly, "../")
        (staging / MARKER).write_text("published by reqctl; this folder is replaced on every publish\n", "utf-8")
        staging.chmod(0o755)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PublishResult(target, count)


def _swap(staging: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{dt.datetime.now().strftime('%H%M%S%f')}")
        target.rename(old)
    try:
        staging.rename(target)
    except OSError as exc:
        if old is not None:
            old.rename(target)
        raise ReqctlError(f"cannot write the site: {exc.strerror}", path=target) from None
    if old is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)
