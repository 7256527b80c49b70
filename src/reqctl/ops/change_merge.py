"""``change merge``: merge an approved change request into the main line and re-approve what it changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reqctl.changes.approvals import REMOVED, holds, role_approvals
from reqctl.changes.branches import main_line
from reqctl.errors import (
    GitError,
    NotFoundError,
    UsageError,
)
from reqctl.gitio.objects import kind_of_path
from reqctl.gitio.repo import GitRepo
from reqctl.history.snapshots import HistoryReader, open_git
from reqctl.messages import Word, joined, lazy
from reqctl.model.config import Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind, normalize_id_argument
from reqctl.model.items import Change, Item, Requirement
from reqctl.model.project import Project
from reqctl.ops.change_list import locate, touched_for
from reqctl.ops.changes import (
    ITEM_FOLDERS,
    OTHER_FOLDERS,
    commit_message,
    first_line,
    model_of,
    require_branch,
    require_clean,
)
from reqctl.ops.items import record_approvals, require_approvable
from reqctl.ops.writeguard import project_writer, refuse_conflict_markers, restored_on_failure
from reqctl.store import roundtrip
from reqctl.store.store import Store
from reqctl.validation.gate import touched_approved


@dataclass
class MergeResult:
    change_id: str
    branch: str | None
    into: str
    commit: str
    reapproved: list[str] = field(default_factory=list)
    # requirements that were implemented or verified and changed: back to approved (delivery incomplete)
    returned: list[str] = field(default_factory=list)


def _merge_refusals(config: Config, change: Change, current: dict[str, str], gate: list[str]) -> list[str]:
    problems: list[str] = []
    if change.status != "approved":
        problems.append(lazy("{id} is {status}, not approved", id=change.id, status=Word(change.status)))
    problems += [s.describe() for s in role_approvals(change, config, current) if not s.ok]
    return problems + gate


def _tip_state(
    reader: HistoryReader, config: Config, base: str, tip: str
) -> tuple[dict[str, str], list[str], dict[str, Item]]:
    """What the branch changes (ID -> fingerprint), gate problems, and models at the tip."""
    repo = reader.repo
    paths = [p for p in repo.changed_paths(base, tip, OTHER_FOLDERS) if kind_of_path(p)]
    old_files = reader.files_by_path(base, paths)
    new_files = reader.files_by_path(tip, paths)
    models: dict[str, Item | None] = {}
    for path, item_file in new_files.items():
        model = model_of(item_file)
        if model is None:
            raise UsageError(lazy("{file} is not valid on the branch; fix it first (run 'reqctl check')", file=path))
        models[path] = model
    current = {}
    for path in paths:
        model = models.get(path)
        stem = path.rsplit("/", 1)[-1].removesuffix(".md")
        current[model.id if model else stem] = fingerprint(model) if model else REMOVED
    touched = touched_approved(old_files, models, config)
    return current, [t.item_id for t in touched], {m.id: m for m in models.values() if m is not None}


def _requirement_approvers(config: Config, change: Change) -> dict[str, str]:
    """Role -> the person whose approval of ``change`` stands for that role's approval of the requirements.

    Every role ``approvals.requirement`` names needs an approval of the CR in that same role by
    someone holding it; otherwise merging would leave the requirements short of an approval.
    """
    roles = config.approver_roles(Kind.REQUIREMENT)
    approvers: dict[str, str] = {}
    for role in roles:
        records = [r for r in change.approvals if r.role == role]
        if records and records[-1].decision == "approved" and holds(config, records[-1].by, role):
            approvers[role] = records[-1].by
    missing = [role for role in roles if role not in approvers]
    if missing or not roles:
        raise UsageError(lazy(
            "requirements need approval by {roles}, and no one holding that role approved {id}",
            roles=", ".join(missing or roles) or lazy("an approver"), id=change.id))
    return approvers


@project_writer(merge_ok=True)  # a merge it started itself is finished here; others are refused below
def merge(root: Path, raw_id: str, *, today: dt.date | None = None) -> MergeResult:
    """Merge an approved CR's branch into the main line and re-approve what it changed."""
    project = Store.open(root).project()
    root = project.root
    repo = open_git(root)
    config = project.config
    change_id = normalize_id_argument(raw_id)
    reader = HistoryReader(root, repo)
    if repo.merge_head() is not None:
        return _finish_merge(reader, project, change_id, today)
    require_clean(repo, lazy("merge a change"))
    current_branch = require_branch(repo, lazy("merge a change"))
    main = main_line(repo, config)
    found = locate(reader, change_id)
    change = found.change
    if change.branch is None:
        return _merge_in_place(reader, project, change, current_branch, today)
    if "/" in main and not repo.branch_exists(main):
        raise GitError(lazy("the main line is only the remote branch {main}; create a local branch for it first",
                            main=main))
    tip_ref = change.branch if repo.branch_exists(change.branch) else found.ref
    tip = repo.resolve(tip_ref)
    base = repo.merge_base(main, tip)
    if base is None:
        raise GitError(lazy("{branch} shares no history with {main}", branch=change.branch, main=main))
    if repo.is_ancestor(tip, repo.resolve(main)):
        raise UsageError(lazy("{branch} is already merged into {main}", branch=change.branch, main=main))
    branch_change = _change_at(reader, tip, change_id)
    current, touched, _models = _tip_state(reader, config, base, tip)
    gate: list[str] = [
        lazy("{item} is approved and changed but {change} does not list it in affects", item=item, change=change_id)
        for item in touched
        if item not in branch_change.affects
    ]
    problems = _merge_refusals(config, branch_change, current, gate)
    if problems:
        raise UsageError(lazy("cannot merge {id}: {problems}", id=change_id, problems=joined(problems)))
    _requirement_approvers(config, branch_change)
    if current_branch != main:
        repo.switch(main)
    try:
        conflicts = repo.merge_no_commit(tip_ref)
    except BaseException:
        _back(repo, current_branch, main)
        raise
    if conflicts:
        raise GitError(lazy(
            "merge conflict in {files}: resolve, 'git add' the files, then run "
            "'reqctl change merge {id}' again to finish (or 'git merge --abort')",
            files=first_line(conflicts), id=change_id))
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
    raise NotFoundError(lazy("{id} is not a valid change request at {commit}", id=change_id, commit=rev[:10]))


