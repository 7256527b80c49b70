"""Change requests on git: propose, assess, approve, reject, merge, list, diff.

Every command that writes commits exactly the files it changed, with a
``Change-Request: CR-NNN`` trailer.  Git is only asked for additive things
(a new branch, a switch with a clean tree, a commit, a merge it can abort);
when a step fails, the earlier steps are undone and the repository is as it
was.  Commands that act on a CR kept on its own branch must run there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reqctl.changes.approvals import REMOVED, RoleApproval, role_approvals
from reqctl.changes.branches import ChangeOnRef, branch_name, changes_on_refs, main_line
from reqctl.errors import (
    ConfigError,
    GitError,
    NotFoundError,
    PermissionDeniedError,
    ReqctlError,
    UsageError,
)
from reqctl.gitio.objects import kind_of_path
from reqctl.gitio.repo import GitRepo
from reqctl.history.diff import ProjectDiff
from reqctl.history.snapshots import HistoryReader, open_git
from reqctl.model.config import CONFIG_FILE, Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind, normalize_id_argument
from reqctl.model.items import Change, Item, Requirement
from reqctl.model.project import Project, find_root, load_project, validate_item
from reqctl.ops.allocate import next_id, project_lock
from reqctl.ops.history import diff_revisions
from reqctl.ops.items import FIELD_ORDER, approve_requirement, resolve_person
from reqctl.store import roundtrip
from reqctl.store.atomic import write_atomic
from reqctl.store.reader import ItemFile, item_path, parse_bytes
from reqctl.validation.gate import touched_approved

ITEM_FOLDERS = [kind.folder for kind in Kind]
OTHER_FOLDERS = [kind.folder for kind in Kind if kind is not Kind.CHANGE]
TRAILER = "Change-Request"


def _message(change_id: str, subject: str, body: str = "") -> str:
    text = f"{change_id}: {subject}"
    if body:
        text += f"\n\n{body}"
    return f"{text}\n\n{TRAILER}: {change_id}\n"


def _first_line(items: Sequence[str]) -> str:
    more = f" and {len(items) - 1} more" if len(items) > 1 else ""
    return f"{items[0]}{more}"


def require_clean(repo: GitRepo, what: str, paths: list[str] | None = None) -> None:
    """Refuse when uncommitted work could be lost or mixed into reqctl's commit."""
    blocker = repo.state_blocker()
    if blocker:
        raise GitError(f"cannot {what}: {blocker}")
    dirty = repo.dirty_paths(paths) if paths else repo.dirty_paths(untracked=False)
    if dirty:
        raise GitError(f"cannot {what}: uncommitted changes in {_first_line(dirty)}; commit or stash them first")


def _project_paths() -> list[str]:
    return [*ITEM_FOLDERS, CONFIG_FILE]


def require_branch(repo: GitRepo, what: str) -> str:
    branch = repo.current_branch()
    if branch is None:
        raise GitError(f"cannot {what}: HEAD is detached; switch to a branch first (git switch NAME)")
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
    project = load_project(root)
    repo = open_git(project.root)
    change = project.get(raw_id, Kind.CHANGE)
    assert isinstance(change, Change)
    current = require_branch(repo, what)
    if change.branch and change.branch != current:
        raise UsageError(
            f"{change.id} lives on branch {change.branch}; switch to it first (git switch {change.branch})"
        )
    return Workspace(project.root, repo, project, change, project.file_of(change.id).path)


