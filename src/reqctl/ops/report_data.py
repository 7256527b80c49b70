"""Plain-data rows shared by every report: the building blocks of a template context.

Everything returned here is JSON-ready (str, int, float, bool, None, lists and
dicts; dates as ISO strings), because ``--format json`` prints the context
exactly as the templates receive it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from reqctl.changes.approvals import approval_status, record_role, requirement_approval_state
from reqctl.model.config import Config
from reqctl.model.ids import Kind
from reqctl.model.items import (
    APPROVED_OR_LATER,
    CLOSED_REQUIREMENT_STATUSES,
    Change,
    Decision,
    Feedback,
    Item,
    Lesson,
    Meeting,
    Requirement,
    Risk,
)
from reqctl.model.project import Project
from reqctl.render.charts import percent, score_level

REQUIREMENT_STATUSES = Requirement.statuses
DONE = frozenset({"implemented", "verified"})
Row = dict[str, Any]


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def sort_key(item_id: str) -> tuple[str, int, str]:
    prefix, _, number = item_id.partition("-")
    return (prefix, int(number) if number.isdigit() else 0, item_id)


def by_id(items: Iterable[Item]) -> list[Item]:
    return sorted(items, key=lambda item: sort_key(item.id))


def of_kind(project: Project, kind: Kind) -> list[Item]:
    return by_id(project.of_kind(kind))


def path_of(project: Project, item: Item) -> str | None:
    files = project.files_by_id.get(item.id)
    return files[0].path if files else None


def approval_state(item: Requirement, config: Config) -> str:
    """'approved' (every required role), 'partial', 'suspect' or 'none' (see changes/approvals.py)."""
    return requirement_approval_state(item, config)


def project_info(config: Config) -> Row:
    budget = None
    if config.budget is not None:
        planned, spent = config.budget.planned, config.budget.spent
        budget = {
            "currency": config.budget.currency,
            "planned": planned,
            "spent": spent,
            "remaining": planned - spent if planned is not None and spent is not None else None,
            "spent_pct": percent(spent, planned) if planned and spent is not None else None,
        }
    return {
        "name": config.name,
        "customer": config.customer,
        "language": config.language,
        "start": iso(config.start),
        "end": iso(config.end),
        "goals": list(config.goals),
        "budget": budget,
        "milestones": [{"id": m.id, "title": m.title, "date": iso(m.date)} for m in config.milestones],
    }


def requirement_row(project: Project, item: Requirement, *, body: bool = False) -> Row:
    config = project.config
    records = [
        {"by": r.by, "role": record_role(config, r), "at": iso(r.at), "change": r.change}
        for r in item.approval_records
    ]
    approval = records[-1] if records else None  # the newest record, for templates showing one
    state, awaited = approval_status(item, config)
    row: Row = {
        "id": item.id,
        "title": item.title,
        "status": item.status,
        "priority": item.priority,
        "owner": item.owner,
        "source": item.source,
        "milestone": item.milestone,
        "depends_on": list(item.depends_on),
        "acceptance": list(item.acceptance),
        "tags": list(item.tags),
        "approval_state": state,
        "approval": approval,
        "approvals": records,
        "awaiting_roles": awaited,
        "path": path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def change_row(project: Project, item: Change, *, body: bool = False) -> Row:
    impact = item.impact.model_dump(mode="json") if item.impact is not None else None
    if impact is not None and item.impact is not None:
        # 'cost' stays a number for templates and scripts; its currency (None: the budget's) beside it
        impact.update(cost=item.impact.amount, currency=item.impact.currency,
                      effort_days=item.impact.effort_days)
    row: Row = {
        "id": item.id,
        "title": item.title,
        "status": item.status,
        "requested_by": item.requested_by,
        "created": iso(item.created),
        "affects": list(item.affects),
        "impact": impact,
        "approvals": [
            {"by": a.by, "role": a.role, "at": iso(a.at), "decision": a.decision} for a in item.approvals
        ],
        "missing_roles": missing_roles(project.config, item),
        "branch": item.branch,
        "reason": item.reason,
        "path": path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def missing_roles(config: Config, item: Change) -> list[str]:
    given = {a.role for a in item.approvals if a.decision == "approved"}
    return [role for role in config.approver_roles(Kind.CHANGE) if role not in given]


def risk_row(project: Project, item: Risk, today: dt.date, *, body: bool = False) -> Row:
    row: Row = {
        "id": item.id,
        "title": item.title,
        "status": item.status,
        "probability": item.probability,
        "impact": item.impact,
        "score": item.score,
        "level": score_level(item.score),
        "owner": item.owner,
        "mitigation": item.mitigation,
        "contingency": item.contingency,
        "identified": iso(item.identified),
        "review_by": iso(item.review_by),
        "review_overdue": bool(
            item.review_by and item.review_by < today and item.status in ("open", "mitigating")
        ),
        "relates": list(item.relates),
        "path": path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def decision_row(project: Project, item: Decision, *, body: bool = False) -> Row:
    row: Row = {
        "id": item.id,
        "title": item.title,
        "status": item.status,
        "date": iso(item.date),
        "deciders": list(item.deciders),
        "supersedes": list(item.supersedes),
        "relates": list(item.relates),
        "path": path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def action_rows(item: Meeting, today: dt.date) -> list[Row]:
    return [
        {
            "meeting": item.id,
            "meeting_title": item.title,
            "number": index,
            "what": action.what,
            "owner": action.owner,
            "due": iso(action.due),
            "done": action.done,
            "overdue": bool(not action.done and action.due is not None and action.due < today),
        }
        for index, action in enumerate(item.actions, start=1)
    ]


def meeting_row(project: Project, item: Meeting, today: dt.date, *, body: bool = False) -> Row:
    actions = action_rows(item, today)
    row: Row = {
        "id": item.id,
        "title": item.title,
        "date": iso(item.date),
        "kind": item.kind_of_meeting,
        "attendees": list(item.attendees),
        "relates": list(item.relates),
        "actions": actions,
        "open_actions": sum(1 for a in actions if not a["done"]),
        "path": path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def feedback_row(project: Project, item: Feedback, *, body: bool = False) -> Row:
    row: Row = {
        "id": item.id, "title": item.title, "date": iso(item.date), "from": item.from_,
        "score": item.score, "relates": list(item.relates), "path": path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def lesson_row(project: Project, item: Lesson, *, body: bool = False) -> Row:
    row: Row = {
        "id": item.id, "title": item.title, "date": iso(item.date), "category": item.category,
        "context": item.context, "links": list(item.links),
        "relates": list(item.relates), "path": path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def requirements(project: Project) -> list[Requirement]:
    return [item for item in of_kind(project, Kind.REQUIREMENT) if isinstance(item, Requirement)]


def status_counts(items: Iterable[Requirement]) -> dict[str, int]:
    counts: Counter[str] = Counter(item.status for item in items)
    return {status: counts.get(status, 0) for status in REQUIREMENT_STATUSES}


def progress(counts: dict[str, int]) -> Row:
    scope = sum(n for status, n in counts.items() if status not in CLOSED_REQUIREMENT_STATUSES)
    approved = sum(counts.get(s, 0) for s in APPROVED_OR_LATER)
    done = sum(counts.get(s, 0) for s in DONE)
    return {
        "scope": scope,
        "approved": approved,
        "done": done,
        "verified": counts.get("verified", 0),
        "approved_pct": percent(approved, scope),
        "done_pct": percent(done, scope),
    }


def milestone_state(row: Row, due: dt.date | None, today: dt.date) -> str:
    """'met' (all in scope done), 'in_progress' (not due yet, or no date) or 'missed' (due and not done).

    A milestone that is weeks away is not "not met": reports say it is in progress.
    """
    if row["scope"] > 0 and row["done"] == row["scope"]:
        return "met"
    if due is None or due >= today:
        return "in_progress"
    return "missed"


def milestone_progress(project: Project, reqs: list[Requirement], today: dt.date) -> list[Row]:
    groups: dict[str | None, list[Requirement]] = {}
    for item in reqs:
        groups.setdefault(item.milestone, []).append(item)
    rows: list[Row] = []
    known = {m.id for m in project.config.milestones}
    for milestone in project.config.milestones:
        counts = status_counts(groups.get(milestone.id, []))
        rows.append({
            "id": milestone.id,
            "title": milestone.title,
            "date": iso(milestone.date),
            "days_left": (milestone.date - today).days if milestone.date else None,
            "total": sum(counts.values()),
            "counts": counts,
            **progress(counts),
        })
        rows[-1]["state"] = milestone_state(rows[-1], milestone.date, today)
    rest = [item for key, group in groups.items() if key not in known for item in group]
    if rest:
        counts = status_counts(rest)
        rows.append({
            "id": None, "title": "", "date": None, "days_left": None,
            "total": sum(counts.values()), "counts": counts, **progress(counts),
        })
        rows[-1]["state"] = milestone_state(rows[-1], None, today)
    return rows


def pending_approvals(project: Project, reqs: list[Requirement]) -> list[Row]:
    """Requirements and change requests that wait for someone's approval."""
    rows: list[Row] = []
    for item in reqs:
        state, awaited = approval_status(item, project.config)
        awaited = awaited or project.config.approver_roles(Kind.REQUIREMENT)
        started = item.status == "proposed" or (item.status == "draft" and state in ("partial", "suspect"))
        if started and state != "approved":
            rows.append({"id": item.id, "kind": "requirement", "title": item.title, "status": item.status,
                         "reason": "suspect" if state == "suspect" else "not_approved",
                         "roles": awaited})
        elif item.status in APPROVED_OR_LATER and state != "approved":
            rows.append({"id": item.id, "kind": "requirement", "title": item.title, "status": item.status,
                         "reason": "suspect" if state == "suspect" else "missing",
                         "roles": awaited})
    for change in of_kind(project, Kind.CHANGE):
        assert isinstance(change, Change)
        missing = missing_roles(project.config, change)
        if change.status in ("proposed", "assessed") and missing:
            rows.append({"id": change.id, "kind": "change", "title": change.title, "status": change.status,
                         "reason": "awaiting_roles", "roles": missing})
    return rows


