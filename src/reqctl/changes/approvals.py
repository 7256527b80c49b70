"""Whether an item's approvals are complete, per required role, and still match what was approved.

Requirements and change requests share one model: ``approvals.<kind>`` in
``reqctl.yaml`` names the roles that must each approve, and every record says
who, in which role, when and what (a fingerprint).  A role is satisfied by a
record from a person holding that role whose fingerprint matches the current
content.

A CR approval records a fingerprint of the CR itself and of every item the
change touches (``items``: ID -> fingerprint, or ``removed``).  It is valid
while both still match: editing the CR or any item it covered after approval
makes it stale.  Pure functions over models; no git, no files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from reqctl.messages import N_, Word, lazy
from reqctl.model.config import Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind
from reqctl.model.items import Approval, Change, ChangeApproval, Item, Requirement
from reqctl.model.project import Project

REMOVED = "removed"
RoleState = Literal["approved", "missing", "stale", "rejected", "not-allowed"]


@dataclass(frozen=True, slots=True)
class RoleApproval:
    """The state of one required role's approval of a CR."""

    role: str
    state: RoleState
    by: str | None = None
    reason: str = ""
    at: dt.date | None = None

    @property
    def ok(self) -> bool:
        return self.state == "approved"

    def describe(self, name: str | None = None) -> str:
        """``customer: approved by ann@…`` (a lazy message: shown in the run's language); ``name`` shows the person."""
        person = name or self.by
        role = Word(self.role)
        if self.state == "missing" or not person:
            return lazy("{role}: approval missing", role=role)
        reason = lazy(" ({reason})", reason=self.reason) if self.reason else ""
        template = {
            "approved": N_("{role}: approved by {by}"),
            "stale": N_("{role}: stale by {by}{reason}"),
            "rejected": N_("{role}: rejected by {by}{reason}"),
        }.get(self.state, N_("{role}: not-allowed by {by}{reason}"))
        return lazy(template, role=role, by=person, reason=reason)


_Record = TypeVar("_Record")
_PREFERENCE: tuple[RoleState, ...] = ("approved", "stale", "not-allowed", "rejected", "missing")


def holds(config: Config, person: str, role: str) -> bool:
    """Whether ``person`` is listed under ``role`` (e-mails compare case-insensitively, exactly)."""
    return person.strip().lower() in (p.strip().lower() for p in config.roles.get(role, []))


def role_states(
    roles: Sequence[str],
    records: Sequence[_Record],
    role_of: Callable[[_Record], str | None],
    judge: Callable[[str, _Record], RoleApproval],
    *,
    latest_only: bool,
) -> list[RoleApproval]:
    """One state per required role from the records naming it.

    ``latest_only``: the newest record decides (a CR's later rejection
    overrides an earlier approval); otherwise any valid record satisfies the
    role (a requirement keeps one record per person and role).
    """
    states = []
    for role in roles:
        judged = [judge(role, record) for record in records if role_of(record) == role]
        if not judged:
            states.append(RoleApproval(role, "missing"))
        elif latest_only:
            states.append(judged[-1])
        else:  # the best record counts: a valid one, else the newest stale one, else any
            best = min(_PREFERENCE.index(s.state) for s in judged)
            states.append([s for s in judged if _PREFERENCE.index(s.state) == best][-1])
    return states


# ------------------------------------------------------------ requirements ----


def record_role(config: Config, record: Approval) -> str | None:
    """The role a requirement approval counts for.

    A legacy ``approval:`` record names no role: it counts for the first
    role in ``approvals.requirement`` its approver holds (None: no such role).
    """
    if record.role is not None:
        return record.role
    return next((r for r in config.approver_roles(Kind.REQUIREMENT) if holds(config, record.by, r)), None)


def requirement_role_approvals(req: Requirement, config: Config, current: str | None = None) -> list[RoleApproval]:
    """One entry per role ``approvals.requirement`` names, judged against ``current`` (default: now)."""
    content = current or fingerprint(req)

    def judge(role: str, record: Approval) -> RoleApproval:
        if not holds(config, record.by, role):
            return RoleApproval(role, "not-allowed", record.by,
                                lazy("{person} does not hold the role {role}", person=record.by, role=Word(role)),
                                record.at)
        if record.fingerprint != content:
            return RoleApproval(role, "stale", record.by,
                                lazy("content changed since {date}", date=record.at.isoformat()), record.at)
        return RoleApproval(role, "approved", record.by, at=record.at)

    records = req.approval_records
    return role_states(
        config.approver_roles(Kind.REQUIREMENT), records, lambda r: record_role(config, r), judge, latest_only=False
    )


