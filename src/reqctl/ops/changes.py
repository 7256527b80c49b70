"""Change requests on git: propose, assess, approve, reject (merge and list live beside this module).

Every command that writes commits exactly the files it changed, with a
``Change-Request: CR-NNN`` trailer.  Git is only asked for additive things
(a new branch, a switch with a clean tree, a commit, a merge it can abort);
when a step fails, the earlier steps are undone and the repository is as it
was.  Commands that act on a CR kept on its own branch must run there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.changes.approvals import REMOVED, RoleApproval, role_approvals
from reqctl.changes.branches import branch_name, main_line
from reqctl.errors import (
    ConfigError,
    GitError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
)
from reqctl.gitio.objects import kind_of_path
from reqctl.gitio.repo import GitRepo
from reqctl.history.snapshots import open_git
from reqctl.messages import Word, lazy
from reqctl.model.config import CONFIG_FILE, Config
from reqctl.model.fingerprint import POLICY_KEY, fingerprint, policy_fingerprint
from reqctl.model.ids import Kind, normalize_id_argument
from reqctl.model.items import CLOSED_CHANGE_STATUSES, Change, Item, Requirement
from reqctl.model.project import Project, validate_item
from reqctl.ops.allocate import next_id
from reqctl.ops.items import FIELD_ORDER, resolve_person
from reqctl.ops.writeguard import project_write, project_writer, refuse_conflict_markers
from reqctl.store import roundtrip
from reqctl.store.atomic import write_atomic
from reqctl.store.reader import ItemFile, item_path, parse_bytes
from reqctl.store.store import Store

ITEM_FOLDERS = [kind.folder for kind in Kind]
OTHER_FOLDERS = [kind.folder for kind in Kind if kind is not Kind.CHANGE]
TRAILER = "Change-Request"


def commit_message(change_id: str, subject: str, body: str = "") -> str:
    text = f"{change_id}: {subject}"
    if body:
        text += f"\n\n{body}"
    return f"{text}\n\n{TRAILER}: {change_id}\n"


def first_line(items: Sequence[str]) -> str:
    if len(items) > 1:
        return lazy("{first} and {n} more", first=items[0], n=len(items) - 1)
    return items[0]


def require_clean(repo: GitRepo, what: str, paths: list[str] | None = None) -> None:
    """Refuse when uncommitted work could be lost or mixed into reqctl's commit."""
    blocker = repo.state_blocker()
    if blocker:
        raise GitError(lazy("cannot {what}: {blocker}", what=what, blocker=blocker))
    dirty = repo.dirty_paths(paths) if paths else repo.dirty_paths(untracked=False)
    if dirty:
        raise GitError(lazy("cannot {what}: uncommitted changes in {files}; commit or stash them first", what=what,
                            files=first_line(dirty)))


def _project_paths() -> list[str]:
    return [*ITEM_FOLDERS, CONFIG_FILE]


def require_branch(repo: GitRepo, what: str) -> str:
    branch = repo.current_branch()
    if branch is None:
        raise GitError(lazy("cannot {what}: HEAD is detached; switch to a branch first (git switch NAME)", what=what))
    return branch


@dataclass(frozen=True)
class Workspace:
    root: Path
    repo: GitRepo
    project: Project
    change: Change
    rel: str


def open_change(root: Path, raw_id: str, what: str) -> Workspace:
    """The CR in the working tree, checked to be on its own branch (if it has one)."""
    project = Store.open(root).project()
    repo = open_git(project.root)
    change = project.get(raw_id, Kind.CHANGE)
    assert isinstance(change, Change)
    current = require_branch(repo, what)
    if change.branch and change.branch != current:
        raise UsageError(lazy("{id} lives on branch {branch}; switch to it first (git switch {branch})",
                              id=change.id, branch=change.branch))
    refuse_conflict_markers(project.root, [project.file_of(change.id).path])
    return Workspace(project.root, repo, project, change, project.file_of(change.id).path)


def _edit_and_commit(ws: Workspace, updates: dict[str, Any], subject: str, body: str = "") -> str:
    """Change the CR file and commit it; on any failure before the commit the file is put back."""
    path = ws.root / ws.rel
    original = path.read_bytes()
    head = ws.repo.resolve("HEAD")
    try:
        roundtrip.edit_front_matter(path, ws.rel, updates)
        return ws.repo.commit_files([ws.rel], commit_message(ws.change.id, subject, body))
    except BaseException:
        if ws.repo.try_resolve("HEAD") == head:  # once committed, the file must match the commit
            write_atomic(path, original)
        raise


