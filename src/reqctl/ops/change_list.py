"""``change list`` and ``change diff``: change requests across branches, read from git objects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.changes.approvals import REMOVED, RoleApproval, role_approvals
from reqctl.changes.branches import ChangeOnRef, changes_on_refs, main_line
from reqctl.errors import (
    GitError,
    NotFoundError,
    ReqctlError,
    UsageError,
)
from reqctl.gitio.repo import GitRepo
from reqctl.history.diff import ProjectDiff
from reqctl.history.snapshots import HistoryReader, open_git
from reqctl.locate import find_root
from reqctl.messages import lazy
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind, normalize_id_argument, split_id
from reqctl.model.items import Change, Impact
from reqctl.model.project import Project
from reqctl.ops.changes import model_of
from reqctl.ops.history import diff_revisions
from reqctl.ops.invalid import InvalidFile, invalid_file_for, invalid_files
from reqctl.store.store import Store


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
    path: str = ""

    def to_json(self) -> dict[str, Any]:
        """The shape of every other kind's ``--json`` (kind, file fields under file names, path, body), plus
        where the CR was found: ``ref``, ``refs``, ``ahead``/``behind`` the main line and ``roles`` (the
        state of each required role's approval)."""
        data: dict[str, Any] = {"kind": self.change.kind.value,
                                **self.change.model_dump(mode="json", by_alias=True, exclude_none=True)}
        if "impact" in data:  # the model reads numbers as floats; 3 days in the file is 3 in the JSON
            data["impact"] = {key: plain_number(value) for key, value in data["impact"].items()}
        data["path"] = self.path
        data["ref"] = self.ref
        data["refs"] = [self.ref, *self.other_refs]
        data["ahead"] = self.ahead
        data["behind"] = self.behind
        data["roles"] = [{"role": s.role, "state": s.state, "by": s.by, "reason": s.reason} for s in self.roles]
        return data


def plain_number(value: Any) -> Any:
    """``3.0`` as ``3``: whole numbers stay integers in JSON and on screen (inside ``cost`` too)."""
    if isinstance(value, dict):
        return {key: plain_number(v) for key, v in value.items()}
    return int(value) if isinstance(value, float) and value.is_integer() else value


def cost_text(impact: Impact | None, default_currency: str | None = None) -> str:
    """``12000 CNY``; a bare ``cost: 12000`` (older files) is in the budget's currency.  Empty: not assessed."""
    if impact is None or impact.amount is None:
        return ""
    amount = plain_number(impact.amount)
    currency = impact.currency or default_currency
    return f"{amount} {currency}" if currency else str(amount)


def locate(reader: HistoryReader, change_id: str) -> ChangeOnRef:
    found = [c for c in _all_changes(reader) if c.change.id == change_id]
    if not found:
        raise NotFoundError(lazy("no change request {id} on any branch", id=change_id))
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
    main = _main_or_none(reader)
    by_id: dict[str, list[ChangeOnRef]] = {}
    for found in _all_changes(reader):
        by_id.setdefault(found.change.id, []).append(found)
    return [_row(reader, by_id[change_id], main) for change_id in sorted(by_id, key=_id_key)]


def show_change(root: Path, raw_id: str) -> ChangeRow:
    """One change request as ``change list`` shows it: the preferred version across branches."""
    root = find_root(root)
    change_id = normalize_id_argument(raw_id)
    repo = open_git(root)
    versions: list[ChangeOnRef] = []
    reader = HistoryReader(root, repo)
    if repo.has_commits():
        wanted = split_id(change_id)
        versions = [c for c in _all_changes(reader) if split_id(c.change.id) == wanted]
    if not versions:
        _raise_if_invalid(root, change_id)
        raise NotFoundError(lazy("no change request {id} on any branch", id=change_id))
    return _row(reader, versions, _main_or_none(reader))


def invalid_changes(root: Path) -> list[InvalidFile]:
    """Invalid change request files in the working tree: ``list`` reads branches, where they are skipped."""
    store = Store.open(root)
    entries = [entry for entry in store.scan() if entry.kind is Kind.CHANGE]
    files = store.read_all(entries, subset=True)
    return invalid_files(Project(root=store.root, config=store.config(), files=files), [Kind.CHANGE])


def _raise_if_invalid(root: Path, change_id: str) -> None:
    """A CR file that is there but invalid gets what is wrong with it, not 'no change request'."""
    broken = invalid_file_for(Store.open(root).project(), change_id, Kind.CHANGE)
    if broken is not None:
        raise broken.error()


def _main_or_none(reader: HistoryReader) -> str | None:
    try:
        return main_line(reader.repo, reader.current_config())
    except ReqctlError:
        return None


def _row(reader: HistoryReader, versions: list[ChangeOnRef], main: str | None) -> ChangeRow:
    repo = reader.repo
    chosen = _preferred(versions, repo, main)
    change = chosen.change
    roles = tuple(role_approvals(change, reader.current_config(), _recorded_now(reader, chosen)))
    ahead = behind = None
    if main is not None and chosen.ref != main:
        ahead, behind = repo.ahead_behind(chosen.sha, main)
    others = tuple(sorted(v.ref for v in versions if v.ref != chosen.ref))
    branch_ref = change.branch if change.branch else None
    return ChangeRow(change, chosen.ref, branch_ref, roles, ahead, behind, others, chosen.path)


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
        raise UsageError(lazy("{id} was recorded without a branch; use 'reqctl diff REV' instead", id=change_id))
    main = main_line(repo, reader.current_config())
    base = repo.merge_base(main, found.sha)
    if base is None:
        raise GitError(lazy("{branch} shares no history with {main}", branch=branch, main=main))
    on_branch = repo.current_branch() == branch
    new = None if on_branch else found.sha
    diff = diff_revisions(reader, base, new)
    return found, ProjectDiff(
        diff.items, old_rev=lazy("{main} (fork point {commit})", main=main, commit=base[:10]),
        new_rev=lazy("working tree") if on_branch else branch,
    )
