"""Projects as they were at any revision, read from git objects.

A ``HistoryReader`` keeps a cache of parsed files keyed on blob sha (plus
path), so reading many revisions only parses the blobs that changed.  Use one
reader for a whole walk (a weekly report, a burn-up chart); the module-level
``project_at`` is a convenience that makes a fresh reader each call.

Three things keep a walk over a large project cheap, all keyed on blob shas
(content addresses, so nothing can be stale):

- a persistent cache of parsed blobs in the project's cache database
  (``history.blobcache``), consulted when many blobs are missing;
- ``worktree=``: a project already loaded from the working tree lends its
  parsed files and validated models to every revision holding the very same
  bytes at the same path (``ItemFile.blob`` is the git sha of the bytes parsed);
- validated models are reused by (blob, path), so a project at a revision only
  validates the files no earlier revision of this reader had.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

from reqctl.errors import GitError, ReqctlError
from reqctl.gitio.objects import TreeChange, TreeFile, config_blob_at, item_changes, item_files_at, kind_of_path
from reqctl.gitio.repo import GitRepo, open_repo
from reqctl.history.blobcache import BlobCache
from reqctl.locate import find_root
from reqctl.messages import lazy
from reqctl.model.config import Config
from reqctl.model.ids import Kind
from reqctl.model.items import Item
from reqctl.model.project import FieldProblem, Project, validate_item
from reqctl.store.reader import ItemFile, parse_bytes

# Missing blobs that make loading the persistent cache worth its cost (reading
# a few dozen blobs from git is faster than unpickling a large cache).
PERSIST_MIN_BLOBS = 64

Validated = tuple[Item | None, list[FieldProblem]]
_ALL_KINDS = tuple(Kind)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Parsing allocates many small containers and no cycles; pausing the cyclic
    collector roughly halves the time on large trees."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def open_git(root: Path) -> GitRepo:
    repo = open_repo(root)
    if repo is None:
        raise GitError(lazy("{folder} is not inside a git repository; history needs git", folder=str(root)))
    return repo


class HistoryReader:
    """Reads item files, configs and whole projects at revisions of one repository."""

    def __init__(
        self, root: Path, repo: GitRepo | None = None, *, worktree: Project | None = None, persistent: bool = True
    ) -> None:
        self.root = find_root(root)
        self.repo = repo or open_git(self.root)
        self._files: dict[tuple[str, str], ItemFile] = {}
        self._checked: dict[tuple[str, str], Validated] = {}
        self._configs: dict[str, Config | None] = {}
        self._current: Config | None = None
        self._trees: dict[str, list[TreeFile]] = {}  # commit sha -> every item file there
        self._persistent = persistent
        self._store: BlobCache | None = None
        if worktree is not None:
            self.seed(worktree)

    def seed(self, project: Project) -> None:
        """Lend a loaded project's parsed files and validated models to this reader.

        A file is reused only for a tree entry with the same path whose blob sha
        is the git hash of the bytes the project parsed, i.e. identical content.
        """
        for item_file in project.files:
            if item_file.blob is None:
                continue
            key = (item_file.blob, item_file.path)
            self._files.setdefault(key, item_file)
            if item_file.data is not None and key not in self._checked:
                self._checked[key] = (project.models.get(item_file.path), project.problems.get(item_file.path, []))

    def validate(self, item_file: ItemFile) -> Validated:
        """``validate_item``, once per (blob, path) for this reader."""
        if item_file.blob is None:
            return validate_item(item_file)
        key = (item_file.blob, item_file.path)
        found = self._checked.get(key)
        if found is None:
            found = self._checked[key] = validate_item(item_file)
        return found

    def _blob_cache(self, missing: int) -> BlobCache | None:
        if self._store is None and self._persistent and missing >= PERSIST_MIN_BLOBS:
            self._store = BlobCache(self.root)
            weakref.finalize(self, self._store.save)  # readers that are never saved explicitly
        return self._store

    def save(self) -> None:
        """Write new parses to the persistent cache (silently skipped when it cannot be written)."""
        if self._store is not None:
            self._store.save()

    def resolve(self, rev: str) -> str:
        return self.repo.resolve(rev)

    def current_config(self) -> Config:
        if self._current is None:
            from reqctl.store.store import Store

            self._current = Store.open(self.root).config()
        return self._current

    def tree(self, rev: str, kinds: tuple[Kind, ...] = tuple(Kind)) -> list[TreeFile]:
        """Item files at ``rev``, sorted by path.

        Once one commit's full listing is known, another commit's full listing is
        derived from it with ``git diff-tree`` (cost: the files that differ), not
        listed again.  Listings of a few kinds are read directly.
        """
        entries = self._trees.get(rev)
        if entries is None and (kinds != _ALL_KINDS or not _is_sha(rev)):
            return item_files_at(self.repo, rev, kinds)  # a few folders: listing them is cheap
        if entries is None:
            base = next(reversed(self._trees), None)
            if base is None:
                entries = item_files_at(self.repo, rev)
            else:
                by_path = {e.path: e for e in self._trees[base]}
                for change in item_changes(self.repo, base, rev):
                    if change.new_sha is None:
                        by_path.pop(change.path, None)
                    else:
                        by_path[change.path] = TreeFile(change.kind, change.path, change.new_sha)
                entries = sorted(by_path.values(), key=lambda entry: entry.path)
            self._trees[rev] = entries
        if kinds == _ALL_KINDS:
            return entries
        return [e for e in entries if e.kind in kinds]

    def parse(self, entries: list[TreeFile]) -> list[ItemFile]:
        """Parsed files for tree entries, reading only blobs not seen before."""
        files = self._files
        missing = [e for e in entries if (e.sha, e.path) not in files]
        store = self._blob_cache(len(missing)) if missing else None
        if store is not None:
            store.prefetch([entry.sha for entry in missing])
            still = []
            for entry in missing:
                cached = store.get(entry.sha, entry.kind, entry.path)
                if cached is None:
                    still.append(entry)
                else:
                    files[(entry.sha, entry.path)] = cached
            missing = still
        if missing:
            blobs = self.repo.cat_blobs([e.sha for e in missing])
            with paused_gc():
                for entry in missing:
                    key = (entry.sha, entry.path)
                    if key not in files and entry.sha in blobs:
                        parsed = parse_bytes(entry.kind, entry.path, blobs[entry.sha], blob=entry.sha)
                        files[key] = parsed
                        if store is not None:
                            store.put(entry.sha, parsed)
        return [files[(e.sha, e.path)] for e in entries if (e.sha, e.path) in files]

    def parse_map(self, entries: list[TreeFile]) -> dict[tuple[str, str], ItemFile]:
        """Like ``parse``, keyed on (path, blob sha)."""
        self.parse(entries)
        return {
            (e.path, e.sha): self._files[(e.sha, e.path)]
            for e in entries
            if (e.sha, e.path) in self._files
        }

    def files_at(self, rev: str, kinds: tuple[Kind, ...] = tuple(Kind)) -> list[ItemFile]:
        return self.parse(self.tree(rev, kinds))

    def files_by_path(self, rev: str, rels: list[str]) -> dict[str, ItemFile]:
        """Only the named project-relative item paths at ``rev`` (absent ones left out)."""
        shas = self.repo.ls_tree_files(rev, rels)
        entries = []
        for rel, sha in shas.items():
            kind = kind_of_path(rel)
            if kind is not None:
                entries.append(TreeFile(kind, rel, sha))
        return {f.path: f for f in self.parse(entries)}

    def changes(
        self, old_rev: str, new_rev: str, kinds: tuple[Kind, ...] = tuple(Kind)
    ) -> list[tuple[TreeChange, ItemFile | None]]:
        """Item files that differ between two revisions, each with its parsed state at ``new_rev``
        (None where the file is absent there, or its blob could not be read)."""
        found = item_changes(self.repo, old_rev, new_rev, kinds)
        present = [TreeFile(c.kind, c.path, c.new_sha) for c in found if c.new_sha is not None]
        parsed = self.parse_map(present)
        return [
            (c, parsed.get((c.path, c.new_sha)) if c.new_sha is not None else None) for c in found
        ]

    def config_at(self, rev: str) -> Config:
        """``reqctl.yaml`` at ``rev``; the current one when it is missing or invalid there."""
        sha = config_blob_at(self.repo, rev)
        if sha is None:
            return self.current_config()
        if sha not in self._configs:
            self._configs[sha] = _parse_config(self.repo.cat_blobs([sha]).get(sha))
        return self._configs[sha] or self.current_config()

    def project_at(self, rev: str) -> Project:
        commit = self.resolve(rev)
        return Project(
            root=self.root, config=self.config_at(commit), files=self.files_at(commit), validate=self.validate
        )

    def rev_at(self, when: dt.datetime) -> str | None:
        return rev_at(self.root, when, repo=self.repo)


def _is_sha(rev: str) -> bool:
    return len(rev) == 40 and all(c in "0123456789abcdef" for c in rev)


def _parse_config(raw: bytes | None) -> Config | None:
    if raw is None:
        return None
    from reqctl.store.configfile import parse_config

    try:
        return parse_config(raw)
    except ReqctlError:
        return None


def project_at(root: Path, rev: str, *, reader: HistoryReader | None = None) -> Project:
    """The project as committed at ``rev`` (config from that revision, else the current one)."""
    return (reader or HistoryReader(root)).project_at(rev)


def rev_at(root: Path, when: dt.datetime, *, repo: GitRepo | None = None) -> str | None:
    """The last commit on HEAD's first-parent line committed at or before ``when``.

    A naive ``when`` is local time.  None when HEAD has no commit that old.
    """
    repo = repo or open_git(root)
    if not repo.has_commits():
        return None
    stamp = int(when.timestamp())
    out = repo.text("rev-list", "-1", "--first-parent", f"--before={stamp}", "HEAD").strip()
    return out or None


__all__ = ["HistoryReader", "project_at", "rev_at"]