def _complete(
    reader: HistoryReader, change_id: str, branch: str | None, into: str, today: dt.date | None
) -> MergeResult:
    """The merge is applied in the working tree: check it, re-approve, mark baselined, commit.

    A requirement whose content the CR changed after it was implemented or verified goes back
    to ``approved``: what was delivered no longer matches it.  Status is not part of any
    fingerprint, so this leaves the approvals just recorded valid.
    """
    repo = reader.repo
    changed = repo.changed_paths("HEAD", None, ITEM_FOLDERS)
    refuse_conflict_markers(reader.root, changed)
    project = Store.open(reader.root).project()
    change = project.get(change_id, Kind.CHANGE)
    assert isinstance(change, Change)
    refuse_conflict_markers(project.root, _written_by_complete(project, change))
    config = project.config
    recorded = {i for record in change.approvals for i in record.items}
    current = {i: (fingerprint(project.items[i]) if i in project.items else REMOVED) for i in recorded}
    problems = [s.describe() for s in role_approvals(change, config, current) if not s.ok]
    if problems:
        raise UsageError(lazy(
            "cannot merge {id}: the merged content differs from what was approved ({problems}); "
            "merge {into} into the branch and approve again", id=change_id, problems=joined(problems), into=into))
    approvers = _requirement_approvers(config, change)
    reapproved, returned, edited = [], [], []
    for item_id in change.affects:
        item = project.items.get(item_id)
        if not isinstance(item, Requirement):
            continue
        require_approvable(item)
        result = record_approvals(project, item, approvers, today=today, change=change_id)
        if not result.unchanged:
            reapproved.append(item_id)
            edited.append(project.file_of(item_id).path)
        if item.status in DELIVERED and (not result.unchanged or _changed_since_head(reader, project, item)):
            item_rel = project.file_of(item_id).path
            roundtrip.edit_front_matter(project.root / item_rel, item_rel, {"status": "approved"})
            returned.append(item_id)
            if item_rel not in edited:
                edited.append(item_rel)
    rel = project.file_of(change_id).path
    roundtrip.edit_front_matter(project.root / rel, rel, {"status": "baselined"})
    repo.stage([rel, *edited])
    what = f"merge {branch}" if branch else "baselined"
    body = "".join(f"{item_id} returned to approved: delivery no longer complete\n" for item_id in returned)
    commit = repo.commit_index(commit_message(change_id, f"{what}: {change.title}", body.strip()))
    return MergeResult(change_id, branch, into, commit, reapproved, returned)


DELIVERED = frozenset({"implemented", "verified"})


def _changed_since_head(reader: HistoryReader, project: Project, item: Requirement) -> bool:
    """Whether the merge changes the requirement's approved content against the main line's last commit."""
    rel = project.file_of(item.id).path
    before = [model_of(f) for f in reader.files_by_path("HEAD", [rel]).values()]
    return not before or before[0] is None or fingerprint(before[0]) != fingerprint(item)


def _finish_merge(reader: HistoryReader, project: Project, change_id: str, today: dt.date | None) -> MergeResult:
    repo = reader.repo
    conflicts = repo.unmerged_paths()
    if conflicts:
        raise GitError(lazy("unresolved conflicts remain in {files}; resolve and 'git add' them",
                            files=first_line(conflicts)))
    change = project.get(change_id, Kind.CHANGE)
    assert isinstance(change, Change)
    merging = repo.merge_head()
    branch = change.branch
    if branch is None or merging is None or repo.try_resolve(branch) not in (merging, None):
        raise GitError(lazy("a different merge is in progress; finish or abort it first"))
    into = require_branch(repo, lazy("merge a change"))
    with restored_on_failure(reader.root, _written_by_complete(project, change), repo):
        return _complete(reader, change_id, branch, into, today)


def _written_by_complete(project: Project, change: Change) -> list[str]:
    """The files ``_complete`` may edit: the CR and the requirements it affects."""
    rels = [project.file_of(i).path for i in change.affects if i in project.files_by_id]
    return [*rels, project.file_of(change.id).path]


def _merge_in_place(
    reader: HistoryReader, project: Project, change: Change, branch: str, today: dt.date | None
) -> MergeResult:
    """A CR recorded with --no-branch: nothing to merge; re-approve and mark it baselined."""
    if project.items.get(change.id) is None:
        raise NotFoundError(lazy("{id} is not on the current branch {branch}", id=change.id, branch=branch))
    current = touched_for(project, change)
    problems = _merge_refusals(project.config, change, current, [])
    if problems:
        raise UsageError(lazy("cannot complete {id}: {problems}", id=change.id, problems=joined(problems)))
    _requirement_approvers(project.config, change)
    with restored_on_failure(project.root, _written_by_complete(project, change), reader.repo):
        return _complete(reader, change.id, None, branch, today)
