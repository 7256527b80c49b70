"""``reqctl publish DIR``: a static site (dashboard, lists, item pages, reports, specification).

The site is built in a temporary folder next to DIR and swapped in at the end,
so a failure leaves DIR as it was. DIR must be empty, missing, or a site that
reqctl published before (it carries a marker file); nothing else is replaced.

Item files come from pull requests, so nothing in them chooses a path: page
names are built only from IDs that match ``PREFIX-NNN`` (an item whose ``id``
is anything else, such as ``../../www/index``, is left out with a warning),
every page is checked to land inside the staging folder, and a symbolic link
inside the project on the way to DIR is refused rather than written through.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.errors import ReqctlError, UsageError
from reqctl.knowledge.library import library
from reqctl.messages import lazy, os_reason
from reqctl.model.ids import ID_RE, Kind
from reqctl.model.project import Project
from reqctl.ops import report_data as data
from reqctl.ops import report_support
from reqctl.ops.attachments import SITE_FOLDER, Attachments, rewrite_context
from reqctl.ops.backlinks import backlinks
from reqctl.ops.invalid import invalid_files
from reqctl.ops.report_srs import srs_context
from reqctl.ops.reports import base_context, risks_context, status_context, summary_context
from reqctl.render.env import build_environment, render_with
from reqctl.render.i18n import word

MARKER = ".reqctl-site"
LISTS: tuple[tuple[Kind, str], ...] = (
    (Kind.REQUIREMENT, "requirements.html"), (Kind.CHANGE, "changes.html"), (Kind.RISK, "risks.html"),
    (Kind.DECISION, "decisions.html"), (Kind.MEETING, "meetings.html"), (Kind.FEEDBACK, "feedback.html"),
    (Kind.LESSON, "lessons.html"), (Kind.TRAINING, "trainings.html"), (Kind.SUPPORT, "support.html"),
    (Kind.FOLLOWUP, "followups.html"),
)


# Folder names that do not read as titles in English ('Followups', 'Training').
_EN_LABELS = {Kind.TRAINING: "Training", Kind.SUPPORT: "Support tickets", Kind.FOLLOWUP: "Follow-up visits"}


@dataclass(frozen=True)
class PublishResult:
    directory: Path
    pages: int
    skipped: tuple[str, ...] = ()  # warnings: items left out (id cannot name a page), attachments left as text


def is_page_id(item_id: object) -> bool:
    """Whether an item's ``id`` may become a file name: ``PREFIX-NNN`` in ASCII, nothing else."""
    return isinstance(item_id, str) and item_id.isascii() and ID_RE.fullmatch(item_id) is not None


def _link_inside(root: Path, target: Path) -> Path | None:
    """The first symbolic link inside the project that writing to ``target`` would pass through.

    Links outside the project are the user's own file system and are
    followed; a link inside it may come from a pull request (``site -> /var/www``).
    """
    current = Path(target.anchor)
    for part in target.parts[1:]:
        if part == "..":
            current = current.parent
            continue
        step = current / part
        if step.is_symlink():
            if step.is_relative_to(root):
                return step
            step = Path(os.path.realpath(step))
        current = step
    return None


def _real_target(root: Path, target: Path) -> Path:
    link = _link_inside(Path(os.path.realpath(root)), target.absolute())  # '..' kept: resolved as the OS does
    if link is not None:
        raise UsageError(lazy("{path}: is a symbolic link inside the project; publish does not write through links",
                              path=str(link)))
    return Path(os.path.realpath(target))


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(lazy("{path}: exists and is not a folder", path=str(target)))
    if target.is_dir() and any(target.iterdir()) and not _is_marker(target / MARKER):
        raise UsageError(lazy("{path}: folder is not empty and was not published by reqctl; choose another",
                              path=str(target)))


