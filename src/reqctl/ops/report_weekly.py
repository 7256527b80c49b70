"""The weekly report: what changed between the period's start and end, read from git history.

Item states come from ``reqctl.history`` (projects at revisions, read
incrementally: only blobs not seen before are parsed); this module only
compares them and assembles plain data for the templates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from reqctl.errors import ReqctlError, UsageError
from reqctl.history.diff import ItemChange, diff_projects
from reqctl.history.log import commits
from reqctl.history.snapshots import HistoryReader
from reqctl.messages import lazy
from reqctl.model.ids import Kind
from reqctl.model.items import APPROVED_OR_LATER, Decision, Meeting, Risk
from reqctl.model.project import Project
from reqctl.ops import report_data as data
from reqctl.ops import report_returned, report_support, weekly_note, weekly_pm
from reqctl.ops.reports import Context, customer_reviews, status_context
from reqctl.ops.weeks import IsoWeek, week_of
from reqctl.store.reader import ItemFile

DEFAULT_WEEKS = 8
MAX_WEEKS = 104


def period(since: dt.date | None, until: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    end = until or today
    start = since or end - dt.timedelta(days=6)
    if start > end:
        raise UsageError(lazy("--since {start} is after --until {end}", start=start.isoformat(), end=end.isoformat()))
    return start, end


def resolve_period(
    since: dt.date | None, until: dt.date | None, week: IsoWeek | None, today: dt.date
) -> tuple[dt.date, dt.date, IsoWeek | None]:
    """The report's period: ``--week``, else ``--since``/``--until``, else the calendar week of today.

    Returns the first and last day and the ISO week when the period is one.
    """
    if week is not None:
        if since is not None or until is not None:
            raise UsageError(lazy("--week cannot be combined with --since or --until"))
        return week.monday, week.sunday, week
    if since is not None or until is not None:
        start, end = period(since, until, today)
        return start, end, None
    current = week_of(today)
    return current.monday, current.sunday, current


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min) - dt.timedelta(microseconds=1)


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max)


def _counted_status(item_file: ItemFile | None) -> str | None:
    """The status a requirement file counts under in the burn-up (None: not counted)."""
    if item_file is None or item_file.data is None:
        return None
    return str(item_file.data.get("status") or "draft")


def burnup(
    reader: HistoryReader,
    end: dt.date,
    weeks: int,
    *,
    known: tuple[str, list[ItemFile]] | None = None,
    start: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Requirement counts at the end of each of the last ``weeks`` weeks (oldest first).

    Weeks that end before ``start`` (the project's start) or before the first
    commit are left out, so the chart begins where the project does.

    The newest week is read whole (or taken from ``known``: a revision and its
    item files, already read); each earlier week applies only the files that
    ``git diff-tree`` reports as changed between consecutive weekly revisions.
    """
    days = [end - dt.timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    revs = [reader.rev_at(_end_of(day)) for day in days]
    state: dict[str, str] = {}  # requirement path -> counted status, at ``state_rev``
    state_rev: str | None = None
    counts: list[Counter[str]] = []
    for rev in reversed(revs):  # newest first: start from what is already known
        if rev is None:
            counts.append(Counter())
            continue
        if state_rev is None:
            files = known[1] if known is not None and known[0] == rev else reader.files_at(rev, (Kind.REQUIREMENT,))
            state = {}
            for item_file in files:
                status = _counted_status(item_file) if item_file.kind is Kind.REQUIREMENT else None
                if status is not None:
                    state[item_file.path] = status
        elif rev != state_rev:
            for change, changed in reader.changes(state_rev, rev, (Kind.REQUIREMENT,)):
                status = _counted_status(changed)
                if status is None:
                    state.pop(change.path, None)
                else:
                    state[change.path] = status
        state_rev = rev
        counts.append(Counter(state.values()))
    points = []
    for day, rev, statuses in zip(days, revs, reversed(counts), strict=True):
        before = rev is None or (start is not None and day < start)
        if before and day != days[-1]:
            continue  # before the first commit or the project's start: no weeks of zeros
        total = sum(n for s, n in statuses.items() if s not in ("rejected", "deprecated"))
        points.append({
            "date": day.isoformat(),
            "revision": rev[:10] if rev else None,
            "total": total,
            "approved": sum(statuses[s] for s in APPROVED_OR_LATER),
            "done": statuses["implemented"] + statuses["verified"],
        })
    return points


def _status_move(change: ItemChange) -> tuple[str | None, str | None] | None:
    moved = change.field("status")
    if moved is None:
        return None
    return (None if moved.old is None else str(moved.old), None if moved.new is None else str(moved.new))


def _in_period(value: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return value is not None and start <= value <= end


def _activity(old: Project | None, new: Project, start: dt.date, end: dt.date) -> dict[str, Any]:
    before = old if old is not None else Project(root=new.root, config=new.config, files=[])
    diff = diff_projects(before, new)
    req: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "added", "approved", "implemented", "verified", "changed", "removed", "status_changes")}
    crs: dict[str, list[dict[str, Any]]] = {k: [] for k in ("opened", "approved", "baselined", "rejected")}
    risks: dict[str, list[dict[str, Any]]] = {k: [] for k in ("opened", "closed", "rescored", "occurred")}
    decided: list[str] = []
    for change in diff.items:
        kind = change.kind
        item = new.items.get(change.id)
        moved = _status_move(change)
        row = {"id": change.id, "title": change.title, "change": change.change,
               "fields": list(change.changed_fields), "status": getattr(item, "status", None),
               "from": moved[0] if moved else None, "to": moved[1] if moved else None}
        if kind == Kind.REQUIREMENT.value:
            if change.change == "added":
                req["added"].append(row)
            elif change.change == "removed":
                req["removed"].append(row)
            elif change.normative:
                req["changed"].append(row)
            if moved and change.change == "changed":
                req["status_changes"].append(row)
            new_status = moved[1] if moved else (row["status"] if change.change == "added" else None)
            if new_status in ("approved", "implemented", "verified"):
                req[new_status].append(row)
        elif kind == Kind.CHANGE.value:
            if change.change == "added":
                crs["opened"].append(row)
            target = moved[1] if moved else (row["status"] if change.change == "added" else None)
            if target in ("approved", "baselined", "rejected"):
                crs[target].append(row)
            if target == "baselined" and (moved[0] if moved else None) != "approved":
                crs["approved"].append(row)  # approved and merged within the period: approved too
        elif kind == Kind.RISK.value:
            if change.change == "added":
                risks["opened"].append(row)
            if moved and moved[1] in ("closed", "occurred"):
                risks[moved[1]].append(row)
            scored = [change.field("probability"), change.field("impact")]
            if change.change == "changed" and any(scored) and isinstance(item, Risk):
                old_item = before.items.get(change.id)
                old_score = old_item.score if isinstance(old_item, Risk) else None
                risks["rescored"].append({**row, "old_score": old_score, "new_score": item.score,
                                          "probability": item.probability, "impact": item.impact})
        elif kind == Kind.DECISION.value and moved and moved[1] == "accepted":
            decided.append(change.id)
    crs["implemented"] = crs["baselined"]  # the key's older name, kept for scripts reading --format json
    return {"requirements": req, "changes": crs, "risks": risks, "decided": decided,
            "summary": {"added": len(diff.added), "changed": len(diff.changed), "removed": len(diff.removed)}}