# ----------------------------------------------------------------- propose ----


@dataclass(frozen=True)
class ProposeResult:
    change_id: str
    path: str
    branch: str | None
    commit: str
    previous_branch: str | None


def propose(
    root: Path,
    title: str,
    affects: Sequence[str],
    *,
    requested_by: str | None = None,
    body: str = "",
    no_branch: bool = False,
    today: dt.date | None = None,
) -> ProposeResult:
    """Create ``changes/CR-NNN.md``; on a new branch from the main line unless ``no_branch``."""
    if not title.strip():
        raise UsageError(lazy("the title is empty"))
    if not affects:
        raise UsageError(lazy("name the requirements this change affects with --affects ID"))
    wanted = list(dict.fromkeys(normalize_id_argument(a) for a in affects))
    project = Store.open(root).project()
    root = project.root
    repo = open_git(root)
    if not repo.has_commits():
        raise GitError(lazy("the repository has no commit yet; commit reqctl.yaml and your items first"))
    require_clean(repo, lazy("propose a change"))
    previous = repo.current_branch()
    if no_branch and previous is None:
        raise GitError(lazy("cannot record a change on a detached HEAD; switch to a branch first"))
    config = project.config
    with project_write(root):
        change_id = next_id(root, config, Kind.CHANGE)
        if no_branch:
            _check_affects(project, wanted, lazy("here"))
            rel, commit = _write_change(repo, root, config, change_id, title, wanted, requested_by, body, None, today)
            return ProposeResult(change_id, rel, None, commit, previous)
        base = main_line(repo, config)
        name = branch_name(config, change_id, title)
        if not repo.valid_branch_name(name):
            raise ConfigError(lazy("'{name}' is not a valid branch name; check changes.branch_pattern", name=name),
                              path=CONFIG_FILE)
        if repo.branch_exists(name):
            raise GitError(lazy("a branch named {name} already exists", name=name))
        start = repo.resolve(base)
        previous_sha = repo.resolve("HEAD")
        repo.create_branch(name, start)
        try:
            repo.switch(name)
        except GitError:
            repo.delete_new_branch(name, start)
            raise
        try:
            _check_affects(Store.open(root).project(), wanted, lazy("on {branch}", branch=base))
            rel, commit = _write_change(repo, root, config, change_id, title, wanted, requested_by, body, name, today)
        except BaseException:
            _undo_branch(repo, name, start, previous, previous_sha)
            raise
        return ProposeResult(change_id, rel, name, commit, previous)


def _undo_branch(repo: GitRepo, name: str, start: str, previous: str | None, previous_sha: str) -> None:
    if repo.current_branch() == name:
        if previous is not None:
            repo.switch(previous)
        else:
            repo.run("switch", "--quiet", "--detach", previous_sha)
    if repo.try_resolve(f"refs/heads/{name}") == start:
        repo.delete_new_branch(name, start)


def _check_affects(project: Project, wanted: list[str], where: str) -> None:
    for item_id in wanted:
        item = project.items.get(item_id)
        if item is None:
            raise NotFoundError(lazy("--affects {id}: no such requirement {where}", id=item_id, where=where))
        if not isinstance(item, Requirement):
            raise UsageError(lazy("--affects {id}: it is a {kind}, not a requirement", id=item_id,
                                  kind=Word(item.kind.value)))


def _write_change(
    repo: GitRepo,
    root: Path,
    config: Config,
    change_id: str,
    title: str,
    affects: list[str],
    requested_by: str | None,
    body: str,
    branch: str | None,
    today: dt.date | None,
) -> tuple[str, str]:
    data: dict[str, Any] = {
        "id": change_id,
        "title": title.strip(),
        "status": "proposed",
        "requested_by": requested_by,
        "created": today or dt.date.today(),
        "affects": affects,
        "branch": branch,
    }
    ordered = {key: data[key] for key in FIELD_ORDER[Kind.CHANGE] if data.get(key) not in (None, [])}
    text = roundtrip.render_new(ordered, body)
    path = item_path(root, Kind.CHANGE, change_id)
    rel = path.relative_to(root).as_posix()
    parsed = parse_bytes(Kind.CHANGE, rel, text.encode("utf-8"))
    if parsed.error is not None:
        raise parsed.error
    path.parent.mkdir(exist_ok=True)
    head = repo.resolve("HEAD")
    write_atomic(path, text.encode("utf-8"), exclusive=True)
    try:
        commit = repo.commit_files([rel], commit_message(change_id, f"propose {title.strip()}"))
    except BaseException:
        if repo.try_resolve("HEAD") == head:  # once committed, the file must match the commit
            path.unlink()
        raise
    return rel, commit