def _is_marker(path: Path) -> bool:
    """The marker is a regular file; a link to one elsewhere does not make a folder replaceable."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _inside(folder: Path, rel: str) -> Path:
    """``folder/rel``, refusing anything that would land outside ``folder``."""
    path = folder / rel
    if Path(rel).is_absolute() or ".." in Path(rel).parts or not path.resolve().is_relative_to(folder.resolve()):
        raise ReqctlError(lazy("refusing to write outside the site folder: {path}", path=rel))
    return path


def _item_rows(project: Project, kind: Kind, today: dt.date, skipped: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in data.of_kind(project, kind):
        if not is_page_id(item.id):
            where = data.path_of(project, item) or kind.folder
            skipped.append(lazy("{where}: id {id} is not an item ID (PREFIX-NNN); left out of the site", where=where,
                                id=repr(item.id)))
            continue
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
        elif kind is Kind.TRAINING:
            row = report_support.training_row(project, item, body=True)  # type: ignore[arg-type]
        elif kind is Kind.SUPPORT:
            row = report_support.support_row(project, item, today, body=True)  # type: ignore[arg-type]
        elif kind is Kind.FOLLOWUP:
            row = report_support.followup_row(project, item, today, body=True)  # type: ignore[arg-type]
        else:
            row = data.lesson_row(project, item, body=True)  # type: ignore[arg-type]
        row["kind"] = kind.value
        rows.append(row)
    return rows


def _history(project: Project) -> dict[str, list[dict[str, Any]]]:
    """Commits per item file, from one pass over the log (empty outside git)."""
    from reqctl.history.log import commits

    try:
        log = commits(project.root, merge_diffs=True)  # merges re-approve items: list what they changed
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
    shown = target
    target = _real_target(project.root, target)
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    attachments = Attachments()
    env = build_environment(project.root, lang)
    base = base_context(project, "site", lang, today)
    skipped: list[str] = []
    rows = {kind: _item_rows(project, kind, today, skipped) for kind, _ in LISTS}
    pages = {row["id"]: f"items/{row['id']}.html" for kind_rows in rows.values() for row in kind_rows}
    reports_nav = [("status.html", "状态报告" if lang == "zh" else "Status"),
                   ("weekly.html", "周报" if lang == "zh" else "Weekly"),
                   ("risk-register.html", "风险登记册" if lang == "zh" else "Risk register"),
                   ("summary.html", "项目总结" if lang == "zh" else "Summary"),
                   ("srs.html", "需求规格说明书" if lang == "zh" else "Specification")]
    nav = [{"href": f, "label": word(kind.value, lang) if lang == "zh"
            else _EN_LABELS.get(kind, kind.folder.capitalize())} for kind, f in LISTS if rows[kind]]
    knowledge = library(project)  # lessons of earlier projects: a page of their own when there are any
    if knowledge["total"]:
        nav.append({"href": "knowledge.html", "label": "案例库" if lang == "zh" else "Earlier projects"})
    reviews = _review_rows(project, pages)
    if reviews:
        nav.append({"href": REVIEWS_PAGE, "label": "客户评审" if lang == "zh" else "Reviews"})
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
        (staging / "assets" / "filter.js").write_text(filter_js(), "utf-8")

        def write(rel: str, template: str, context: dict[str, Any], root: str) -> None:
            nonlocal count
            # Bodies point at copies of the files they reference (under files/); refused ones stay text.
            shown = rewrite_context(project.root, context, attachments, inline=False)
            html = render_with(env, project.root, template, {**shown, "site": site(root)})
            _inside(staging, rel).write_text(html, encoding="utf-8")
            count += 1

        status = status_context(project, lang, today)
        write("index.html", "site_index.html.j2",
              {**status, "counts": {**{kind.value: len(rows[kind]) for kind, _ in LISTS}, REVIEWS_PAGE: len(reviews)}},
              "")
        for kind, filename in LISTS:
            if rows[kind]:
                write(filename, "site_list.html.j2", {**base, "kind": kind.value, "items": rows[kind]}, "")
        if knowledge["total"]:
            write("knowledge.html", "site_knowledge.html.j2", {**base, "knowledge": knowledge}, "")
        links = backlinks(project)
        for kind, _ in LISTS:
            for row in rows[kind]:
                referenced = [link.to_json() for link in links.get(row["id"], [])]
                write(pages[row["id"]], "site_item.html.j2",
                      {**base, "item": row, "history": history.get(row.get("path") or "", []),
                       "referenced_by": referenced, "reviews": [r for r in reviews if r["item"] == row["id"]]},
                      "../")
        if reviews:
            write(REVIEWS_PAGE, "site_reviews.html.j2", {**base, "reviews": reviews}, "")
            for review in reviews:
                if review["id"] and pages.get(review["id"]) == f"items/{review['id']}.html":
                    write(pages[review["id"]], "site_review.html.j2", {**base, "review": review}, "../")
        write("reports/status.html", f"status.{lang}.html.j2", status, "../")
        write("reports/risk-register.html", f"risks.{lang}.html.j2", risks_context(project, lang, today), "../")
        write("reports/summary.html", f"summary.{lang}.html.j2", summary_context(project, lang, today), "../")
        write("reports/srs.html", f"srs.{lang}.html.j2", srs_context(project, lang, today), "../")
        if weekly is not None:
            write("reports/weekly.html", f"weekly.{lang}.html.j2", weekly, "../")
        for rel, content in sorted(attachments.files.items()):
            copied = _inside(staging, f"{SITE_FOLDER}/{rel}")
            copied.parent.mkdir(parents=True, exist_ok=True)
            copied.write_bytes(content)
        skipped.extend(dict.fromkeys(attachments.warnings))  # each page repeats them: say each once
        (staging / MARKER).write_text("published by reqctl; this folder is replaced on every publish\n", "utf-8")
        staging.chmod(0o755)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PublishResult(shown, count, tuple(skipped))


REVIEWS_PAGE = "reviews.html"


def filter_js() -> str:
    """The list filter script, a static file (never inline: ``reqctl serve``'s CSP is ``script-src 'self'``)."""
    from reqctl.bundled import bundled

    return bundled("templates").joinpath("site_filter.js").read_text(encoding="utf-8")


def _review_rows(project: Project, pages: dict[str, str]) -> list[dict[str, Any]]:
    """Customer review decisions; each review record (REV-NNN) gets a page beside the items' (added to ``pages``)."""
    from reqctl.review import records

    reviews = records.rows(project)
    for review in reviews:
        if review["id"] and is_page_id(review["id"]) and review["id"] not in pages:
            pages[review["id"]] = f"items/{review['id']}.html"
    return reviews


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
        raise ReqctlError(lazy("cannot write the site: {error}", error=os_reason(exc)), path=target) from None
    if old is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)