def _edit_and_commit(ws: Workspace, updates: dict[str, Any], subject: str, body: str = "") -> str:
    """Change the CR file and commit it; on any failure the file is put back."""
    path = ws.root / ws.rel
    original = path.read_bytes()
    try:
        roundtrip.edit_front_matter(path, ws.rel, updates)
        return ws.repo.commit_files([ws.rel], _message(ws.change.id, subject, body))
    except BaseException:
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
        raise UsageError("the title is empty")
    if not affects:
        raise UsageError("name the requirements this change affects with --affects ID")
    wanted = list(dict.fromkeys(normalize_id_argument(a) for a in affects))
    project = load_project(root)
    root = project.root
    repo = open_git(root)
    if not repo.has_commits():
        raise GitError("the repository has no commit yet; commit reqctl.yaml and your items first")
    require_clean(repo, "propose a change")
    previous = repo.current_branch()
    if no_branch and previous is None:
        raise GitError("cannot record a change on a detached HEAD; switch to a branch first")
    config = project.config
    with project_lock(root):
        change_id = next_id(root, config, Kind.CHANGE)
        if no_branch:
            _check_affects(project, wanted, "here")
            rel, commit = _write_change(repo, root, config, change_id, title, wanted, requested_by, body, None, today)
            return ProposeResult(change_id, rel, None, commit, previous)
        base = main_line(repo, config)
        name = branch_name(config, change_id, title)
        if not repo.valid_branch_name(name):
            raise ConfigError(f"'{name}' is not a valid branch name; check changes.branch_pattern", path=CONFIG_FILE)
        if repo.branch_exists(name):
            raise GitError(f"a branch named {name} already exists")
        start = repo.resolve(base)
        previous_sha = repo.resolve("HEAD")
        repo.create_branch(name, start)
        try:
            repo.switch(name)
        except GitError:
            repo.delete_new_branch(name, start)
            raise
        try:
            _check_affects(load_project(root), wanted, f"on {base}")
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
            raise NotFoundError(f"--affects {item_id}: no such requirement {where}")
        if not isinstance(item, Requirement):
            raise UsageError(f"--affects {item_id}: it is a {item.kind.value}, not a requirement")


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
    write_atomic(path, text.encode("utf-8"), exclusive=True)
    try:
        commit = repo.commit_files([rel], _message(change_id, f"propose {title.strip()}"))
    except BaseException:
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


def assess(
    root: Path,
    raw_id: str,
    *,
    schedule_days: float | None = None,
    cost: float | None = None,
    risk: str | None = None,
    summary: str | None = None,
) -> UpdateResult:
    ws = open_change(root, raw_id, "assess a change")
    change = ws.change
    if change.status not in ("proposed", "assessed", "approved"):
        raise UsageError(f"{change.id} is {change.status}; only an open change request can be assessed")
    if risk is not None and risk not in ("low", "medium", "high"):
        raise UsageError(f"--risk {risk}: use low, medium or high")
    given = {"schedule_days": schedule_days, "cost": cost, "risk": risk, "summary": summary}
    if all(value is None for value in given.values()):
        raise UsageError("give the impact: --schedule-days, --cost, --risk and/or --summary")
    require_clean(ws.repo, "assess a change", _project_paths())
    impact = change.impact.model_dump(exclude_none=True) if change.impact else {}
    impact.update({key: _plain_number(value) for key, value in given.items() if value is not None})
    commit = _edit_and_commit(ws, {"impact": impact, "status": "assessed"}, "impact assessed")
    note = " (its approvals are now stale: approve again)" if change.approvals else ""
    return UpdateResult(change.id, "assessed", commit, note)


def _plain_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


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
                    raise UsageError(f"{rel} is not valid; fix it first (run 'reqctl check')")
                else:
                    current[stem] = REMOVED
    for item_id in ws.change.affects:
        item = project.items.get(item_id)
        current[item_id] = fingerprint(item) if item is not None else REMOVED
    return current


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
            raise UsageError(f"--role {role}: change requests need the roles {', '.join(required) or '(none)'}")
        if role not in held:
            raise PermissionDeniedError(f"{person} does not hold the role {role} in reqctl.yaml")
        return [role]
    if not held:
        raise PermissionDeniedError(
            f"{person} may not approve change requests: approvers are the roles "
            f"{', '.join(required) or '(none configured)'} in reqctl.yaml"
        )
    return held


