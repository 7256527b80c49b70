"""Report contexts: ``status``, ``risks`` and ``summary`` from the current project.

Each ``*_context`` function returns the plain data a template receives (and
``--format json`` prints). The weekly report, which also reads git history,
lives in ``ops/report_weekly.py``; the specification in ``ops/report_srs.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reqctl.gitio.repo import open_repo
from reqctl.knowledge.library import library
from reqctl.messages import lazy
from reqctl.model.ids import Kind
from reqctl.model.items import Change, Decision, Feedback, Lesson, Meeting
from reqctl.model.project import Project
from reqctl.ops import report_data as data
from reqctl.ops import report_support
from reqctl.render.charts import percent
from reqctl.render.i18n import LANGUAGES

REPORTS = ("weekly", "status", "risks", "summary", "support")
Context = dict[str, Any]


def resolve_language(project: Project, lang: str | None) -> str:
    from reqctl.errors import UsageError

    chosen = lang or project.config.language
    if chosen not in LANGUAGES:
        raise UsageError(lazy("--lang {lang}: use one of {languages}", lang=chosen, languages=", ".join(LANGUAGES)))
    return chosen


def revision(project: Project) -> str | None:
    """The short commit the report was made from (None outside git or before the first commit)."""
    from reqctl.errors import GitError

    repo = open_repo(project.root)
    if repo is None:
        return None
    try:
        return repo.git("rev-parse", "--short", "HEAD").strip() or None
    except GitError:
        return None


def base_context(project: Project, report: str, lang: str, today: dt.date) -> Context:
    return {
        "report": report,
        "lang": lang,
        "generated": {"date": today.isoformat(), "revision": revision(project)},
        "project": data.project_info(project.config),
        "people": project.config.people_names(),
        "display": project.config.display_names(lang),  # reqctl.yaml's display: names (the word filter)
    }


def status_context(project: Project, lang: str, today: dt.date) -> Context:
    """A snapshot dashboard of the project as it is now."""
    reqs = data.requirements(project)
    counts = data.status_counts(reqs)
    risks = data.risk_rows(project, today)
    changes = [data.change_row(project, c) for c in data.of_kind(project, Kind.CHANGE)
               if isinstance(c, Change)]
    actions = data.open_actions(project, today)
    meetings = [data.meeting_row(project, m, today) for m in data.of_kind(project, Kind.MEETING)
                if isinstance(m, Meeting)]
    decisions = [data.decision_row(project, d) for d in data.of_kind(project, Kind.DECISION)
                 if isinstance(d, Decision)]
    return {
        **base_context(project, "status", lang, today),
        "requirements": {"total": len(reqs), "counts": counts, **data.progress(counts)},
        "milestones": data.milestone_progress(project, reqs, today),
        "pending_approvals": data.pending_approvals(project, reqs),
        "changes": changes,
        "open_changes": [c for c in changes if c["status"] in ("proposed", "assessed", "approved")],
        "top_risks": [r for r in risks if data.is_open_risk(r)][:5],
        "open_risks": sum(1 for r in risks if data.is_open_risk(r)),
        "open_actions": actions,
        "overdue_actions": [a for a in actions if a["overdue"]],
        "recent_meetings": sorted(meetings, key=lambda m: m["date"] or "", reverse=True)[:5],
        "recent_decisions": sorted(decisions, key=lambda d: d["date"] or "", reverse=True)[:5],
        **report_support.status_section(project, today),
        "customer_reviews": customer_reviews(project, None, None)[:10],
    }


def customer_reviews(project: Project, since: dt.date | None, until: dt.date | None) -> list[dict[str, Any]]:
    """Customer review decisions (``reqctl serve``) dated in the period, newest first."""
    from reqctl.review import records

    return records.rows(project, since, until)


def risks_context(project: Project, lang: str, today: dt.date) -> Context:
    """The risk register sorted by score, with what the matrix needs."""
    risks = data.risk_rows(project, today, body=True)
    open_risks = [r for r in risks if data.is_open_risk(r)]
    levels = {level: sum(1 for r in open_risks if r["level"] == level)
              for level in ("critical", "high", "medium", "low")}
    return {
        **base_context(project, "risks", lang, today),
        "risks": risks,
        "open_risks": open_risks,
        "closed_risks": [r for r in risks if not data.is_open_risk(r)],
        "by_level": levels,
        "review_overdue": [r for r in open_risks if r["review_overdue"]],
    }


def summary_context(project: Project, lang: str, today: dt.date) -> Context:
    """The closing summary: goals, milestones, schedule, budget, changes, feedback, lessons."""
    reqs = data.requirements(project)
    counts = data.status_counts(reqs)
    milestones = data.milestone_progress(project, reqs, today)
    for row in milestones:
        row["met"] = row["scope"] > 0 and row["done"] == row["scope"]
    changes = [data.change_row(project, c) for c in data.of_kind(project, Kind.CHANGE)
               if isinstance(c, Change)]
    feedback = [data.feedback_row(project, f, body=True) for f in data.of_kind(project, Kind.FEEDBACK)
                if isinstance(f, Feedback)]
    lessons = [data.lesson_row(project, item, body=True) for item in data.of_kind(project, Kind.LESSON)
               if isinstance(item, Lesson)]
    risks = data.risk_rows(project, today)
    config = project.config
    schedule: dict[str, Any] = {"start": data.iso(config.start), "end": data.iso(config.end),
                                "planned_days": None, "elapsed_days": None, "elapsed_pct": None,
                                "delay_days": sum(c["impact"]["schedule_days"] or 0 for c in changes
                                                  if c["impact"] and c["status"] in ("approved", "baselined"))}
    if config.start and config.end and config.end > config.start:
        planned = (config.end - config.start).days
        elapsed = max(0, min((today - config.start).days, planned))
        schedule.update(planned_days=planned, elapsed_days=elapsed,
                        elapsed_pct=percent(elapsed, planned))
    scores = [f["score"] for f in feedback]
    return {
        **base_context(project, "summary", lang, today),
        "requirements": {"total": len(reqs), "counts": counts, **data.progress(counts)},
        "milestones": milestones,
        "schedule": schedule,
        "changes": changes,
        "change_stats": data.change_stats(changes, config.budget.currency if config.budget else "EUR"),
        "risks": {"total": len(risks), "open": sum(1 for r in risks if data.is_open_risk(r)),
                  "occurred": [r for r in risks if r["status"] == "occurred"]},
        "feedback": feedback,
        "satisfaction": {
            "count": len(scores),
            "average": round(sum(scores) / len(scores), 2) if scores else None,
            "distribution": {str(n): scores.count(n) for n in range(1, 6)},
        },
        "lessons": lessons,
        # lessons of earlier projects (knowledge/ and reqctl.yaml 'knowledge:'), by category: the case library
        "knowledge": library(project),
        **report_support.summary_section(project, today),
    }
