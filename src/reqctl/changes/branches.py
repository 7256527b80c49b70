"""Branches of change requests: the main line, branch names, CRs found on every branch."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reqctl.errors import ConfigError, GitError
from reqctl.gitio.repo import GitRepo
from reqctl.messages import lazy
from reqctl.model.config import Config
from reqctl.model.ids import Kind
from reqctl.model.items import Change
from reqctl.model.project import validate_item
from reqctl.store.reader import ItemFile

if TYPE_CHECKING:
    from reqctl.history.snapshots import HistoryReader

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(title: str, words: int = 6) -> str:
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    parts = [p for p in _SLUG_DROP.split(ascii_text) if p][:words]
    return "-".join(parts)[:50].strip("-")


def branch_name(config: Config, change_id: str, title: str) -> str:
    slug = slugify(title)
    name = config.changes.branch_pattern.format(id=change_id, slug=slug or "change")
    return name.replace("--", "-").rstrip("-/")


def main_line(repo: GitRepo, config: Config) -> str:
    """The ref of the main line: ``changes.main_branch`` or main/master/origin's HEAD."""
    configured = config.changes.main_branch
    candidates = [configured] if configured else ["main", "master"]
    for name in candidates:
        if repo.try_resolve(f"refs/heads/{name}"):
            return name
        for remote_ref, _sha in repo.refs_with_sha(("refs/remotes",)):
            if remote_ref.split("/", 1)[-1] == name:
                return remote_ref
    if not configured:
        try:
            head = repo.text("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD").strip()
        except GitError:
            head = ""
        if head:
            return head
        raise ConfigError(
            lazy("cannot tell the main branch (no main or master); set changes.main_branch in reqctl.yaml"),
            path="reqctl.yaml",
        )
    raise GitError(lazy("the main branch '{branch}' (changes.main_branch) does not exist", branch=configured))


@dataclass(frozen=True, slots=True)
class ChangeOnRef:
    """A change request as found on one branch."""

    change: Change
    ref: str
    sha: str
    path: str


def changes_on_refs(reader: HistoryReader, refs: list[tuple[str, str]]) -> list[ChangeOnRef]:
    """Every valid change request file on each of ``refs`` ((name, sha) pairs)."""
    trees = {sha: reader.tree(sha, (Kind.CHANGE,)) for _name, sha in set(refs)}
    reader.parse([entry for tree in trees.values() for entry in tree])  # one cat-file for all
    found = []
    for name, sha in refs:
        for item_file in reader.parse(trees[sha]):
            change = _as_change(item_file)
            if change is not None:
                found.append(ChangeOnRef(change, name, sha, item_file.path))
    return found


def _as_change(item_file: ItemFile) -> Change | None:
    if item_file.data is None:
        return None
    model, _problems = validate_item(item_file)
    return model if isinstance(model, Change) else None
