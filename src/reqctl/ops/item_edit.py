"""Changing items without an editor: ``meeting action done``, ``risk update``, ``req set``.

Each edit is made on the file's round-trip YAML (comments, key order and
quoting stay as the person wrote them), checked like ``add`` before it is
written, and runs inside the write guard (``item_write``): the lock, no
unfinished git operation, the item read again under the lock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reqctl.errors import UsageError
from reqctl.messages import N_, lazy
from reqctl.model.ids import Kind
from reqctl.model.items import Item, Meeting, Requirement, Risk
from reqctl.model.project import Project
from reqctl.ops.item_rules import makes_suspect, refuse_rule_errors
from reqctl.ops.writeguard import item_write
from reqctl.store import roundtrip
from reqctl.store.atomic import write_atomic
from reqctl.store.store import Store


def _write(project: Project, item: Item, change: Callable[[Any], None], *, body: str | None = None) -> tuple[str, Item]:
    """Apply ``change`` to the item's front matter, validate the result, write it; return text and new model."""
    from reqctl.ops.items import _validate_text

    path = project.path_of(item)
    rel = project.file_of(item.id).path
    text = roundtrip.edited_text(path.read_bytes(), rel, change, body=body)
    model = _validate_text(item.kind, rel, text)
    return text, model


# --- meeting action done -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDone:
    meeting: str
    number: int
    what: str
    already: bool


def _pick_action(item: Meeting, number: int | None, what: str | None) -> int:
    """The 0-based index of the action ``number`` (1-based) or ``what`` (a case-insensitive part of its text)."""
    count = len(item.actions)
    if (number is None) == (what is None):
        raise UsageError(lazy("name the action by its number or by --what TEXT (one of them)"))
    if not count:
        raise UsageError(lazy("{id} has no action items", id=item.id))
    if number is not None:
        if not 1 <= number <= count:
            template = (N_("{id} has {count} action item; there is no number {number}") if count == 1
                        else N_("{id} has {count} action items; there is no number {number}"))
            raise UsageError(lazy(template, id=item.id, count=count, number=number))
        return number - 1
    needle = (what or "").strip().casefold()
    found = [i for i, action in enumerate(item.actions) if needle and needle in action.what.casefold()]
    if len(found) > 1:
        open_ones = [i for i in found if not item.actions[i].done]
        found = open_ones if len(open_ones) == 1 else found
    if not found:
        raise UsageError(lazy("--what '{what}': no action item of {id} contains that text", what=what, id=item.id))
    if len(found) > 1:
        numbers = ", ".join(str(i + 1) for i in found)
        raise UsageError(lazy("--what '{what}' matches action items {numbers} of {id}; give the number",
                              what=what, numbers=numbers, id=item.id))
    return found[0]


def close_action(project: Project, raw_id: str, number: int | None = None, what: str | None = None) -> ActionDone:
    """Mark one action item of a meeting done; the rest of the file stays as written."""
    with item_write(project, raw_id, Kind.MEETING) as fresh:
        item = fresh.get(raw_id, Kind.MEETING)
        assert isinstance(item, Meeting)
        index = _pick_action(item, number, what)
        action = item.actions[index]
        if action.done:
            return ActionDone(item.id, index + 1, action.what, True)

        def change(data: Any) -> None:
            data["actions"][index]["done"] = True

        text, _ = _write(fresh, item, change)
        write_atomic(fresh.path_of(item), text.encode("utf-8"))
    return ActionDone(item.id, index + 1, action.what, False)


# --- risk update -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskUpdate:
    risk: str
    old_score: int
    new_score: int
    old_status: str
    new_status: str
    changed: bool


_LOG_HEADING = {"en": "## Review log", "zh": "## 评审记录"}


def _with_note(body: str, line: str, lang: str) -> str:
    """The body with ``line`` appended to its review log (the heading is added the first time)."""
    heading = _LOG_HEADING.get(lang, _LOG_HEADING["en"])
    text = body.rstrip("\n")
    if heading not in text.splitlines():
        text = f"{text}\n\n{heading}\n" if text else f"{heading}\n"
    return f"{text}\n- {line}\n"