def approve(
    root: Path, raw_id: str, *, by: str | None = None, role: str | None = None, today: dt.date | None = None
) -> UpdateResult:
    ws = open_change(root, raw_id, "approve a change")
    change, config = ws.change, ws.project.config
    if change.status in ("rejected", "withdrawn", "implemented"):
        raise UsageError(f"{change.id} is {change.status}; there is nothing to approve")
    if change.status == "proposed" or change.impact is None:
        raise UsageError(f"{change.id} has no impact assessment yet; run 'reqctl change assess {change.id}' first")
    require_clean(ws.repo, "approve a change", _project_paths())
    person = resolve_person(ws.project, by)
    roles = _roles_for(config, person, role)
    current = touched_items(ws)
    record = {
        "by": person,
        "at": today or dt.date.today(),
        "decision": "approved",
        "fingerprint": fingerprint(change),
        "items": dict(sorted(current.items())),
    }
    kept = [_record(r) for r in change.approvals if r.role not in roles]
    records = kept + [{**record, "role": r} for r in roles]
    records = [
        {key: rec[key] for key in ("by", "role", "at", "decision", "fingerprint", "items") if key in rec}
        for rec in records
    ]
    updated = change.model_copy(update={"approvals": [_as_model(r) for r in records]})
    states = role_approvals(updated, config, current)
    status = "approved" if states and all(s.ok for s in states) else "assessed"
    commit = _edit_and_commit(
        ws, {"approvals": records, "status": status}, f"approved by {person} ({', '.join(roles)})"
    )
    return UpdateResult(change.id, status, commit, ", ".join(roles), tuple(states))


def _as_model(record: dict[str, Any]) -> Any:
    from reqctl.model.items import ChangeApproval

    return ChangeApproval.model_validate(record)


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
        raise UsageError("say why with --reason TEXT")
    ws = open_change(root, raw_id, "reject a change")
    change = ws.change
    if change.status in ("rejected", "withdrawn", "implemented"):
        raise UsageError(f"{change.id} is already {change.status}")
    require_clean(ws.repo, "reject a change", _project_paths())
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


@dataclass
class MergeResult:
    change_id: str
    branch: str | None
    into: str
    commit: str
    reapproved: list[str] = field(default_factory=list)


def _merge_refusals(config: Config, change: Change, current: dict[str, str], gate: list[str]) -> list[str]:
    problems = []
    if change.status != "approved":
        problems.append(f"{change.id} is {change.status}, not approved")
    problems += [s.describe() for s in role_approvals(change, config, current) if not s.ok]
    return problems + gate


def _tip_state(reader: HistoryReader, base: str, tip: str) -> tuple[dict[str, str], list[str], dict[str, Item]]:
    """What the branch changes (ID -> fingerprint), gate problems, and models at the tip."""
    repo = reader.repo
    paths = [p for p in repo.changed_paths(base, tip, OTHER_FOLDERS) if kind_of_path(p)]
    old_files = reader.files_by_path(base, paths)
    new_files = reader.files_by_path(tip, paths)
    models: dict[str, Item | None] = {}
    for path, item_file in new_files.items():
        model = model_of(item_file)
        if model is None:
            raise UsageError(f"{path} is not valid on the branch; fix it first (run 'reqctl check')")
        models[path] = model
    current = {}
    for path in paths:
        model = models.get(path)
        stem = path.rsplit("/", 1)[-1].removesuffix(".md")
        current[model.id if model else stem] = fingerprint(model) if model else REMOVED
    touched = touched_approved(old_files, models)
    return current, [t.item_id for t in touched], {m.id: m for m in models.values() if m is not None}


def model_of(item_file: ItemFile) -> Item | None:
    if item_file.data is None:
        return None
    model, _problems = validate_item(item_file)
    return model


