"""The rules ``reqctl check`` runs.  Each yields findings at its default severity."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator

from reqctl.changes.approvals import (
    covered_in_project,
    holds,
    record_role,
    requirement_role_approvals,
    roles_without_record,
)
from reqctl.messages import Word, lazy, word_list
from reqctl.model.fingerprint import fingerprint, short
from reqctl.model.ids import ID_RE, Kind, split_id
from reqctl.model.items import (
    APPROVED_OR_LATER,
    CLOSED_REQUIREMENT_STATUSES,
    Change,
    Followup,
    Requirement,
    Risk,
    known_fields,
)
from reqctl.model.project import Project
from reqctl.store.conflicts import conflict_marker
from reqctl.store.reader import ItemFile
from reqctl.validation.findings import Finding, Severity
from reqctl.validation.graph import find_cycles
from reqctl.validation.registry import CheckOptions, Rule, rule

ERROR = Severity.ERROR
WARNING = Severity.WARNING

# Which kinds a reference field may point at.
REFERENCE_TARGETS: dict[str, frozenset[Kind] | None] = {
    "depends_on": frozenset({Kind.REQUIREMENT}),
    "affects": frozenset({Kind.REQUIREMENT}),
    "supersedes": frozenset({Kind.DECISION}),
    "relates": None,  # any kind
}


def _finding(code: str, severity: Severity, message: str, item_file: ItemFile, key: str | None = None) -> Finding:
    line = item_file.line_of(key) if key else None
    if line is None and key is not None:
        line = 2 if key == "id" else None
    item_id = item_file.data.get("id") if item_file.data else None
    return Finding(code, severity, message, item_file.path, line, item_id if isinstance(item_id, str) else None)


@rule("R001", "unreadable-file", "The file is UTF-8 text starting with a valid YAML front matter block")
def unreadable_files(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for item_file in project.files:
        if item_file.error is not None:
            yield Finding("R001", ERROR, item_file.error.message, item_file.path, item_file.error.line)


@rule("R002", "invalid-field", "Every field has the right type and an allowed value; required fields are present")
def invalid_fields(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for item_file in project.files:
        for problem in project.problems.get(item_file.path, ()):
            yield Finding(
                "R002", ERROR, lazy("{field}: {message}", field=problem.field, message=problem.message),
                item_file.path, problem.line,
                item_file.stem,
            )


@rule("R003", "unknown-field", "Fields reqctl does not know are probably typos", WARNING)
def unknown_fields(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for item_file in project.files:
        if item_file.data is None:
            continue
        known = known_fields(item_file.kind)
        for key in item_file.data:
            if key not in known and not key.startswith("x-"):  # x-*: custom fields kept on purpose (imports)
                close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.75)
                hint = lazy("; did you mean '{name}'?", name=close[0]) if close else ""
                yield _finding("R003", WARNING, lazy("unknown field '{key}' for a {kind}{hint}", key=key,
                               kind=Word(item_file.kind.value), hint=hint), item_file, key)


@rule("R004", "id-mismatch", "The 'id' field is present and equals the file name")
def id_matches_file_name(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for item_file in project.files:
        if item_file.data is None:
            continue
        item_id = item_file.data.get("id")
        if item_id is None:
            yield _finding("R004", ERROR, lazy("no 'id' field; add 'id: {id}'", id=item_file.stem), item_file)
        elif item_id != item_file.stem:
            yield _finding(
                "R004", ERROR,
                lazy("id '{id}' does not match the file name; rename the file to {id}.md or fix the id", id=item_id),
                item_file, "id",
            )


@rule("R005", "id-prefix", "IDs are PREFIX-NNN with the prefix configured for the item's folder")
def id_prefix(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for item_file in project.files:
        if "/" not in item_file.path:
            continue  # a refused (symlinked) kind folder, already an R001 error
        expected = project.config.prefix(item_file.kind)
        parts = split_id(item_file.stem)
        if parts is None:
            yield Finding(
                "R005", ERROR, lazy("file name '{name}' is not an ID like {prefix}-001", name=item_file.stem,
                                    prefix=expected),
                item_file.path, None,
            )
        elif parts[0] != expected:
            yield Finding(
                "R005", ERROR,
                lazy("a {kind} in {folder}/ must use the prefix {prefix}, not {other}",
                     kind=Word(item_file.kind.value), folder=item_file.kind.folder, prefix=expected, other=parts[0]),
                item_file.path, None, item_file.stem,
            )


@rule("R006", "duplicate-id", "No two files hold the same ID", cross_file=True)
def duplicate_ids(project: Project, options: CheckOptions) -> Iterator[Finding]:
    numbers: dict[tuple[str, int], list[ItemFile]] = {}
    for files in project.files_by_id.values():
        for item_file in files:
            parts = split_id(item_file.data.get("id", "") if item_file.data else "")
            if parts is not None:
                numbers.setdefault(parts, []).append(item_file)
    for same in numbers.values():
        if len(same) < 2:
            continue
        paths = ", ".join(f.path for f in same)
        for item_file in same:
            ident = item_file.data.get("id") if item_file.data else item_file.stem
            yield _finding("R006", ERROR, lazy("duplicate ID {id}: held by {paths}", id=ident, paths=paths),
                           item_file, "id")


def _references(project: Project, item_file: ItemFile) -> Iterator[tuple[str, str]]:
    model = project.models.get(item_file.path)
    if model is None:
        return
    for name in model.reference_fields():
        for target in getattr(model, name):
            yield name, target
    source = getattr(model, "source", None)
    if isinstance(source, str) and ID_RE.match(source.strip()):
        yield "source", source.strip()


@rule(
    "R007", "broken-reference", "Every referenced item and milestone exists and is of the right kind",
    cross_file=True,
)
def broken_references(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for item_file in project.files:
        for name, target in _references(project, item_file):
            if target not in project.files_by_id:
                yield _finding("R007", ERROR, lazy("{field}: {target} does not exist", field=name, target=target),
                               item_file, name)
                continue
            allowed = REFERENCE_TARGETS.get(name)
            target_kind = project.files_by_id[target][0].kind
            if allowed is not None and target_kind not in allowed:
                kinds = " or ".join(sorted(k.value for k in allowed))
                yield _finding(
                    "R007", ERROR,
                    lazy("{field}: {target} is a {kind}, expected a {kinds}", field=name, target=target,
                         kind=Word(target_kind.value), kinds=Word(kinds) if len(allowed) == 1 else kinds),
                    item_file, name,
                )
        model = project.models.get(item_file.path)
        milestone = getattr(model, "milestone", None)
        if milestone and project.config.milestone(milestone) is None:
            known = ", ".join(m.id for m in project.config.milestones) or lazy("none defined")
            yield _finding(
                "R007", ERROR,
                lazy("milestone: {milestone} is not defined in reqctl.yaml (known: {known})", milestone=milestone,
                     known=known),
                item_file, "milestone",
            )


@rule("R008", "dependency-cycle", "Requirements do not depend on each other in a cycle", cross_file=True)
def dependency_cycles(project: Project, options: CheckOptions) -> Iterator[Finding]:
    graph = {
        req.id: [dep for dep in req.depends_on if dep in project.items]
        for req in project.requirements()
    }
    for cycle in find_cycles(graph):
        first = project.file_of(cycle[0])
        text = " → ".join([*cycle, cycle[0]])
        yield _finding("R008", ERROR, lazy("dependency cycle: {cycle}", cycle=text), first, "depends_on")


@rule("R009", "invalid-priority", "Priorities are one of those configured in reqctl.yaml")
def invalid_priority(project: Project, options: CheckOptions) -> Iterator[Finding]:
    allowed = project.config.priorities
    for req in project.requirements():
        if req.priority is not None and req.priority not in allowed:
            yield _finding(
                "R009", ERROR,
                lazy("priority '{priority}' is not one of {allowed}", priority=req.priority,
                     allowed=", ".join(allowed)),
                project.file_of(req.id), "priority",
            )


@rule("R010", "missing-approval", "A requirement at or past 'approved' carries an approval from every required role")
def missing_approval(project: Project, options: CheckOptions) -> Iterator[Finding]:
    config = project.config
    for req in project.requirements():
        if req.status not in APPROVED_OR_LATER:
            continue
        # A record by someone outside the role does not count (R012 names it).
        awaited = roles_without_record(req, config)
        if awaited or (not config.approver_roles(Kind.REQUIREMENT) and not req.approval_records):
            roles = word_list(awaited) if awaited else lazy("an approver")
            yield _finding(
                "R010", ERROR,
                lazy("status is {status} but approval by {roles} is missing; run 'reqctl approve {id}'",
                     status=Word(req.status), roles=roles, id=req.id),
                project.file_of(req.id), "status",
            )


def _approval_key(item_file: ItemFile) -> str:
    """The front matter key holding requirement approvals (for the finding's line)."""
    return "approvals" if item_file.data and "approvals" in item_file.data else "approval"


@rule("R011", "stale-approval", "Each approval's fingerprint matches the item's current normative content")
def stale_approval(project: Project, options: CheckOptions) -> Iterator[Finding]:
    config = project.config
    for req in project.requirements():
        if not req.approval_records or req.status in CLOSED_REQUIREMENT_STATUSES:
            continue
        current = fingerprint(req)
        satisfied = {s.role for s in requirement_role_approvals(req, config, current) if s.ok}
        stale = [
            r for r in req.approval_records if r.fingerprint != current and record_role(config, r) not in satisfied
        ]
        # An approved change request that approved exactly this content covers it until merge.
        if not stale or covered_in_project(project, req.id, current) is not None:
            continue
        item_file = project.file_of(req.id)
        for record in stale:
            role = record_role(config, record)
            yield _finding(
                "R011", ERROR,
                lazy("changed since approved by {by} on {date} ({role}fingerprint {old} ≠ {new}) — approve again",
                     by=record.by, date=record.at.isoformat(), role=lazy("{role}; ", role=Word(role)) if role else "",
                     old=short(record.fingerprint), new=short(current)),
                item_file, _approval_key(item_file),
            )


@rule("R012", "unauthorized-approver", "Each approval comes from a person holding the record's role in reqctl.yaml")
def unauthorized_approver(project: Project, options: CheckOptions) -> Iterator[Finding]:
    config = project.config
    allowed = config.approver_roles(Kind.REQUIREMENT)
    for item in project.items.values():
        if isinstance(item, Requirement):
            item_file = project.file_of(item.id)
            for approval in item.approval_records:
                role = record_role(config, approval)
                if approval.role is None and role is None:
                    message = lazy(
                        "approved by {by}, who holds none of the approver roles ({roles})",
                        by=approval.by, roles=", ".join(allowed) or lazy("none configured"),
                    )
                elif role not in allowed:
                    message = lazy(
                        "approval by {by} as '{role}': requirements are approved by {roles}",
                        by=approval.by, role=role, roles=", ".join(allowed) or lazy("no role (none configured)"),
                    )
                elif not holds(config, approval.by, str(role)):
                    message = lazy("approval by {by} as '{role}': they do not hold that role", by=approval.by,
                                   role=role)
                else:
                    continue
                yield _finding("R012", ERROR, message, item_file, _approval_key(item_file))
        elif isinstance(item, Change):
            for record in item.approvals:
                if not holds(config, record.by, record.role):
                    yield _finding(
                        "R012", ERROR,
                        lazy("approval by {by} as '{role}': they do not hold that role", by=record.by,
                             role=record.role),
                        project.file_of(item.id), "approvals",
                    )


@rule("R013", "no-acceptance", "Approved requirements have at least one acceptance criterion")
def no_acceptance(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for req in project.requirements():
        if req.status in APPROVED_OR_LATER and not req.acceptance:
            yield _finding(
                "R013", ERROR,
                lazy("{status} requirement has no acceptance criteria; add at least one", status=Word(req.status)),
                project.file_of(req.id), "status",
            )


@rule("R014", "change-approvals", "An approved or baselined change request has every required approval")
def change_approvals(project: Project, options: CheckOptions) -> Iterator[Finding]:
    required = project.config.approver_roles(Kind.CHANGE)
    for change in project.of_kind(Kind.CHANGE):
        if not isinstance(change, Change) or change.status not in ("approved", "baselined"):
            continue
        have = {a.role for a in change.approvals if a.decision == "approved"}
        missing = [role for role in required if role not in have]
        if missing:
            yield _finding(
                "R014", ERROR,
                lazy("status is {status} but it lacks approval by: {roles}", status=Word(change.status),
                     roles=word_list(missing)),
                project.file_of(change.id), "status",
            )


@rule("R015", "risk-review-due", "Open risks are reviewed by their review_by date", WARNING)
def risk_review_due(project: Project, options: CheckOptions) -> Iterator[Finding]:
    today = options.today or dt.date.today()
    for risk in project.of_kind(Kind.RISK):
        if not isinstance(risk, Risk) or risk.status not in ("open", "mitigating"):
            continue
        if risk.review_by and risk.review_by < today:
            yield _finding(
                "R015", WARNING,
                lazy("review was due on {date}; review it and move the date", date=risk.review_by.isoformat()),
                project.file_of(risk.id), "review_by",
            )


@rule(
    "R016", "not-approved", "Release gate: every requirement (of the milestone) is approved, rejected or deprecated",
    gate_only=True,
)
def not_approved(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for req in project.requirements():
        if options.milestone is not None and req.milestone != options.milestone:
            continue
        if req.status not in APPROVED_OR_LATER | CLOSED_REQUIREMENT_STATUSES:
            yield _finding(
                "R016", ERROR, lazy("not approved yet (status {status})", status=Word(req.status)),
                project.file_of(req.id), "status",
            )


@rule("R017", "conflict-markers", "No merge conflict markers are left in an item file")
def conflict_markers(project: Project, options: CheckOptions) -> Iterator[Finding]:
    for item_file in project.files:
        found = conflict_marker(item_file.body, body_only=True)
        if found is not None:
            yield _finding(
                "R017", ERROR,
                lazy("merge conflict marker '{marker}' at line {line} of the body; resolve the conflict",
                     marker=found[1][:20], line=found[0]),
                item_file,
            )


@rule("R018", "followup-due", "A follow-up visit's next_visit date does not pass without a later visit", WARNING)
def followup_due(project: Project, options: CheckOptions) -> Iterator[Finding]:
    """Like R015 for risks: the planned next visit (回访) is a promise to the customer."""
    today = options.today or dt.date.today()
    visits = [item for item in project.of_kind(Kind.FOLLOWUP) if isinstance(item, Followup)]
    for visit in visits:
        if visit.next_visit is None or visit.next_visit >= today:
            continue
        contact = (visit.contact or "").strip().lower()
        later = any(
            other.date > visit.date and (not contact or (other.contact or "").strip().lower() == contact)
            for other in visits
        )
        if not later:
            who = lazy(" with {contact}", contact=visit.contact) if visit.contact else ""
            yield _finding(
                "R018", WARNING,
                lazy("next visit{who} was due on {date}; visit and record it, or move the date", who=who,
                     date=visit.next_visit.isoformat()),
                project.file_of(visit.id), "next_visit",
            )


# Every rule, in code order: the registry is this tuple, not an import side effect.
RULES: tuple[Rule, ...] = (
    unreadable_files,
    invalid_fields,
    unknown_fields,
    id_matches_file_name,
    id_prefix,
    duplicate_ids,
    broken_references,
    dependency_cycles,
    invalid_priority,
    missing_approval,
    stale_approval,
    unauthorized_approver,
    no_acceptance,
    change_approvals,
    risk_review_due,
    not_approved,
    conflict_markers,
    followup_due,
)
