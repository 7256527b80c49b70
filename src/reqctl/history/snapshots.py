"""Projects as they were at any revision, read from git objects.

A ``HistoryReader`` keeps a cache of parsed files keyed on blob sha (plus
path), so reading many revisions only parses the blobs that changed.  Use one
reader for a whole walk (a weekly report, a burn-up chart); the module-level
``project_at`` is a convenience that makes a fresh reader each call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reqctl.errors import GitError, ReqctlError
from reqctl.gitio.objects import TreeFile, config_blob_at, item_files_at, kind_of_path
from reqctl.gitio.repo import GitRepo, open_repo
from reqctl.model.config import CONFIG_FILE, Config
from reqctl.model.ids import Kind
from reqctl.model.project import Project, find_root, load_config
from reqctl.store import frontmatter
from reqctl.store.reader import ItemFile, parse_bytes


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
        raise GitError(f"{root} is not inside a git repository; history needs git")
    return repo


class HistoryReader:
    """Reads item files, configs and whole projects at revisions of one repository."""

    def __init__(self, root: Path, repo: GitRepo | None = None) -> None:
        self.root = find_root(root)
        self.repo = repo or open_git(self.root)
        self._files: dict[tuple[str, str], ItemFile] = {}
        self._configs: dict[str, Config | None] = {}
        self._current: Config | None = None

    def resolve(self, rev: str) -> str:
        return self.repo.resolve(rev)

    def current_config(self) -> Config:
        if self._current is None:
            self._current = load_config(self.root)
        return self._current

    def tree(self, rev: str, kinds: tuple[Kind, ...] = tuple(Kind)) -> list[TreeFile]:
        return item_files_at(self.repo, rev, kinds)

    def parse(self, entries: list[TreeFile]) -> list[ItemFile]:
        """Parsed files for tree entries, reading only blobs not seen before."""
        missing = [e.sha for e in entries if (e.sha, e.path) not in self._files]
        if missing:
            blobs = self.repo.cat_blobs(missing)
            with paused_gc():
                for entry in entries:
                    key = (entry.sha, entry.path)
                    if key not in self._files and entry.sha in blobs:
                        self._files[key] = parse_bytes(entry.kind, entry.path, blobs[entry.sha])
        return [self._files[(e.sha, e.path)] for e in entries if (e.sha, e.path) in self._files]

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
        return Project(root=self.root, config=self.config_at(commit), files=self.files_at(commit))

    def rev_at(self, when: dt.datetime) -> str | None:
        return rev_at(self.root, when, repo=self.repo)


def _parse_config(raw: bytes | None) -> Config | None:
    if raw is None:
        return None
    try:
        data: Any = frontmatter.load_yaml(
            frontmatter.decode(raw, CONFIG_FILE), CONFIG_FILE, first_line=1
        )
        return Config.model_validate(data) if isinstance(data, dict) else None
    except (ReqctlError, ValidationError):
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