def _requirement_approver(config: Config, change: Change) -> str:
    roles = config.approver_roles(Kind.REQUIREMENT)
    for record in reversed(change.approvals):
        if record.decision == "approved" and record.role in roles:
            return record.by
    raise UsageError(
        f"requirements need approval by {', '.join(roles) or 'an approver'}, and no one holding "
        f"that role approved {change.id}"
    )


def merge(root: Path, raw_id: str, *, today: dt.date | None = None) -> MergeResult:
    """Merge an approved CR's branch into the main line and re-approve what it changed."""
    project = load_project(root)
    root = project.root
    repo = open_git(root)
    config = project.config
    change_id = normalize_id_argument(raw_id)
    reader = HistoryReader(root, repo)
    if repo.merge_head() is not None:
        return _finish_merge(reader, project, change_id, today)
    require_clean(repo, "merge a change")
    current_branch = require_branch(repo, "merge a change")
    main = main_line(repo, config)
    found = locate(reader, change_id)
    change = found.change
    if change.branch is None:
        return _merge_in_place(reader, project, change, current_branch, today)
    if "/" in main and not repo.branch_exists(main):
        raise GitError(f"the main line is only the remote branch {main}; create a local branch for it first")
    tip_ref = change.branch if repo.branch_exists(change.branch) else found.ref
    tip = repo.resolve(tip_ref)
    base = repo.merge_base(main, tip)
    if base is None:
        raise GitError(f"{change.branch} shares no history with {main}")
    if repo.is_ancestor(tip, repo.resolve(main)):
        raise UsageError(f"{change.branch} is already merged into {main}")
    branch_change = _change_at(reader, tip, change_id)
    current, touched, _models = _tip_state(reader, base, tip)
    gate = [
        f"{item} is approved and changed but {change_id} does not list it in affects"
        for item in touched
        if item not in branch_change.affects
    ]
    problems = _merge_refusals(config, branch_change, current, gate)
    if problems:
        raise UsageError(f"cannot merge {change_id}: {'; '.join(problems)}")
    _requirement_approver(config, branch_change)
    if current_branch != main:
        repo.switch(main)
    try:
        conflicts = repo.merge_no_commit(tip_ref)
    except BaseException:
        _back(repo, current_branch, main)
        raise
    if conflicts:
        raise GitError(
            f"merge conflict in {_first_line(conflicts)}: resolve, 'git add' the files, then run "
            f"'reqctl change merge {change_id}' again to finish (or 'git merge --abort')"
        )
    try:
        return _complete(reader, change_id, tip_ref, main, today)
    except BaseException:
        repo.merge_abort()
        _back(repo, current_branch, main)
        raise


def _back(repo: GitRepo, previous: str, main: str) -> None:
    if previous != main and repo.current_branch() == main:
        repo.switch(previous)


def _change_at(reader: HistoryReader, rev: str, change_id: str) -> Change:
    files = reader.files_by_path(rev, [f"{Kind.CHANGE.folder}/{change_id}.md"])
    for item_file in files.values():
        model = model_of(item_file)
        if isinstance(model, Change):
            return model
    raise NotFoundError(f"{change_id} is not a valid change request at {rev[:10]}")


def _complete(
    reader: HistoryReader, change_id: str, branch: str | None, into: str, today: dt.date | None
) -> MergeResult:
    """The merge is applied in the working tree: check it, re-approve, mark implemented, commit."""
    repo = reader.repo
    project = load_project(reader.root)
    change = project.get(change_id, Kind.CHANGE)
    assert isinstance(change, Change)
    config = project.config
    recorded = {i for record in change.approvals for i in record.items}
    current = {i: (fingerprint(project.items[i]) if i in project.items else REMOVED) for i in recorded}
    problems = [s.describe() for s in role_approvals(change, config, current) if not s.ok]
    if problems:
        raise UsageError(
            f"cannot merge {change_id}: the merged content differs from what was approved "
            f"({'; '.join(problems)}); merge {into} into the branch and approve again"
        )
    approver = _requirement_approver(config, change)
    reapproved, edited = [], []
    for item_id in change.affects:
        item = project.items.get(item_id)
        if not isinstance(item, Requirement):
            continue
        result = approve_requirement(project, item_id, approver, today=today, change=change_id)
        if not result.unchanged:
            reapproved.append(item_id)
            edited.append(project.file_of(item_id).path)
    rel = project.file_of(change_id).path
    roundtrip.edit_front_matter(project.root / rel, rel, {"status": "implemented"})
    repo.stage([rel, *edited])
    what = f"merge {branch}" if branch else "implemented"
    commit = repo.commit_index(_message(change_id, f"{what}: {change.title}"))
    return MergeResult(change_id, branch, into, commit, reapproved)


