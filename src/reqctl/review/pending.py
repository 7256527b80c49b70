"""What waits for one reviewer: requirements and change requests needing the roles they hold.

Each entry carries what the page shows (content, a diff against the version
the reviewer last approved or the CR's branch changes, the impact
assessment) and a ``token``: the fingerprint of exactly that content.  The
approve form sends the token back, and the write is refused when the content
has changed since (``actions.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reqctl.changes.approvals import requirement_role_approvals
from reqctl.history.diff import ItemChange, compare_files, side_of
from reqctl.history.snapshots import HistoryReader, open_git
from reqctl.messages import lazy
from reqctl.model.config import Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.items import CLOSED_REQUIREMENT_STATUSES, Change, Item, Requirement
from reqctl.model.project import validate_item
from reqctl.store.store import Store

MAX_HISTORY = 200  # commits searched for the version a reviewer last approved


@dataclass(frozen=True)
class Pending:
    kind: str  # 'requirement' | 'change'
    id: str
    title: str
    role: str
    state: str  # missing | stale | not-allowed | rejected
    token: str
    item: Item
    diffs: tuple[ItemChange, ...] = ()
    diff_note: str = ""  # a lazy message: the page translates it
    ref: str = ""
    affected: tuple[Item, ...] = field(default=())


def change_token(change: Change, affected: Mapping[str, str]) -> str:
    """The CR's own fingerprint plus those of the requirements it affects, as one value."""
    canonical = json.dumps({"change": fingerprint(change), "items": dict(sorted(affected.items()))}, sort_keys=True)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _approvable(item: Requirement) -> bool:
    return item.status not in CLOSED_REQUIREMENT_STATUSES and item.status != "draft" and bool(item.acceptance)


def pending_for(root: Path, email: str, roles: tuple[str, ...]) -> list[Pending]:
    from reqctl.review.actions import main_branch

    store = Store.open(root)
    main = main_branch(store.root)  # the checkout is on another branch: show the main line as committed
    project = store.project() if main is None else HistoryReader(store.root).project_at(main)
    config = project.config
    mine = [r for r in roles if r in config.roles_of(email)]
    found: list[Pending] = []
    reader: HistoryReader | None = None
    for item in sorted(project.of_kind(Requirement.kind), key=lambda i: i.id):
        if not isinstance(item, Requirement) or not _approvable(item):
            continue
        for state in requirement_role_approvals(item, config):
            if state.ok or state.role not in mine:
                continue
            if reader is None:
                reader = HistoryReader(project.root, open_git(project.root), worktree=project)
            diffs, note = _since_last_approval(
                reader, project.file_of(item.id).path, item, email, state.role, config, main
            )
            found.append(
                Pending("requirement", item.id, item.title, state.role, state.state, fingerprint(item), item,
                        diffs, note)
            )
    found.extend(_pending_changes(project.root, config, mine))
    return found


def _since_last_approval(
    reader: HistoryReader, rel: str, item: Requirement, email: str, role: str, config: Config, rev: str | None
) -> tuple[tuple[ItemChange, ...], str]:
    """The diff from the version ``email`` last approved in ``role`` to now (empty: never approved)."""
    from reqctl.changes.approvals import record_role

    mine = [
        r for r in item.approval_records if r.by.strip().lower() == email.lower() and record_role(config, r) == role
    ]
    if not mine:
        return (), lazy("You have not approved an earlier version.")
    wanted = mine[-1].fingerprint
    repo = reader.repo
    shas = repo.text("log", f"-{MAX_HISTORY}", "--format=%H", rev or "HEAD", "--", repo.project_path(rel)).split()
    from reqctl.store.reader import read_file

    now_file = read_file(reader.root, item.kind, reader.root / rel) if rev is None else reader.files_by_path(
        rev, [rel]
    ).get(rel)
    if now_file is None:
        return (), ""
    for sha in shas:
        files = reader.files_by_path(sha, [rel])
        old = files.get(rel)
        if old is None or old.data is None:
            continue
        model, _problems = validate_item(old)
        if model is not None and fingerprint(model) == wanted:
            change = compare_files(rel, side_of(old, model), side_of(now_file))
            if change is None:
                return (), lazy("No visible change since your approval.")
            return (change,), lazy("Changes since the version you approved on {date}:", date=mine[-1].at.isoformat())
    return (), lazy("The version you approved earlier is not in the history any more.")


def _pending_changes(root: Path, config: Config, mine: list[str]) -> list[Pending]:
    from reqctl.errors import ReqctlError
    from reqctl.ops.change_list import diff_change, list_changes

    found = []
    rows = list_changes(root)
    for row in rows:
        change = row.change
        if change.status not in ("assessed", "approved") or change.impact is None:
            continue
        waiting = [s for s in row.roles if s.role in mine and not s.ok]
        if not waiting:
            continue
        affected = _affected_at(root, row.ref, change, config)
        token = change_token(change, {i.id: fingerprint(i) for i in affected})
        try:
            diffs: tuple[ItemChange, ...] = diff_change(root, change.id)[1].items if change.branch else ()
            note = lazy("What this change request changes on its branch:") if change.branch else ""
        except ReqctlError as exc:
            diffs, note = (), lazy("The changes cannot be shown: {problem}", problem=exc.message)
        for state in waiting:
            found.append(
                Pending("change", change.id, change.title, state.role, state.state, token, change, diffs, note,
                        row.ref, tuple(affected))
            )
    return found


def _affected_at(root: Path, ref: str, change: Change, config: Config) -> list[Item]:
    """The requirements a CR affects, as they are on the CR's ref."""
    reader = HistoryReader(root, open_git(root))
    paths = {}
    for item_id in change.affects:
        kind = config.kind_for_prefix(item_id.split("-", 1)[0])
        if kind is not None:
            paths[f"{kind.folder}/{item_id}.md"] = item_id
    files = reader.files_by_path(reader.resolve(ref), list(paths))
    items = []
    for path in paths:
        item_file = files.get(path)
        if item_file is not None and item_file.data is not None:
            model, _problems = validate_item(item_file)
            if model is not None:
                items.append(model)
    return items