def update_risk(
    project: Project,
    raw_id: str,
    *,
    probability: int | None = None,
    impact: int | None = None,
    status: str | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> RiskUpdate:
    """Re-score (and maybe close) a risk; git keeps the history the weekly report reads ("re-scored")."""
    if probability is None and impact is None and status is None and not note:
        raise UsageError(lazy("nothing to update: give --probability, --impact, --status or --note"))
    for option, value in (("--probability", probability), ("--impact", impact)):
        if value is not None and not 1 <= value <= 5:
            raise UsageError(lazy("{option} {value}: use a whole number from 1 to 5", option=option, value=value))
    if status is not None and status not in Risk.statuses:
        raise UsageError(lazy("--status {status}: a risk status is one of {statuses}", status=status,
                              statuses=", ".join(Risk.statuses)))
    with item_write(project, raw_id, Kind.RISK) as fresh:
        item = fresh.get(raw_id, Kind.RISK)
        assert isinstance(item, Risk)
        updates: dict[str, Any] = {}
        if probability is not None and probability != item.probability:
            updates["probability"] = probability
        if impact is not None and impact != item.impact:
            updates["impact"] = impact
        if status is not None and status != item.status:
            updates["status"] = status
        new_p, new_i = updates.get("probability", item.probability), updates.get("impact", item.impact)
        new_status = updates.get("status", item.status)
        body = None
        if note and note.strip():
            day = (today or dt.date.today()).isoformat()
            rescored = "probability" in updates or "impact" in updates
            scored = f"{item.probability}×{item.impact} → {new_p}×{new_i}" if rescored else f"{new_p}×{new_i}"
            moved = f", {item.status} → {new_status}" if new_status != item.status else ""
            body = _with_note(item.body, f"{day}: {scored}{moved}: {' '.join(note.split())}", fresh.config.language)
        if not updates and body is None:
            return RiskUpdate(item.id, item.score, item.score, item.status, item.status, False)

        def change(data: Any) -> None:
            for key, value in updates.items():
                data[key] = value

        text, _ = _write(fresh, item, change, body=body)
        write_atomic(fresh.path_of(item), text.encode("utf-8"))
    return RiskUpdate(item.id, item.score, new_p * new_i, item.status, new_status, True)


# --- req set ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One ``FIELD=VALUE``, ``FIELD+=VALUE`` or ``FIELD-=VALUE`` of ``req set``."""

    field: str
    op: str  # "=", "+=" or "-="
    value: str


_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+=|-=|=)(.*)", re.DOTALL)
SCALAR_FIELDS = ("title", "priority", "owner", "source", "milestone")
LIST_FIELDS = ("tags", "depends_on", "acceptance")
_REFUSED = {
    "id": lazy("IDs cannot be changed"),
    "status": lazy("use 'reqctl req status ID STATUS' (it checks approvals)"),
    "approvals": lazy("approvals are recorded by 'reqctl approve'"),
    "approval": lazy("approvals are recorded by 'reqctl approve'"),
    "body": lazy("edit the description with 'reqctl req edit'"),
}


def parse_assignment(text: str) -> Assignment:
    """``owner=ann@x``, ``tags+=web``, ``tags-=old``: the field, the operator and the value (stripped)."""
    matched = _ASSIGNMENT.fullmatch(text.strip())
    if matched is None:
        shown = " ".join(text.split())  # one line, whatever was typed
        raise UsageError(lazy("'{given}': expected FIELD=VALUE, FIELD+=VALUE or FIELD-=VALUE", given=shown))
    field, op, value = matched.group(1), matched.group(2), matched.group(3).strip()
    if "\n" in value or "\r" in value:
        raise UsageError(lazy("'{given}…': the value must be a single line", given=f"{field}{op}"))
    if field in _REFUSED:
        raise UsageError(lazy("'{field}': {reason}", field=field, reason=_REFUSED[field]))
    if field not in SCALAR_FIELDS and field not in LIST_FIELDS:
        raise UsageError(lazy("'{field}': not a field 'req set' changes; use one of {fields}", field=field,
                              fields=", ".join((*SCALAR_FIELDS, *LIST_FIELDS))))
    if field in SCALAR_FIELDS and op != "=":
        raise UsageError(lazy("'{given}': {field} is a single value; use {field}=VALUE", given=f"{field}{op}",
                              field=field))
    return Assignment(field, op, value)


