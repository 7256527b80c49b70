"""Adding, listing, showing, moving, editing and approving items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reqctl.changes.approvals import (
    approval_status,
    awaiting_roles,
    holds,
    record_role,
    requirement_approval_state,
    requirement_approved,
)
from reqctl.errors import FileFormatError, PermissionDeniedError, ReqctlError, UsageError
from reqctl.gitio.repo import user_email
from reqctl.messages import Word, lazy, os_reason, word_list
from reqctl.model.config import Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind, normalize_id_argument, split_id
from reqctl.model.items import (
    APPROVED_OR_LATER,
    CLOSED_REQUIREMENT_STATUSES,
    MODELS,
    Approval,
    Item,
    Requirement,
    Risk,
    Support,
)
from reqctl.model.project import Project, validate_item
from reqctl.ops.allocate import next_id, project_lock
from reqctl.ops.item_filter import ItemFilter, check_filter, filter_items
from reqctl.ops.writeguard import item_write, under_item_guard
from reqctl.store import roundtrip
from reqctl.store.atomic import write_atomic
from reqctl.store.conflicts import conflict_marker
from reqctl.store.reader import item_path, parse_bytes

# Key order of new files, per kind; fields not given are left out.
FIELD_ORDER: dict[Kind, tuple[str, ...]] = {
    Kind.REQUIREMENT: ("id", "title", "status", "priority", "owner", "source", "milestone", "tags",
                       "depends_on", "acceptance"),
    Kind.CHANGE: ("id", "title", "status", "requested_by", "created", "affects", "impact", "branch"),
    Kind.RISK: ("id", "title", "status", "probability", "impact", "owner", "identified", "review_by",
                "mitigation", "contingency", "relates"),
    Kind.DECISION: ("id", "title", "status", "date", "deciders", "supersedes", "relates"),
    Kind.MEETING: ("id", "title", "date", "kind", "attendees", "relates", "actions"),
    Kind.FEEDBACK: ("id", "title", "date", "from", "score", "relates"),
    Kind.LESSON: ("id", "title", "date", "category", "context", "links", "relates"),
    Kind.TRAINING: ("id", "title", "date", "trainer", "audience", "attendance", "score", "topics", "materials",
                    "relates"),
    Kind.SUPPORT: ("id", "title", "status", "severity", "category", "from", "reported", "responded", "resolved",
                   "relates", "resolution"),
    Kind.FOLLOWUP: ("id", "title", "date", "contact", "channel", "satisfaction", "topics", "next_visit",
                    "opportunities", "relates"),
}
DEFAULT_STATUS: dict[Kind, str] = {
    Kind.REQUIREMENT: "draft", Kind.CHANGE: "proposed", Kind.RISK: "open", Kind.DECISION: "proposed",
    Kind.SUPPORT: "open",
}
DATE_FIELDS = {Kind.MEETING: "date", Kind.FEEDBACK: "date", Kind.LESSON: "date", Kind.DECISION: "date",
               Kind.RISK: "identified", Kind.CHANGE: "created", Kind.TRAINING: "date", Kind.SUPPORT: "reported",
               Kind.FOLLOWUP: "date"}


_REFERENCE_OPTIONS = {"depends_on": "--depends"}


def _resolve_reference(project: Project, name: str, raw: str) -> str:
    """The canonical ID a typed reference names (``req-1`` → ``REQ-001``), or a usage error."""
    return resolve_reference(project, _REFERENCE_OPTIONS.get(name, f"--{name.replace('_', '-')}"), raw)


def resolve_reference(project: Project, label: str, raw: str) -> str:
    """The canonical ID ``raw`` names; errors start with ``label`` (the option or field the user typed)."""
    try:
        target = normalize_id_argument(raw)
    except UsageError as exc:
        raise UsageError(lazy("{label} {problem}", label=label, problem=exc.message)) from None
    found = find_item_id(project.root, project.config, target)
    if found is None:
        raise UsageError(lazy("{label} {id}: no such item", label=label, id=raw))
    return found


def find_item_id(root: Path, config: Config, item_id: str) -> str | None:
    """The ID of the item file with this prefix and number (``REQ-1`` finds ``REQ-001``).

    Looks at file names only, so adding an item does not read the whole project.
    """
    parts = split_id(item_id)
    kind = config.kind_for_prefix(parts[0]) if parts else None
    if parts is None or kind is None:
        return None
    folder = root / kind.folder
    if (folder / f"{item_id}.md").is_file():
        return item_id
    if not folder.is_dir():
        return None
    return next((path.stem for path in folder.glob(f"{parts[0]}-*.md") if split_id(path.stem) == parts), None)


def _check_references(project: Project, kind: Kind, fields: dict[str, Any]) -> None:
    for name in MODELS[kind].reference_fields():
        if fields.get(name):
            fields[name] = [_resolve_reference(project, name, raw) for raw in fields[name]]
    milestone = fields.get("milestone")
    if milestone and project.config.milestone(milestone) is None:
        if not project.config.milestones:
            raise UsageError(lazy("--milestone {milestone}: no such milestone (none defined in reqctl.yaml)",
                                  milestone=milestone))
        raise UsageError(lazy("--milestone {milestone}: no such milestone (known: {known})", milestone=milestone,
                              known=", ".join(m.id for m in project.config.milestones)))
    priority = fields.get("priority")
    if priority and priority not in project.config.priorities:
        raise UsageError(lazy("--priority {priority}: use one of {values}", priority=priority,
                              values=", ".join(project.config.priorities)))


def add_item(
    project: Project, kind: Kind, fields: Mapping[str, Any], body: str = "", *, today: dt.date | None = None
) -> tuple[str, Path]:
    """Create a new item file with the next free ID; return the ID and path.

    Only ``project.root`` and ``project.config`` are used: references are
    checked by file name, so ``project`` may be one loaded without its items.
    """
    data: dict[str, Any] = {key: value for key, value in fields.items() if value not in (None, [], ())}
    if isinstance(data.get("title"), str):
        data["title"] = data["title"].strip()
    if kind in DEFAULT_STATUS:
        data.setdefault("status", DEFAULT_STATUS[kind])
    if kind in DATE_FIELDS:
        data.setdefault(DATE_FIELDS[kind], today or dt.date.today())
    _check_references(project, kind, data)
    order = FIELD_ORDER[kind]
    folder = project.root / kind.folder
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise ReqctlError(lazy("cannot create folder: {reason}", reason=os_reason(exc)), path=kind.folder) from None
    with project_lock(project.root):
        item_id = next_id(project.root, project.config, kind)
        ordered = {"id": item_id}
        ordered.update({key: data[key] for key in order if key in data and key != "id"})
        ordered.update({key: value for key, value in data.items() if key not in ordered})
        text = roundtrip.render_new(ordered, body)
        path = item_path(project.root, kind, item_id)
        rel = path.relative_to(project.root).as_posix()
        _validate_text(kind, rel, text, cite_file=False)
        write_atomic(path, text.encode("utf-8"), exclusive=True)
    return item_id, path


def _validate_text(kind: Kind, rel: str, text: str, *, cite_file: bool = True) -> Item:
    """The item ``text`` would be; errors cite ``rel`` only when that file exists (edits)."""
    item_file = parse_bytes(kind, rel, text.encode("utf-8"))
    if item_file.error is not None:
        raise item_file.error
    model, problems = validate_item(item_file)
    if problems or model is None:
        problem = problems[0]
        if cite_file:
            raise UsageError(lazy("{field}: {problem}", field=problem.field, problem=problem.message), path=rel,
                             line=problem.line)
        raise UsageError(lazy("{field}: {problem}", field=problem.field, problem=problem.message))
    return model


def list_items(
    project: Project, kind: Kind, status: Sequence[str] = (), wanted: ItemFilter | None = None
) -> list[Item]:
    """The items of ``kind`` that pass ``status`` and the ``list`` filters, in ID order."""
    wanted = wanted or ItemFilter()
    if status:
        wanted = replace(wanted, status=(*wanted.status, *status))
    check_filter(kind, wanted, project.config)
    return sorted(filter_items(project.of_kind(kind), wanted), key=_id_sort_key)


def _id_sort_key(item: Item) -> tuple[str, int, str]:
    prefix, _, number = item.id.partition("-")
    return (prefix, int(number) if number.isdigit() else 0, item.id)


def approval_state(item: Item, config: Config) -> str:
    """'approved' (every required role, current content), 'partial', 'suspect' (changed since), or 'none'."""
    if not isinstance(item, Requirement):
        return "none"
    return requirement_approval_state(item, config)


def approval_summary(item: Item, config: Config) -> str:
    """The ``req list`` approval column: the state, and which roles are awaited when some approved."""
    if not isinstance(item, Requirement):
        return Word("none")
    state, awaited = approval_status(item, config)
    if state in ("approved", "none") or not awaited:
        return Word(state)
    return lazy("{state} (awaiting {roles})", state=Word(state), roles=", ".join(awaited))


def item_json(project: Project, item: Item) -> dict[str, Any]:
    data = item.model_dump(mode="json", by_alias=True, exclude_none=True)
    if "kind" in data:  # a meeting's own 'kind' field (kickoff, review…) must not hide the item kind
        data["meeting_kind"] = data.pop("kind")
    data = {"kind": item.kind.value, **data}
    data["path"] = project.file_of(item.id).path
    if isinstance(item, Risk):
        data["score"] = item.score
    if isinstance(item, Requirement):
        data["fingerprint"] = fingerprint(item)
        data["approval_state"], data["awaiting_roles"] = approval_status(item, project.config)
    return data


def set_status(project: Project, kind: Kind, raw_id: str, status: str) -> tuple[Item, str]:
    with item_write(project, raw_id, kind) as fresh:
        item = fresh.get(raw_id, kind)
        allowed = MODELS[kind].statuses
        if not allowed:
            raise UsageError(lazy("a {kind} has no status", kind=Word(kind.value)))
        if status not in allowed:
            raise UsageError(lazy("'{status}' is not a {kind} status; use one of {values}", status=status,
                                  kind=Word(kind.value), values=", ".join(allowed)))
        old = str(getattr(item, "status", ""))
        approved = isinstance(item, Requirement) and approval_state(item, fresh.config) == "approved"
        if isinstance(item, Requirement) and status in APPROVED_OR_LATER and not approved:
            waiting = awaiting_roles(item, fresh.config)
            awaited = word_list(waiting)
            if not waiting:
                raise UsageError(lazy("{id} is not approved yet; run 'reqctl approve {id}' first", id=item.id))
            raise UsageError(lazy("{id} is not approved by {roles} yet; run 'reqctl approve {id}' first",
                                  id=item.id, roles=awaited))
        if old != status:
            updates: dict[str, Any] = {"status": status, **_support_dates(item, status, dt.date.today())}
            roundtrip.edit_front_matter(fresh.path_of(item), fresh.file_of(item.id).path, updates)
    return item, old


def _support_dates(item: Item, status: str, today: dt.date) -> dict[str, Any]:
    """A ticket records when it was first answered and when it was resolved, so the report can time it."""
    if not isinstance(item, Support):
        return {}
    dates: dict[str, Any] = {}
    if status != "open" and item.responded is None:
        dates["responded"] = today
    if status in ("resolved", "closed") and item.resolved is None:
        dates["resolved"] = today
    return dates


@dataclass(frozen=True)
class ApprovalResult:
    item_id: str
    by: str
    fingerprint: str
    old_status: str
    new_status: str
    unchanged: bool
    role: str = ""
    awaiting: tuple[str, ...] = ()  # required roles still without a valid approval


def resolve_person(project: Project, by: str | None) -> str:
    person = by or user_email(project.root)
    if not person:
        raise UsageError(lazy("who is approving? pass --by EMAIL or set git's user.email"))
    return person.strip()


def approve_requirement(
    project: Project,
    raw_id: str,
    by: str | None,
    *,
    role: str | None = None,
    today: dt.date | None = None,
    change: str | None = None,
    provenance: Mapping[str, str] | None = None,
) -> ApprovalResult:
    """Add (or renew) one person's approval of a requirement in one role.

    Other people's and other roles' records are kept; the status moves to
    ``approved`` only once every role ``approvals.requirement`` names approved
    the current content.
    """
    item = project.get(raw_id)
    if not isinstance(item, Requirement):
        hint = lazy("; use 'reqctl change approve {id}'", id=item.id) if item.kind is Kind.CHANGE else ""
        raise UsageError(lazy("{id} is a {kind}: only requirements are approved this way{hint}", id=item.id,
                              kind=Word(item.kind.value), hint=hint))
    person = resolve_person(project, by)
    config = project.config
    roles = config.approver_roles(Kind.REQUIREMENT)
    held = [r for r in roles if holds(config, person, r)]
    if not held:
        raise PermissionDeniedError(lazy(
            "{person} may not approve requirements: approvers are the roles {roles} in reqctl.yaml",
            person=person, roles=", ".join(roles) or lazy("(none configured)"),
        ))
    if role is not None and role not in roles:
        raise UsageError(lazy("--role {role}: requirements are approved by the roles {roles}", role=role,
                              roles=", ".join(roles)))
    if role is not None and role not in held:
        raise PermissionDeniedError(lazy("{person} does not hold the role {role} in reqctl.yaml", person=person,
                                         role=role))
    require_approvable(item)
    chosen = role or _role_for(item, config, person, held)
    return record_approvals(project, item, {chosen: person}, today=today, change=change, provenance=provenance)


def require_approvable(item: Requirement) -> None:
    if item.status in CLOSED_REQUIREMENT_STATUSES:
        raise UsageError(lazy("{id} is {status}; move it back to proposed before approving it", id=item.id,
                              status=Word(item.status)))
    if not item.acceptance:
        raise UsageError(lazy("{id} has no acceptance criteria; add at least one before approving it", id=item.id))


def _role_for(item: Requirement, config: Config, person: str, held: list[str]) -> str:
    """The one required role ``person`` holds that still awaits approval; ambiguity is an error."""
    if len(held) == 1:
        return held[0]
    awaited = [r for r in held if r in awaiting_roles(item, config)]
    if len(awaited) == 1:
        return awaited[0]
    current = fingerprint(item)
    mine = [r for r in held if _has_record(config, item, person, r, current)]
    if not awaited and len(mine) == len(held):
        return held[0]  # already approved in every role they hold: a no-op
    raise UsageError(lazy("{person} holds the roles {roles}; pass --role ROLE to say which this approval is for",
                          person=person, roles=word_list(awaited or held)))


def _has_record(config: Config, item: Requirement, person: str, role: str, current: str | None = None) -> bool:
    return any(
        r.by.strip().lower() == person.lower()
        and record_role(config, r) == role
        and (current is None or r.fingerprint == current)
        for r in item.approval_records
    )


def _record_dict(config: Config, record: Approval) -> dict[str, Any]:
    data: dict[str, Any] = {"by": record.by}
    role = record_role(config, record)
    if role is not None:
        data["role"] = role
    data.update({"at": record.at, "fingerprint": record.fingerprint})
    if record.change:
        data["change"] = record.change
    if record.via:
        data["via"] = record.via
    if record.invitation:
        data["invitation"] = record.invitation
    return data


def record_approvals(
    project: Project,
    item: Requirement,
    approvers: Mapping[str, str],
    *,
    today: dt.date | None = None,
    change: str | None = None,
    provenance: Mapping[str, str] | None = None,
) -> ApprovalResult:
    """Write one record per ``role -> person`` for the current content, replacing only that person's record
    in that role; a legacy ``approval:`` block becomes the ``approvals:`` list in its place."""
    config = project.config
    current = fingerprint(item)
    people = ", ".join(dict.fromkeys(approvers.values()))
    role_names = ", ".join(approvers)
    if all(_has_record(config, item, person, role, current) for role, person in approvers.items()):
        awaited = tuple(awaiting_roles(item, config))
        return ApprovalResult(item.id, people, current, item.status, item.status, True, role_names, awaited)
    records = [_record_dict(config, r) for r in item.approval_records]
    for role, person in approvers.items():
        records = [
            r for r in records if not (str(r["by"]).strip().lower() == person.lower() and r.get("role") == role)
        ]
        record: dict[str, Any] = {"by": person, "role": role, "at": today or dt.date.today(), "fingerprint": current}
        if change:
            record["change"] = change
        record.update(provenance or {})  # how it was given: {'via': 'review link', 'invitation': 'INV-…'}
        records.append(record)
    after = item.model_copy(update={"approval": None, "approvals": [Approval.model_validate(r) for r in records]})
    complete = requirement_approved(after, config)
    new_status = "approved" if complete and item.status in ("draft", "proposed") else item.status
    updates: dict[str, Any] = {"approvals": records}
    if new_status != item.status:
        updates["status"] = new_status
    # A legacy single 'approval:' block becomes the list, in its place.
    rename = {"approval": "approvals"} if item.approval is not None else None
    roundtrip.edit_front_matter(project.path_of(item), project.file_of(item.id).path, updates, rename=rename)
    awaited = tuple(awaiting_roles(after, config))
    return ApprovalResult(item.id, people, current, item.status, new_status, False, role_names, awaited)


# ``reqctl approve``: ``approve_requirement`` under the write guard (lock, no unfinished merge,
# no conflict markers, the item read again under the lock).  ``change merge`` calls
# ``approve_requirement`` itself because it already holds the guard for its own merge.
approve_requirement_guarded = under_item_guard(approve_requirement)


def validate_edited(project: Project, kind: Kind, item_id: str, text: str) -> Item:
    """Check an edited file before it replaces the original (used by ``req edit``)."""
    rel = project.file_of(item_id).path
    model = _validate_text(kind, rel, text)
    if model.id != item_id:
        raise UsageError(lazy("the id changed from {old} to {new}; IDs cannot be edited", old=item_id, new=model.id),
                         path=rel)
    return model


def replace_file(project: Project, item_id: str, text: str, *, original: str | None = None) -> None:
    """Save an edited file, under the project lock; refused when ``original`` is no longer what is on disk.

    ``req edit`` passes the text it opened in the editor, so a write made by
    another command meanwhile (an approval) is never overwritten unseen.
    """
    rel = project.file_of(item_id).path
    path = project.root / rel
    found = conflict_marker(text)
    if found is not None:
        raise UsageError(lazy("line {line}: the edit still holds a merge conflict marker", line=found[0]), path=rel)
    with project_lock(project.root):
        if not path.exists():
            raise FileFormatError(lazy("the file disappeared while it was being edited"), path=path)
        if original is not None and path.read_bytes() != original.encode("utf-8"):
            raise UsageError(lazy("the file changed while it was being edited (another command wrote it)"), path=rel)
        write_atomic(path, text.encode("utf-8"))