def open_actions(project: Project, today: dt.date) -> list[Row]:
    rows: list[Row] = []
    for meeting in of_kind(project, Kind.MEETING):
        assert isinstance(meeting, Meeting)
        rows.extend(a for a in action_rows(meeting, today) if not a["done"])
    return sorted(rows, key=lambda a: (a["due"] or "9999", a["meeting"], a["number"]))


def risk_rows(project: Project, today: dt.date, *, body: bool = False) -> list[Row]:
    rows = [risk_row(project, item, today, body=body) for item in of_kind(project, Kind.RISK)
            if isinstance(item, Risk)]
    return sorted(rows, key=lambda r: (-r["score"], sort_key(r["id"])))


def is_open_risk(row: Row) -> bool:
    return row["status"] in ("open", "mitigating")


def change_stats(changes: list[Row], currency: str = "EUR") -> Row:
    """Counts by status and what the accepted CRs add: days, person-days, cost (``currency``: the budget's)."""
    counts = Counter(row["status"] for row in changes)
    accepted = [row for row in changes if row["status"] in ("approved", "baselined")]
    return {
        "total": len(changes),
        "by_status": {status: counts.get(status, 0) for status in Change.statuses},
        "schedule_days": sum((row["impact"] or {}).get("schedule_days") or 0 for row in accepted),
        "effort_days": sum((row["impact"] or {}).get("effort_days") or 0 for row in accepted),
        "cost": sum((row["impact"] or {}).get("cost") or 0 for row in accepted
                    if (row["impact"] or {}).get("currency") in (None, currency)),
        # accepted cost per currency: CRs quoted in another currency are not added into 'cost'
        "costs": _costs_by_currency(accepted, currency),
    }


def _costs_by_currency(rows: list[Row], default: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for row in rows:
        impact = row["impact"] or {}
        if impact.get("cost") is not None:
            key = impact.get("currency") or default
            totals[key] = totals.get(key, 0) + impact["cost"]
    return dict(sorted(totals.items()))
