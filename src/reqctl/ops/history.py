"""Use cases over history: ``reqctl diff`` and ``reqctl req history``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.errors import NotFoundError
from reqctl.gitio.objects import TreeFile, kind_of_path
from reqctl.history.diff import ProjectDiff, compare_files, diff_files, side_of
from reqctl.history.log import CommitInfo, commits
from reqctl.history.snapshots import HistoryReader, paused_gc
from reqctl.messages import lazy
from reqctl.model.ids import Kind, normalize_id_argument, split_id
from reqctl.store.reader import ItemFile, read_file
from reqctl.store.store import Store

ITEM_FOLDERS = [kind.folder for kind in Kind]


def diff_revisions(reader: HistoryReader, old_rev: str, new_rev: str | None = None) -> ProjectDiff:
    """Items that differ between two revisions (``new_rev=None``: the working tree).

    Only files git reports as changed are read, so this is fast on large projects.
    """
    repo = reader.repo
    old = repo.resolve(old_rev)
    new = repo.resolve(new_rev) if new_rev is not None else None
    paths = [p for p in repo.changed_paths(old, new, ITEM_FOLDERS) if kind_of_path(p) is not None]
    old_files = reader.files_by_path(old, paths)
    with paused_gc():
        new_files = reader.files_by_path(new, paths) if new else working_files(reader.root, paths)
        return diff_files(old_files, new_files, old_rev=old_rev, new_rev=new_rev)


def working_files(root: Path, rels: list[str]) -> dict[str, ItemFile]:
    found = {}
    for rel in rels:
        kind = kind_of_path(rel)
        path = root / rel
        if kind is not None and path.is_file():
            found[rel] = read_file(root, kind, path)
    return found


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    commit: CommitInfo
    change: str  # added | removed | changed | unchanged (formatting only)
    fields: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "sha": self.commit.sha,
            "author": {"name": self.commit.author_name, "email": self.commit.author_email},
            "date": self.commit.authored.isoformat(),
            "subject": self.commit.subject,
            "change": self.change,
            "fields": list(self.fields),
        }


def item_path_for(root: Path, raw_id: str) -> tuple[str, str]:
    item_id = normalize_id_argument(raw_id)
    config = Store.open(root).config()
    prefix = item_id.split("-", 1)[0]
    kind = config.kind_for_prefix(prefix)
    if kind is None:
        raise NotFoundError(lazy("no item kind uses the prefix {prefix}", prefix=prefix))
    rel = f"{kind.folder}/{item_id}.md"
    if not (root / rel).exists():
        rel = _same_number(root, kind, item_id) or rel
    return rel.rsplit("/", 1)[-1].removesuffix(".md"), rel


def _same_number(root: Path, kind: Kind, item_id: str) -> str | None:
    """Accept ``REQ-1`` for ``REQ-001``: the file whose ID has the same prefix and number."""
    wanted = split_id(item_id)
    folder = root / kind.folder
    if wanted is None or not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.md")):
        if split_id(path.stem) == wanted:
            return f"{kind.folder}/{path.name}"
    return None


def item_history(reader: HistoryReader, raw_id: str) -> tuple[str, list[HistoryEntry]]:
    """Commits that touched an item, newest first, with the fields each one changed."""
    item_id, rel = item_path_for(reader.root, raw_id)
    # merge_diffs: the merge of a change request re-approves the item in the merge commit itself;
    # without a diff against the first parent that commit would list no files and be left out.
    found = commits(reader.root, paths=[rel], repo=reader.repo, merge_diffs=True)
    if not found:
        raise NotFoundError(lazy("no commit touched {file} (no item {id} in git history)", file=rel, id=item_id))
    kind = kind_of_path(rel)
    assert kind is not None
    entries = []
    for commit in found:
        change = next((f for f in commit.files if f.path == rel), None)
        if change is None:
            continue
        old = _parsed(reader, kind, rel, change.old_sha)
        new = _parsed(reader, kind, rel, change.new_sha)
        result = compare_files(rel, side_of(old) if old else None, side_of(new) if new else None)
        if result is None:
            entries.append(HistoryEntry(commit, "unchanged", ()))
        else:
            entries.append(HistoryEntry(commit, result.change, result.changed_fields))
    return item_id, entries


def _parsed(reader: HistoryReader, kind: Kind, rel: str, sha: str | None) -> ItemFile | None:
    if sha is None:
        return None
    files = reader.parse([TreeFile(kind, rel, sha)])
    return files[0] if files else None
