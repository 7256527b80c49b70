"""After delivery: support tickets, training sessions and follow-up visits, as report data.

``support_context`` is ``reqctl report support`` (open tickets by age and
severity, response and resolution times, tickets per requirement); the
``*_section`` functions are the blocks the status, weekly and summary reports
add. Everything is JSON-ready plain data (dates as ISO strings); times are
whole days, because the files record dates, not hours.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from statistics import median
from typing import Any

from reqctl.model.ids import Kind
from reqctl.model.items import SEVERITIES, SUPPORT_STATUSES, Feedback, Followup, Support, Training
from reqctl.model.project import Project
from reqctl.ops import report_data as data

Row = dict[str, Any]
OPEN_STATUSES = ("open", "in-progress")
# Age buckets of open tickets, in days since reported: (key, lowest age, highest age or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-2", 0, 2), ("3-7", 3, 7), ("8-30", 8, 30), ("31+", 31, None),
)


def _days(start: dt.date | None, end: dt.date | None) -> int | None:
    return (end - start).days if start is not None and end is not None else None


def support_row(project: Project, item: Support, today: dt.date, *, body: bool = False) -> Row:
    is_open = item.status in OPEN_STATUSES
    row: Row = {
        "id": item.id, "title": item.title, "status": item.status, "severity": item.severity,
        "category": item.category, "from": item.from_, "reported": data.iso(item.reported),
        "responded": data.iso(item.responded), "resolved": data.iso(item.resolved),
        "relates": list(item.relates), "resolution": item.resolution, "open": is_open,
        "age_days": _days(item.reported, today) if is_open else None,
        "response_days": _days(item.reported, item.responded),
        "resolution_days": _days(item.reported, item.resolved),
        "path": data.path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def training_row(project: Project, item: Training, *, body: bool = False) -> Row:
    row: Row = {
        "id": item.id, "title": item.title, "date": data.iso(item.date), "trainer": item.trainer,
        "audience": list(item.audience), "topics": list(item.topics), "materials": list(item.materials),
        "attendance": item.attendance, "score": item.score, "relates": list(item.relates),
        "path": data.path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def followup_row(project: Project, item: Followup, today: dt.date, *, body: bool = False) -> Row:
    row: Row = {
        "id": item.id, "title": item.title, "date": data.iso(item.date), "contact": item.contact,
        "channel": item.channel, "satisfaction": item.satisfaction, "topics": list(item.topics),
        "next_visit": data.iso(item.next_visit), "opportunities": list(item.opportunities),
        "relates": list(item.relates), "path": data.path_of(project, item),
    }
    if body:
        row["body"] = item.body
    return row


def support_rows(project: Project, today: dt.date, *, body: bool = False) -> list[Row]:
    return [support_row(project, item, today, body=body) for item in data.of_kind(project, Kind.SUPPORT)
            if isinstance(item, Support)]


def training_rows(project: Project, *, body: bool = False) -> list[Row]:
    rows = [training_row(project, item, body=body) for item in data.of_kind(project, Kind.TRAINING)
            if isinstance(item, Training)]
    return sorted(rows, key=lambda r: (r["date"] or "", data.sort_key(r["id"])))


def followup_rows(project: Project, today: dt.date, *, body: bool = False) -> list[Row]:
    rows = [followup_row(project, item, today, body=body) for item in data.of_kind(project, Kind.FOLLOWUP)
            if isinstance(item, Followup)]
    rows.sort(key=lambda r: (r["date"] or "", data.sort_key(r["id"])))
    for row in rows:  # overdue as R018 sees it: the date passed and no later visit to that contact
        contact = (row["contact"] or "").strip().lower()
        later = any(o["date"] > row["date"] and (not contact or (o["contact"] or "").strip().lower() == contact)
                    for o in rows)
        row["next_visit_overdue"] = bool(row["next_visit"] and row["next_visit"] < today.isoformat() and not later)
    return rows


def _age_bucket(age: int) -> str:
    return next(key for key, low, high in AGE_BUCKETS if age >= low and (high is None or age <= high))


def time_stats(values: list[int]) -> Row:
    """Count, average, median and longest of a list of day counts (None when there are none)."""
    if not values:
        return {"count": 0, "average": None, "median": None, "max": None}
    return {"count": len(values), "average": round(sum(values) / len(values), 1),
            "median": median(values), "max": max(values)}


def support_stats(rows: list[Row]) -> Row:
    open_rows = [r for r in rows if r["open"]]
    statuses = Counter(r["status"] for r in rows)
    return {
        "total": len(rows),
        "open": len(open_rows),
        "by_status": {status: statuses.get(status, 0) for status in SUPPORT_STATUSES},
        "open_by_severity": {sev: sum(1 for r in open_rows if r["severity"] == sev) for sev in SEVERITIES},
        "response": time_stats([r["response_days"] for r in rows if r["response_days"] is not None]),
        "resolution": time_stats([r["resolution_days"] for r in rows if r["resolution_days"] is not None]),
    }


def _severity_rank(row: Row) -> int:
    return -SEVERITIES.index(row["severity"])


def support_context(project: Project, lang: str, today: dt.date) -> dict[str, Any]:
    """``report support``: open tickets by age and severity, response and resolution times, per requirement."""
    from reqctl.ops.reports import base_context

    rows = support_rows(project, today, body=True)
    open_rows = sorted((r for r in rows if r["open"]),
                       key=lambda r: (_severity_rank(r), -(r["age_days"] or 0), data.sort_key(r["id"])))
    matrix = [{"severity": sev,
               "ages": {key: sum(1 for r in open_rows if r["severity"] == sev and _age_bucket(r["age_days"] or 0)
                             == key) for key, _, _ in AGE_BUCKETS},
               "total": sum(1 for r in open_rows if r["severity"] == sev)}
              for sev in reversed(SEVERITIES)]
    per_requirement: dict[str, Row] = {}
    for row in rows:
        for target in row["relates"]:
            item = project.items.get(target)
            if item is None or item.kind is not Kind.REQUIREMENT:
                continue
            entry = per_requirement.setdefault(target, {"id": target, "title": item.title, "tickets": [],
                                                        "total": 0, "open": 0})
            entry["tickets"].append(row["id"])
            entry["total"] += 1
            entry["open"] += 1 if row["open"] else 0
    categories = Counter(r["category"] or "" for r in rows)
    by_category = [{"category": c, "count": n} for c, n in sorted(categories.items(), key=lambda x: (-x[1], x[0]))]
    return {
        **base_context(project, "support", lang, today),
        "tickets": rows,
        "open_tickets": open_rows,
        "closed_tickets": [r for r in rows if not r["open"]],
        "age_buckets": [key for key, _, _ in AGE_BUCKETS],
        "age_matrix": matrix,
        "stats": support_stats(rows),
        "by_category": by_category,
        "by_requirement": sorted(per_requirement.values(), key=lambda e: (-e["total"], data.sort_key(e["id"]))),
    }


def in_period(value: str | None, start: dt.date, end: dt.date) -> bool:
    return value is not None and start.isoformat() <= value <= end.isoformat()


def status_section(project: Project, today: dt.date) -> Row:
    """What the status report shows: open tickets (worst first), the latest trainings and visits."""
    rows = support_rows(project, today)
    open_rows = sorted((r for r in rows if r["open"]),
                       key=lambda r: (_severity_rank(r), -(r["age_days"] or 0), data.sort_key(r["id"])))
    trainings = training_rows(project)
    followups = followup_rows(project, today)
    return {
        "support": {"stats": support_stats(rows), "open_tickets": open_rows},
        "trainings": {"total": len(trainings), "recent": list(reversed(trainings))[:5]},
        "followups": {"total": len(followups), "recent": list(reversed(followups))[:5],
                      "overdue": [f for f in followups if f["next_visit_overdue"]]},
    }


def weekly_section(project: Project, start: dt.date, end: dt.date) -> Row:
    """The period's tickets (reported, resolved) and training sessions, for the weekly report."""
    rows = support_rows(project, end)
    return {
        "reported": [r for r in rows if in_period(r["reported"], start, end)],
        "resolved": [r for r in rows if in_period(r["resolved"], start, end)],
        "trainings": [t for t in training_rows(project) if in_period(t["date"], start, end)],
        "followups": [f for f in followup_rows(project, end) if in_period(f["date"], start, end)],
    }