def roles_without_record(req: Requirement, config: Config) -> list[str]:
    """Required roles with no record (current or stale) by a person holding them; needs no fingerprint."""
    have = {
        role
        for record in req.approval_records
        if (role := record_role(config, record)) is not None and holds(config, record.by, role)
    }
    return [role for role in config.approver_roles(Kind.REQUIREMENT) if role not in have]


def awaiting_roles(req: Requirement, config: Config) -> list[str]:
    """Required roles without a valid approval of the current content."""
    return [s.role for s in requirement_role_approvals(req, config) if not s.ok]


def requirement_approved(req: Requirement, config: Config, current: str | None = None) -> bool:
    """Every role ``approvals.requirement`` names approved exactly this content."""
    states = requirement_role_approvals(req, config, current)
    return bool(states) and all(s.ok for s in states)


def approval_status(req: Requirement, config: Config) -> tuple[str, list[str]]:
    """The approval state and the roles still awaited, from one fingerprint of the content.

    State: 'approved' (every role), 'partial' (some), 'suspect' (content
    changed since an approval), or 'none'.
    """
    if not req.approval_records:  # the common case needs no fingerprint
        return "none", list(config.approver_roles(Kind.REQUIREMENT))
    current = fingerprint(req)
    states = requirement_role_approvals(req, config, current)
    awaited = [s.role for s in states if not s.ok]
    if not states:  # no role configured: judge the records alone
        valid = all(r.fingerprint == current for r in req.approval_records)
        return ("approved" if valid else "suspect"), awaited
    if not awaited:
        return "approved", awaited
    if any(s.state == "stale" for s in states):
        return "suspect", awaited
    return ("partial" if any(s.ok for s in states) else "none"), awaited


def requirement_approval_state(req: Requirement, config: Config) -> str:
    """'approved' (every role), 'partial' (some), 'suspect' (content changed since), or 'none'."""
    return approval_status(req, config)[0]


# ---------------------------------------------------------- change requests ----


def item_fingerprints(items: Iterable[Item]) -> dict[str, str]:
    return {item.id: fingerprint(item) for item in items}


def latest_record(change: Change, role: str) -> ChangeApproval | None:
    records = [r for r in change.approvals if r.role == role]
    return records[-1] if records else None


def record_problem(
    change: Change, record: ChangeApproval, config: Config, current: Mapping[str, str]
) -> str:
    """Why an approval record no longer holds ("" when it does).

    ``current`` maps each item ID the change touches now to its fingerprint
    (or ``REMOVED``); every one must have been approved with that content.
    """
    if not holds(config, record.by, record.role):
        return lazy("{person} does not hold the role {role}", person=record.by, role=Word(record.role))
    if record.fingerprint != fingerprint(change):
        return lazy("{id} changed after it was approved", id=change.id)
    for item_id, value in sorted(current.items()):
        approved = record.items.get(item_id)
        if approved is None:
            return lazy("{id} changed but was not part of the approved content", id=item_id)
        if approved != value:
            if value == REMOVED:
                return lazy("{id} was removed after the approval", id=item_id)
            return lazy("{id} changed after the approval", id=item_id)
    return ""


def role_approvals(
    change: Change, config: Config, current: Mapping[str, str]
) -> list[RoleApproval]:
    """One entry per role the configuration requires for change requests (the latest record decides)."""

    def judge(role: str, record: ChangeApproval) -> RoleApproval:
        if record.decision == "rejected":
            return RoleApproval(role, "rejected", record.by, at=record.at)
        problem = record_problem(change, record, config, current)
        if problem.startswith(f"{record.by} does not"):
            return RoleApproval(role, "not-allowed", record.by, problem, record.at)
        if problem:
            return RoleApproval(role, "stale", record.by, problem, record.at)
        return RoleApproval(role, "approved", record.by, at=record.at)

    return role_states(
        config.approver_roles(Kind.CHANGE), change.approvals, lambda r: r.role, judge, latest_only=True
    )


def fully_approved(change: Change, config: Config, current: Mapping[str, str]) -> bool:
    states = role_approvals(change, config, current)
    return bool(states) and all(s.ok for s in states)


def covering_change(
    config: Config, changes: Iterable[Item], item_id: str, current: str
) -> Change | None:
    """An approved CR among ``changes`` that lists ``item_id`` and approved exactly ``current``."""
    for change in changes:
        if not isinstance(change, Change) or change.status != "approved":
            continue
        if item_id not in change.affects:
            continue
        if fully_approved(change, config, {item_id: current}):
            return change
    return None


def covered_in_project(project: Project, item_id: str, current: str) -> Change | None:
    return covering_change(project.config, project.of_kind(Kind.CHANGE), item_id, current)