def _finish_merge(reader: HistoryReader, project: Project, change_id: str, today: dt.date | None) -> MergeResult:
    repo = reader.repo
    conflicts = repo.unmerged_paths()
    if conflicts:
        raise GitError(f"unresolved conflicts remain in {_first_line(conflicts)}; resolve and 'git add' them")
    change = project.get(change_id, Kind.CHANGE)
    assert isinstance(change, Change)
    merging = repo.merge_head()
    branch = change.branch
    if branch is None or merging is None or repo.try_resolve(branch) not in (merging, None):
        raise GitError("a different merge is in progress; finish or abort it first")
    into = require_branch(repo, "merge a change")
    return _complete(reader, change_id, branch, into, today)


def _merge_in_place(
    reader: HistoryReader, project: Project, change: Change, branch: str, today: dt.date | None
) -> MergeResult:
    """A CR recorded with --no-branch: nothing to merge; re-approve and mark it implemented."""
    if project.items.get(change.id) is None:
        raise NotFoundError(f"{change.id} is not on the current branch {branch}")
    current = touched_for(project, change)
    problems = _merge_refusals(project.config, change, current, [])
    if problems:
        raise UsageError(f"cannot complete {change.id}: {'; '.join(problems)}")
    _requirement_approver(project.config, change)
    rels = [project.file_of(i).path for i in change.affects if i in project.files_by_id]
    rels.append(project.file_of(change.id).path)
    originals = {rel: (project.root / rel).read_bytes() for rel in rels}
    try:
        return _complete(reader, change.id, None, branch, today)
    except BaseException:
        for rel, data in originals.items():
            write_atomic(project.root / rel, data)
        reader.repo.run("restore", "--staged", "--", *(reader.repo.project_path(r) for r in rels))
        raise


def touched_for(project: Project, change: Change) -> dict[str, str]:
    return {i: (fingerprint(project.items[i]) if i in project.items else REMOVED) for i in change.affects}


# -------------------------------------------------------------- list, diff ----


@dataclass(frozen=True)
class ChangeRow:
    change: Change
    ref: str
    branch: str | None
    roles: tuple[RoleApproval, ...]
    ahead: int | None
    behind: int | None
    other_refs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        change = self.change
        return {
            "id": change.id,
            "title": change.title,
            "status": change.status,
            "affects": list(change.affects),
            "requested_by": change.requested_by,
            "branch": self.branch,
            "ref": self.ref,
            "ahead": self.ahead,
            "behind": self.behind,
            "approvals": [{"role": s.role, "state": s.state, "by": s.by, "reason": s.reason} for s in self.roles],
            "impact": change.impact.model_dump(exclude_none=True) if change.impact else None,
            "refs": [self.ref, *self.other_refs],
        }


def locate(reader: HistoryReader, change_id: str) -> ChangeOnRef:
    found = [c for c in _all_changes(reader) if c.change.id == change_id]
    if not found:
        raise NotFoundError(f"no change request {change_id} on any branch")
    return _preferred(found, reader.repo)


def _all_changes(reader: HistoryReader) -> list[ChangeOnRef]:
    return changes_on_refs(reader, reader.repo.refs_with_sha())