def summary_section(project: Project, today: dt.date) -> Row:
    """Training, support and follow-up visits for the closing summary, and every score over time."""
    trainings = training_rows(project, body=True)
    tickets = support_rows(project, today)
    followups = followup_rows(project, today, body=True)
    training_scores = [t["score"] for t in trainings if t["score"] is not None]
    satisfaction = [f["satisfaction"] for f in followups if f["satisfaction"] is not None]
    timeline: list[Row] = []
    for item in data.of_kind(project, Kind.FEEDBACK):
        if isinstance(item, Feedback) and item.date is not None:
            timeline.append({"date": data.iso(item.date), "id": item.id, "kind": "feedback", "score": item.score,
                             "title": item.title})
    timeline += [{"date": t["date"], "id": t["id"], "kind": "training", "score": t["score"], "title": t["title"]}
                 for t in trainings if t["score"] is not None]
    timeline += [{"date": f["date"], "id": f["id"], "kind": "followup", "score": f["satisfaction"],
                  "title": f["title"]} for f in followups if f["satisfaction"] is not None]
    timeline.sort(key=lambda r: (r["date"], data.sort_key(r["id"])))
    months: dict[str, list[int]] = {}
    for entry in timeline:
        months.setdefault(entry["date"][:7], []).append(entry["score"])
    return {
        "trainings": {
            "sessions": trainings, "total": len(trainings),
            "attendance": sum(t["attendance"] or 0 for t in trainings),
            "average_score": round(sum(training_scores) / len(training_scores), 2) if training_scores else None,
        },
        "support": {"stats": support_stats(tickets), "tickets": tickets},
        "followups": {
            "visits": followups, "total": len(followups),
            "average_satisfaction": round(sum(satisfaction) / len(satisfaction), 2) if satisfaction else None,
            "opportunities": [{"id": f["id"], "text": o} for f in followups for o in f["opportunities"]],
            "next_visit": next((f["next_visit"] for f in reversed(followups) if f["next_visit"]), None),
            "overdue": [f for f in followups if f["next_visit_overdue"]],
        },
        "scores_over_time": {
            "entries": timeline,
            "by_month": [{"month": m, "count": len(s), "average": round(sum(s) / len(s), 2)}
                         for m, s in sorted(months.items())],
        },
    }