# ------------------------------------------------------------------ assess ----


@dataclass(frozen=True)
class UpdateResult:
    change_id: str
    status: str
    commit: str
    detail: str = ""
    roles: tuple[RoleApproval, ...] = ()


@project_writer()
def assess(
    root: Path,
    raw_id: str,
    *,
    schedule_days: float | None = None,
    effort_days: float | None = None,
    cost: float | None = None,
    currency: str | None = None,
    risk: str | None = None,
    summary: str | None = None,
) -> UpdateResult:
    """Record the impact; ``cost`` is written with its currency (``currency``, else the budget's)."""
    ws = open_change(root, raw_id, lazy("assess a change"))
    change = ws.change
    if change.status not in ("proposed", "assessed", "approved"):
        raise UsageError(lazy("{id} is {status}; only an open change request can be assessed", id=change.id,
                              status=Word(change.status)))
    if risk is not None and risk not in ("low", "medium", "high"):
        raise UsageError(lazy("--risk {risk}: use low, medium or high", risk=risk))
    cost_value = _cost(ws.project.config, change, cost, currency)
    if effort_days is not None and effort_days < 0:
        raise UsageError(lazy("--effort-days {days}: person-days cannot be negative",
                              days=_plain_number(effort_days)))
    given = {"schedule_days": schedule_days, "effort_days": effort_days, "cost": cost_value,
             "risk": risk, "summary": summary}
    if all(value is None for value in given.values()):
        raise UsageError(lazy("give the impact: --schedule-days, --effort-days, --cost, --risk and/or --summary"))
    require_clean(ws.repo, lazy("assess a change"), _project_paths())
    impact = change.impact.model_dump(exclude_none=True) if change.impact else {}
    impact.update({key: _plain_number(value) for key, value in given.items() if value is not None})
    commit = _edit_and_commit(ws, {"impact": impact, "status": "assessed"}, "impact assessed")
    note = lazy(" (its approvals are now stale: approve again)") if change.approvals else ""
    return UpdateResult(change.id, "assessed", commit, note)


def _plain_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain_number(v) for key, v in value.items()}
    return value


def _cost(config: Config, change: Change, amount: float | None, currency: str | None) -> Any:
    """``{amount, currency}`` for the file; the currency defaults to the CR's current one, then the budget's."""
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency.strip().upper()):
        raise UsageError(lazy("--currency {currency}: use a three-letter ISO 4217 code such as CNY, EUR or USD",
                              currency=currency))
    if amount is None:
        if currency is not None:
            raise UsageError(lazy("--currency goes with --cost AMOUNT"))
        return None
    chosen = (currency.strip().upper() if currency else None) or (change.impact.currency if change.impact else None)
    chosen = chosen or (config.budget.currency if config.budget else None)
    return {"amount": amount, "currency": chosen} if chosen else amount


# ----------------------------------------------------------------- approve ----


def touched_items(ws: Workspace) -> dict[str, str]:
    """ID -> fingerprint (or ``removed``) of what the CR changes: its branch's edits and affects."""
    project = ws.project
    current: dict[str, str] = {}
    if ws.change.branch:
        base = ws.repo.merge_base("HEAD", main_line(ws.repo, project.config))
        if base is not None:
            for rel in ws.repo.changed_paths(base, None, OTHER_FOLDERS):
                if kind_of_path(rel) is None:
                    continue
                model = project.models.get(rel)
                stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
                if model is not None:
                    current[model.id] = fingerprint(model)
                elif any(f.path == rel for f in project.files):
                    raise UsageError(lazy("{file} is not valid; fix it first (run 'reqctl check')", file=rel))
                else:
                    current[stem] = REMOVED
    for item_id in ws.change.affects:
        item = project.items.get(item_id)
        current[item_id] = fingerprint(item) if item is not None else REMOVED
    if ws.change.branch and _changes_policy(ws):
        current[POLICY_KEY] = policy_fingerprint(project.config)
    return current


def _changes_policy(ws: Workspace) -> bool:
    """Whether the CR's branch changes the approval policy in reqctl.yaml against the main line."""
    base = ws.repo.merge_base("HEAD", main_line(ws.repo, ws.project.config))
    if base is None:
        return False
    store = Store.open(ws.project.root)
    store.use_policy_from(base)
    return bool(store.policy_changed())