def _list_values(field: str, value: str) -> list[str]:
    """The values one assignment names: an acceptance criterion whole, other lists split on commas."""
    if field == "acceptance":
        return [value] if value else []
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class SetResult:
    item_id: str
    changed: tuple[str, ...]  # fields whose value changed
    suspect: tuple[str, ...]  # normative fields changed on an approved requirement


def _resolved(project: Project, field: str, values: list[str]) -> list[str]:
    """Dependencies as canonical IDs of existing items (``req-1`` → ``REQ-001``)."""
    from reqctl.ops.items import resolve_reference

    if field != "depends_on":
        return values
    return [resolve_reference(project, "depends_on:", raw) for raw in values]


def plan_values(project: Project, item: Requirement, assignments: Sequence[Assignment]) -> dict[str, Any]:
    """The new value of every field the assignments touch (None: remove the key), checked like ``add``."""
    config = project.config
    values: dict[str, Any] = {}
    for given in assignments:
        name = given.field
        if name in SCALAR_FIELDS:
            values[name] = given.value or None
            continue
        current = list(values.get(name) or getattr(item, name))
        named = _resolved(project, name, _list_values(name, given.value))
        if given.op == "=":
            current = list(dict.fromkeys(named))
        elif given.op == "+=":
            current += [v for v in named if v not in current]
        else:
            missing = [v for v in named if v not in current]
            if missing:
                template = {
                    "tags": N_("{field}-={value}: {id} has no tag '{missing}'"),
                    "depends_on": N_("{field}-={value}: {id} has no dependency '{missing}'"),
                }.get(name, N_("{field}-={value}: {id} has no such acceptance criterion '{missing}'"))
                raise UsageError(lazy(template, field=name, value=given.value, id=item.id, missing=missing[0]))
            current = [v for v in current if v not in named]
        values[name] = current or None
    milestone = values.get("milestone")
    if milestone and config.milestone(milestone) is None:
        known = ", ".join(m.id for m in config.milestones) or lazy("none defined in reqctl.yaml")
        raise UsageError(lazy("milestone={milestone}: no such milestone (known: {known})", milestone=milestone,
                              known=known))
    priority = values.get("priority")
    if priority and priority not in config.priorities:
        raise UsageError(lazy("priority={priority}: use one of {priorities}", priority=priority,
                              priorities=", ".join(config.priorities)))
    if "title" in values and not values["title"]:
        raise UsageError(lazy("title=: a requirement needs a title"))
    if item.id in (values.get("depends_on") or ()):
        raise UsageError(lazy("depends_on: {id} cannot depend on itself", id=item.id))
    return values


def _apply(data: Any, values: dict[str, Any]) -> None:
    """Write planned values into the round-trip mapping; lists are edited in place to keep style and comments."""
    from ruamel.yaml.comments import CommentedSeq

    for key, value in values.items():
        existing = data.get(key)
        if value is None:
            if key in data:
                del data[key]
        elif isinstance(existing, CommentedSeq) and isinstance(value, list):
            for index in reversed(range(len(existing))):
                if existing[index] not in value:
                    del existing[index]
            for entry in value:
                if entry not in existing:
                    existing.append(roundtrip.to_yaml_value(key, entry))
            if [str(v) for v in existing] != value:  # a new order: write the list anew
                data[key] = roundtrip.to_yaml_value(key, value)
        else:
            data[key] = roundtrip.to_yaml_value(key, value)


def set_fields(project: Project, raw_id: str, assignments: Sequence[Assignment]) -> SetResult:
    """Edit a requirement's fields; refused (nothing written) when ``check`` would find a new error."""
    if not assignments:
        raise UsageError(lazy("nothing to set: give FIELD=VALUE (e.g. owner=ann@example.com)"))
    with item_write(project, raw_id, Kind.REQUIREMENT) as fresh:
        item = fresh.get(raw_id, Kind.REQUIREMENT)
        assert isinstance(item, Requirement)
        values = plan_values(fresh, item, assignments)
        changed = tuple(k for k, v in values.items() if v != (getattr(item, k) or None))
        if not changed:
            return SetResult(item.id, (), ())
        text, model = _write(fresh, item, lambda data: _apply(data, {k: values[k] for k in changed}))
        refuse_rule_errors(Store.open(fresh.root), fresh.file_of(item.id), text)
        suspect = tuple(makes_suspect(item, model, fresh.config))
        write_atomic(fresh.path_of(item), text.encode("utf-8"))
    return SetResult(item.id, changed, suspect)