def _preferred(versions: list[ChangeOnRef], repo: GitRepo, main: str | None = None) -> ChangeOnRef:
    """The version to show: on its own branch (local first) unless that is merged into main."""
    branch = versions[0].change.branch
    own = [v for v in versions if branch and (v.ref == branch or v.ref.endswith(f"/{branch}"))]
    own.sort(key=lambda v: v.ref != branch)
    main_versions = [v for v in versions if main and v.ref == main]
    if own:
        if main_versions and main is not None and repo.is_ancestor(own[0].sha, main_versions[0].sha):
            return main_versions[0]
        return own[0]
    return main_versions[0] if main_versions else versions[0]


def list_changes(root: Path) -> list[ChangeRow]:
    root = find_root(root)
    repo = open_git(root)
    if not repo.has_commits():
        return []
    reader = HistoryReader(root, repo)
    config = reader.current_config()
    try:
        main: str | None = main_line(repo, config)
    except ReqctlError:
        main = None
    by_id: dict[str, list[ChangeOnRef]] = {}
    for found in _all_changes(reader):
        by_id.setdefault(found.change.id, []).append(found)
    rows = []
    for change_id in sorted(by_id, key=_id_key):
        versions = by_id[change_id]
        chosen = _preferred(versions, repo, main)
        change = chosen.change
        roles = tuple(role_approvals(change, config, _recorded_now(reader, chosen)))
        ahead = behind = None
        if main is not None and chosen.ref != main:
            ahead, behind = repo.ahead_behind(chosen.sha, main)
        others = tuple(sorted(v.ref for v in versions if v.ref != chosen.ref))
        branch_ref = change.branch if change.branch else None
        rows.append(ChangeRow(change, chosen.ref, branch_ref, roles, ahead, behind, others))
    return rows


def _recorded_now(reader: HistoryReader, found: ChangeOnRef) -> dict[str, str]:
    """Current fingerprints (at the CR's ref) of the items its approvals recorded."""
    ids = sorted({i for record in found.change.approvals for i in record.items} | set(found.change.affects))
    if not ids:
        return {}
    config = reader.current_config()
    paths = {}
    for item_id in ids:
        kind = config.kind_for_prefix(item_id.split("-", 1)[0])
        if kind is not None:
            paths[f"{kind.folder}/{item_id}.md"] = item_id
    files = reader.files_by_path(found.sha, list(paths))
    current = {}
    recorded = {i for record in found.change.approvals for i in record.items}
    for path, item_id in paths.items():
        if item_id not in recorded:
            continue
        model = model_of(files[path]) if path in files else None
        current[item_id] = fingerprint(model) if model is not None else REMOVED
    return current


def _id_key(item_id: str) -> tuple[str, int]:
    match = re.match(r"^(.*)-(\d+)$", item_id)
    return (match.group(1), int(match.group(2))) if match else (item_id, 0)


def diff_change(root: Path, raw_id: str) -> tuple[ChangeOnRef, ProjectDiff]:
    """What a CR's branch changes relative to where it forked from the main line."""
    root = find_root(root)
    repo = open_git(root)
    reader = HistoryReader(root, repo)
    change_id = normalize_id_argument(raw_id)
    found = locate(reader, change_id)
    branch = found.change.branch
    if branch is None:
        raise UsageError(f"{change_id} was recorded without a branch; use 'reqctl diff REV' instead")
    main = main_line(repo, reader.current_config())
    base = repo.merge_base(main, found.sha)
    if base is None:
        raise GitError(f"{branch} shares no history with {main}")
    on_branch = repo.current_branch() == branch
    new = None if on_branch else found.sha
    diff = diff_revisions(reader, base, new)
    return found, ProjectDiff(
        diff.items, old_rev=f"{main} (fork point {base[:10]})", new_rev="working tree" if on_branch else branch
    )
