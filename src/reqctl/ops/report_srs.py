"""The requirements specification (SRS) context: cover, grouped requirements, traceability, changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reqctl.errors import GitError, UsageError
from reqctl.gitio.repo import open_repo
from reqctl.messages import lazy
from reqctl.model.ids import Kind
from reqctl.model.items import CLOSED_REQUIREMENT_STATUSES, Change, Requirement
from reqctl.model.project import Project
from reqctl.ops import report_data as data
from reqctl.ops.invalid import invalid_files
from reqctl.ops.reports import Context, base_context

GROUPINGS = ("milestone", "tag")
# The kinds the specification shows (requirements, their changes and traceability links).
SRS_KINDS = (Kind.REQUIREMENT, Kind.CHANGE, Kind.RISK, Kind.DECISION, Kind.MEETING)


def baselines(project: Project) -> list[dict[str, Any]]:
    """Baselines, oldest first: tags ``reqctl baseline create`` wrote (they carry the
    ``Reqctl-Baseline`` marker) and, from older projects, tags named ``baseline/NAME``."""
    from reqctl.ops.baseline import MARKER

    repo = open_repo(project.root)
    if repo is None:
        return []
    try:
        out = repo.text("for-each-ref", "--sort=creatordate",
                        "--format=%(refname:short)%00%(objectname)%00%(*objectname)%00%(creatordate:short)"
                        "%00%(contents)%01", "refs/tags")
    except GitError:
        return []
    rows = []
    for raw in out.split("\x01"):
        record = raw.strip("\n")
        if not record or record.count("\0") < 4:
            continue
        name, sha, peeled, date, contents = record.split("\0", 4)
        marked = f"{MARKER}:" in contents
        if not marked and not name.startswith("baseline/"):
            continue
        # reqctl's annotation: "Baseline NAME", the optional message, the figures, the marker.
        paragraphs = [p.strip() for p in contents.strip().split("\n\n")]
        message = (paragraphs[1] if len(paragraphs) >= 4 else "") if marked else paragraphs[0]
        figures = paragraphs[-2] if marked and len(paragraphs) >= 3 else ""
        counted = next((line.partition(": ")[2] for line in figures.splitlines()
                        if line.startswith("requirement: ")), "")
        rows.append({"name": name.removeprefix("baseline/"), "tag": name, "date": date or None,
                     "commit": peeled or sha, "message": " ".join(message.split()),
                     "requirements": int(counted) if counted.isdigit() else None})
    return rows


def document_version(project: Project, found: list[dict[str, Any]]) -> dict[str, Any]:
    """The specification's version: the latest baseline; ``current`` when HEAD is that baseline."""
    if not found:
        return {"version": None, "current": False}
    latest = found[-1]
    repo = open_repo(project.root)
    head = None
    if repo is not None:
        try:
            head = repo.try_resolve("HEAD")
        except GitError:
            head = None
    return {"version": latest["name"], "current": head is not None and head == latest["commit"]}


def _groups(project: Project, reqs: list[Requirement], group_by: str) -> list[dict[str, Any]]:
    rows = {item.id: data.requirement_row(project, item, body=True) for item in reqs}
    groups: list[dict[str, Any]] = []
    if group_by == "milestone":
        for milestone in project.config.milestones:
            members = [rows[r.id] for r in reqs if r.milestone == milestone.id]
            groups.append({"key": milestone.id, "title": milestone.title, "date": data.iso(milestone.date),
                           "requirements": members})
        known = {m.id for m in project.config.milestones}
        rest = [rows[r.id] for r in reqs if r.milestone not in known]
        if rest:
            groups.append({"key": None, "title": "", "date": None, "requirements": rest})
    else:
        tags = sorted({tag for r in reqs for tag in r.tags})
        for tag in tags:
            groups.append({"key": tag, "title": tag, "date": None,
                           "requirements": [rows[r.id] for r in reqs if tag in r.tags]})
        untagged = [rows[r.id] for r in reqs if not r.tags]
        if untagged:
            groups.append({"key": None, "title": "", "date": None, "requirements": untagged})
    return [g for g in groups if g["requirements"] or (g["key"] is not None and group_by == "milestone")]


def _traceability(project: Project, reqs: list[Requirement]) -> list[dict[str, Any]]:
    required_by: dict[str, list[str]] = {}
    for item in reqs:
        for target in item.depends_on:
            required_by.setdefault(target, []).append(item.id)
    linked: dict[str, dict[str, list[str]]] = {}
    for kind, field, key in ((Kind.CHANGE, "affects", "changes"), (Kind.RISK, "relates", "risks"),
                             (Kind.DECISION, "relates", "decisions"), (Kind.MEETING, "relates", "meetings")):
        for other in data.of_kind(project, kind):
            for target in getattr(other, field, ()):
                linked.setdefault(target, {}).setdefault(key, []).append(other.id)
    rows = []
    for item in reqs:
        links = linked.get(item.id, {})
        rows.append({
            "id": item.id, "title": item.title, "status": item.status, "source": item.source,
            "depends_on": list(item.depends_on), "required_by": required_by.get(item.id, []),
            "changes": links.get("changes", []), "risks": links.get("risks", []),
            "decisions": links.get("decisions", []), "meetings": links.get("meetings", []),
            "acceptance_count": len(item.acceptance), "approval_state": data.approval_state(item, project.config),
        })
    return rows


def srs_context(project: Project, lang: str, today: dt.date, group_by: str = "milestone") -> Context:
    if group_by not in GROUPINGS:
        raise UsageError(lazy("--group-by {value}: use one of {values}", value=group_by, values=", ".join(GROUPINGS)))
    all_reqs = data.requirements(project)
    active = [r for r in all_reqs if r.status not in CLOSED_REQUIREMENT_STATUSES]
    changes = [data.change_row(project, c, body=False) for c in data.of_kind(project, Kind.CHANGE)
               if isinstance(c, Change)]
    counts = data.status_counts(r for r in all_reqs if r.priority != "wont")  # won't: not in scope
    found = baselines(project)
    return {
        **base_context(project, "srs", lang, today),
        "group_by": group_by,
        "approvers": {role: list(project.config.roles.get(role, []))
                      for role in project.config.approver_roles(Kind.REQUIREMENT)},
        "requirements": {"total": len(all_reqs), "counts": counts, **data.progress(counts),
                         "wont": sum(1 for r in active if r.priority == "wont")},
        "document": document_version(project, found),
        "groups": _groups(project, active, group_by),
        "withdrawn": [data.requirement_row(project, r) for r in all_reqs
                      if r.status in CLOSED_REQUIREMENT_STATUSES],
        "traceability": _traceability(project, active),
        "change_history": [c for c in changes if c["status"] in ("approved", "baselined")],
        "open_changes": [c for c in changes if c["status"] in ("proposed", "assessed")],
        "baselines": found,
        # files left out because they are invalid: the document says so instead of looking complete
        "unreadable": [f.to_context() for f in invalid_files(project, SRS_KINDS)],
    }