def _record(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = record.model_dump(mode="python", exclude_none=True)
    if not data.get("items"):
        data.pop("items", None)
    return data


def _roles_for(config: Config, person: str, role: str | None) -> list[str]:
    required = config.approver_roles(Kind.CHANGE)
    held = [r for r in required if r in config.roles_of(person)]
    if role is not None:
        if role not in required:
            raise UsageError(lazy("--role {role}: change requests need the roles {roles}", role=role,
                                  roles=", ".join(required) or lazy("(none configured)")))
        if role not in held:
            raise PermissionDeniedError(lazy("{person} does not hold the role {role} in reqctl.yaml", person=person,
                                             role=role))
        return [role]
    if not held:
        raise PermissionDeniedError(lazy(
            "{person} may not approve change requests: approvers are the roles {roles} in reqctl.yaml",
            person=person, roles=", ".join(required) or lazy("(none configured)"),
        ))
    return held


@project_writer()
def approve(
    root: Path,
    raw_id: str,
    *,
    by: str | None = None,
    role: str | None = None,
    today: dt.date | None = None,
    provenance: dict[str, str] | None = None,
    expect: Callable[[Workspace], None] | None = None,
) -> UpdateResult:
    """Record the approval; ``expect(ws)`` (the review server's check that the content is still what the
    reviewer saw) runs under the lock before anything is written."""
    ws = open_change(root, raw_id, lazy("approve a change"))
    if expect is not None:
        expect(ws)
    change, config = ws.change, ws.project.config
    if change.status in CLOSED_CHANGE_STATUSES:
        raise UsageError(lazy("{id} is {status}; there is nothing to approve", id=change.id,
                              status=Word(change.status)))
    if change.status == "proposed" or change.impact is None:
        raise UsageError(lazy("{id} has no impact assessment yet; run 'reqctl change assess {id}' first",
                              id=change.id))
    require_clean(ws.repo, lazy("approve a change"), _project_paths())
    person = resolve_person(ws.project, by)
    roles = _roles_for(config, person, role)
    current = touched_items(ws)
    refuse_conflict_markers(ws.root, [ws.project.file_of(i).path for i in current if i in ws.project.files_by_id])
    record = {
        "by": person,
        "at": today or dt.date.today(),
        "decision": "approved",
        "fingerprint": fingerprint(change),
        "items": dict(sorted(current.items())),
        **(provenance or {}),  # how it was given: {'via': 'review link', 'invitation': 'INV-…'}
    }
    kept = [_record(r) for r in change.approvals if r.role not in roles]
    records = kept + [{**record, "role": r} for r in roles]
    records = [
        {key: rec[key] for key in RECORD_KEYS if key in rec}
        for rec in records
    ]
    updated = change.model_copy(update={"approvals": [_as_model(r) for r in records]})
    states = role_approvals(updated, config, current)
    status = "approved" if states and all(s.ok for s in states) else "assessed"
    commit = _edit_and_commit(
        ws, {"approvals": records, "status": status}, f"approved by {person} ({', '.join(roles)})"
    )
    return UpdateResult(change.id, status, commit, ", ".join(roles), tuple(states))


RECORD_KEYS = ("by", "role", "at", "decision", "fingerprint", "items", "via", "invitation")


def _as_model(record: dict[str, Any]) -> Any:
    from reqctl.model.items import ChangeApproval

    return ChangeApproval.model_validate(record)


@project_writer()
def reject(
    root: Path,
    raw_id: str,
    *,
    reason: str,
    by: str | None = None,
    role: str | None = None,
    today: dt.date | None = None,
) -> UpdateResult:
    if not reason.strip():
        raise UsageError(lazy("say why with --reason TEXT"))
    ws = open_change(root, raw_id, lazy("reject a change"))
    change = ws.change
    if change.status in CLOSED_CHANGE_STATUSES:
        raise UsageError(lazy("{id} is already {status}", id=change.id, status=Word(change.status)))
    require_clean(ws.repo, lazy("reject a change"), _project_paths())
    person = resolve_person(ws.project, by)
    roles = _roles_for(ws.project.config, person, role)
    record = {
        "by": person,
        "role": roles[0],
        "at": today or dt.date.today(),
        "decision": "rejected",
        "fingerprint": fingerprint(change),
    }
    records = [_record(r) for r in change.approvals] + [record]
    commit = _edit_and_commit(
        ws,
        {"approvals": records, "status": "rejected", "reason": reason.strip()},
        f"rejected by {person}",
        reason.strip(),
    )
    return UpdateResult(change.id, "rejected", commit, roles[0])


# ------------------------------------------------------------------- merge ----


def model_of(item_file: ItemFile) -> Item | None:
    if item_file.data is None:
        return None
    model, _problems = validate_item(item_file)
    return model
