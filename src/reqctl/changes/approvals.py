"""Whether a change request's approvals are complete and still match what was approved.

A CR approval records a fingerprint of the CR itself and of every item the
change touches (``items``: ID -> fingerprint, or ``removed``).  It is valid
while both still match: editing the CR or any item it covered after approval
makes it stale.  Pure functions over models; no git, no files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from reqctl.model.config import Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind
from reqctl.model.items import Change, ChangeApproval, Item
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

    @property
    def ok(self) -> bool:
        return self.state == "approved"

    def describe(self) -> str:
        who = f" by {self.by}" if self.by else ""
        if self.state == "approved":
            return f"{self.role}: approved{who}"
        if self.state == "missing":
            return f"{self.role}: approval missing"
        return f"{self.role}: {self.state}{who}" + (f" ({self.reason})" if self.reason else "")


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
    people = [p.lower() for p in config.roles.get(record.role, [])]
    if record.by.lower() not in people:
        return f"{record.by} does not hold the role {record.role}"
    if record.fingerprint != fingerprint(change):
        return f"{change.id} changed after it was approved"
    for item_id, value in sorted(current.items()):
        approved = record.items.get(item_id)
        if approved is None:
            return f"{item_id} changed but was not part of the approved content"
        if approved != value:
            what = "was removed" if value == REMOVED else "changed"
            return f"{item_id} {what} after the approval"
    return ""


def role_approvals(
    change: Change, config: Config, current: Mapping[str, str]
) -> list[RoleApproval]:
    """One entry per role the configuration requires for change requests."""
    states = []
    for role in config.approver_roles(Kind.CHANGE):
        record = latest_record(change, role)
        if record is None:
            states.append(RoleApproval(role, "missing"))
        elif record.decision == "rejected":
            states.append(RoleApproval(role, "rejected", record.by))
        else:
            problem = record_problem(change, record, config, current)
            if problem.startswith(f"{record.by} does not"):
                states.append(RoleApproval(role, "not-allowed", record.by, problem))
            elif problem:
                states.append(RoleApproval(role, "stale", record.by, problem))
            else:
                states.append(RoleApproval(role, "approved", record.by))
    return states


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