def uncommitted_item_files(project: Project) -> int:
    """How many item files differ from the last commit (the weekly report reads commits only)."""
    from reqctl.gitio.objects import kind_of_path
    from reqctl.gitio.repo import open_repo

    repo = open_repo(project.root)
    if repo is None:
        return 0
    try:
        dirty = repo.dirty_paths([kind.folder for kind in Kind])
    except ReqctlError:
        return 0
    return sum(1 for top in dirty if (rel := repo.from_top(top)) is not None and kind_of_path(rel) is not None)


def weekly_context(
    project: Project,
    lang: str,
    today: dt.date,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    week: IsoWeek | None = None,
) -> Context:
    """The weekly report's context; without ``since``/``until``/``week`` the period is today's calendar week."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise UsageError(lazy("--weeks {weeks}: use a number from 1 to {most}", weeks=weeks, most=MAX_WEEKS))
    start, end, calendar_week = resolve_period(since, until, week, today)
    # A week that ends after today is reported as of today: Friday's report does not call Saturday's items overdue.
    as_of = min(end, today)
    note_week = calendar_week or week_of(end)
    note = weekly_note.read_note(project.root, note_week)
    # The working-tree project lends its parses to every revision holding the same bytes.
    reader = HistoryReader(project.root, worktree=project)
    end_rev = reader.rev_at(_end_of(end))
    start_rev = reader.rev_at(_start_of(start))
    new = reader.project_at(end_rev) if end_rev else Project(root=project.root, config=project.config, files=[])
    old = reader.project_at(start_rev) if start_rev else None
    activity = _activity(old, new, start, end)
    returned = report_returned.returned_rows(activity["requirements"], new)
    context = status_context(new, lang, as_of)
    context["report"] = "weekly"
    decisions = [data.decision_row(new, d) for d in data.of_kind(new, Kind.DECISION)
                 if isinstance(d, Decision)
                 and (_in_period(d.date, start, end) or d.id in activity["decided"])]
    meetings = [data.meeting_row(new, m, as_of) for m in data.of_kind(new, Kind.MEETING)
                if isinstance(m, Meeting) and _in_period(m.date, start, end)]
    changes_by_id = {c["id"]: c for c in context["changes"]}
    for bucket in activity["changes"].values():
        for row in bucket:
            if row["id"] in changes_by_id:
                row["change_request"] = changes_by_id[row["id"]]
    log = commits(project.root, since=_start_of(start), until=_end_of(end))
    authors = Counter(c.author_name or c.author_email for c in log)
    context.update({
        "period": {"since": start.isoformat(), "until": end.isoformat(),
                   "days": (end - start).days + 1,
                   "week": calendar_week.label if calendar_week else None,
                   "as_of": as_of.isoformat(),
                   "start_revision": start_rev[:10] if start_rev else None,
                   "end_revision": end_rev[:10] if end_rev else None},
        "activity": {"requirements": activity["requirements"], "changes": activity["changes"],
                     "risks": activity["risks"], "summary": activity["summary"]},
        "decisions": sorted(decisions, key=lambda d: d["date"] or ""),
        "meetings": sorted(meetings, key=lambda m: m["date"] or ""),
        "commits": {"count": len(log), "authors": [{"name": n, "commits": c} for n, c in authors.most_common()]},
        "period_support": report_support.weekly_section(new, start, end),
        "returned_to_approved": returned,
        "burnup": burnup(reader, end, weeks, known=(end_rev, new.files) if end_rev else None,
                         start=project.config.start),
    })
    # The PM's part of the report: the note, the overall status, next week, what the customer must do.
    note_data = note.as_context() if note is not None else None
    context.update({
        "note": note_data,
        "note_week": note_week.label,
        "overall": weekly_pm.overall_status(new.config, weekly_pm.metrics(new, context), note_data),
        "next_week": weekly_pm.next_week(new, note_week.next(), as_of),
        "customer_needs": weekly_pm.customer_needs(new, context),
    })
    context["customer_reviews"] = customer_reviews(new, start, end)
    reader.save()
    return context

