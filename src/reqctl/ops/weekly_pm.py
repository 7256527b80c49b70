"""What a PM's weekly report adds to the facts: overall status, next week's plan, what we need from the customer.

* Overall status (red/amber/green): counts such as overdue milestones or open
  critical risks are compared with the thresholds in ``reqctl.yaml``
  (``weekly.status``, defaults in ``model/config.py``); red is tested before
  amber, and green is what is left. The PM's note may override the result
  with a reason; the report then shows both.
* Next week: action items, milestones and risk reviews that fall due in the
  calendar week after the report's week.
* Needs from the customer: approvals waiting on a customer role, overdue
  action items owned by customer people. Who the customer is comes from
  ``weekly.customer_roles`` (default ``customer``): the members of those
  roles, people of their organisations or of ``customer:``, and people at
  e-mail domains that no other role shares.

Everything returned is plain JSON-ready data for the templates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reqctl.model.config import Config
from reqctl.model.ids import Kind
from reqctl.model.items import Meeting, Requirement
from reqctl.model.project import Project
from reqctl.ops import report_data as data
from reqctl.ops.weeks import IsoWeek

Row = dict[str, Any]


def _domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def _members(config: Config) -> set[str]:
    return {p.strip().lower() for role in config.weekly.customer_roles for p in config.roles.get(role, [])}


def _customer_domains(config: Config, members: set[str]) -> set[str]:
    """E-mail domains of customer-role members that no member of another role shares."""
    others = {p.strip().lower() for role, people in config.roles.items()
              if role not in config.weekly.customer_roles for p in people}
    vendor = {_domain(p) for p in others - members if "@" in p}
    return {_domain(m) for m in members if "@" in m} - vendor


def customer_people(config: Config) -> set[str]:
    """Lower-cased e-mails of everyone on the customer's side that the configuration knows of."""
    members = _members(config)
    orgs = {entry.organisation.strip() for email, entry in config.people.items()
            if email.strip().lower() in members and entry.organisation}
    if config.customer.strip():
        orgs.add(config.customer.strip())
    domains = _customer_domains(config, members)
    found = set(members)
    for email, entry in config.people.items():
        key = email.strip().lower()
        if (entry.organisation and entry.organisation.strip() in orgs) or ("@" in key and _domain(key) in domains):
            found.add(key)
    return found


def is_customer(config: Config, email: str | None, known: set[str] | None = None) -> bool:
    """Whether an owner is on the customer's side (a known customer person, or at a customer-only domain)."""
    if not email:
        return False
    key = email.strip().lower()
    if key in (known if known is not None else customer_people(config)):
        return True
    return "@" in key and _domain(key) in _customer_domains(config, _members(config))


def metrics(project: Project, context: dict[str, Any]) -> dict[str, int]:
    """The counts status rules compare, from the status context of the report's date."""
    reqs = [item for item in data.of_kind(project, Kind.REQUIREMENT) if isinstance(item, Requirement)]
    open_risks = [r for r in data.risk_rows(project, _as_of(context)) if data.is_open_risk(r)]
    known = customer_people(project.config)
    overdue = context["overdue_actions"]
    return {
        "overdue_milestones": sum(1 for m in context["milestones"] if m.get("state") == "missed"),
        "critical_risks": sum(1 for r in open_risks if r["level"] == "critical"),
        "high_risks": sum(1 for r in open_risks if r["level"] in ("high", "critical")),
        "overdue_risk_reviews": sum(1 for r in open_risks if r["review_overdue"]),
        "suspect_requirements": sum(1 for r in reqs if data.approval_state(r, project.config) == "suspect"),
        "pending_approvals": len(context["pending_approvals"]),
        "overdue_actions": len(overdue),
        "overdue_customer_actions": sum(1 for a in overdue if is_customer(project.config, a["owner"], known)),
    }


def _as_of(context: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(context["generated"]["date"])


def overall_status(config: Config, counts: dict[str, int], note: dict[str, Any] | None) -> Row:
    """The computed colour, the rules that fired (each with its colour), and the PM's override if any."""
    fired: list[Row] = []
    for colour in ("red", "amber"):
        rules: dict[str, int] = dict(getattr(config.weekly.status, colour))
        for metric, threshold in rules.items():
            if counts.get(metric, 0) >= threshold:
                fired.append({"colour": colour, "metric": metric, "count": counts.get(metric, 0),
                              "threshold": threshold})
    computed = "red" if any(f["colour"] == "red" for f in fired) else "amber" if fired else "green"
    override = None
    if note is not None and note.get("status"):
        override = {"status": note["status"], "reason": note["status_reason"], "path": note["path"]}
    return {
        "status": override["status"] if override else computed,
        "computed": computed,
        "fired": fired,
        "override": override,
        "metrics": counts,
    }


def _within(value: str | None, start: dt.date, end: dt.date) -> bool:
    return value is not None and start.isoformat() <= value <= end.isoformat()


def next_week(project: Project, week: IsoWeek, as_of: dt.date) -> Row:
    """What falls due in ``week`` (the calendar week after the report's): actions, milestones, risk reviews."""
    start, end = week.monday, week.sunday
    actions: list[Row] = []
    for meeting in data.of_kind(project, Kind.MEETING):
        assert isinstance(meeting, Meeting)
        actions.extend(a for a in data.action_rows(meeting, as_of) if not a["done"] and _within(a["due"], start, end))
    milestones = [{"id": m.id, "title": m.title, "date": data.iso(m.date)} for m in project.config.milestones
                  if _within(data.iso(m.date), start, end)]
    reviews = [r for r in data.risk_rows(project, as_of)
               if data.is_open_risk(r) and _within(r["review_by"], start, end)]
    return {
        "week": week.label,
        "since": start.isoformat(),
        "until": end.isoformat(),
        "actions": sorted(actions, key=lambda a: (a["due"] or "", a["meeting"], a["number"])),
        "milestones": sorted(milestones, key=lambda m: m["date"] or ""),
        "risk_reviews": sorted(reviews, key=lambda r: (r["review_by"] or "", data.sort_key(r["id"]))),
    }


def customer_needs(project: Project, context: dict[str, Any]) -> Row:
    """Approvals waiting on a customer role and overdue action items owned by customer people."""
    config = project.config
    roles = set(config.weekly.customer_roles)
    known = customer_people(config)
    approvals = []
    for row in context["pending_approvals"]:
        waiting = [r for r in row["roles"] if r in roles]
        if waiting:
            approvers = list(dict.fromkeys(p for r in waiting for p in config.roles.get(r, [])))
            approvals.append(dict(row, customer_roles=waiting, approvers=approvers))
    actions = [a for a in context["overdue_actions"] if is_customer(config, a["owner"], known)]
    return {"approvals": approvals, "overdue_actions": actions}
