"""The ``Store``: the one place that decides what reqctl reads, trusts and caches.

Every use-case receives a ``Store`` for one project.  It owns

- the project root (the folder holding ``reqctl.yaml``);
- the policy: roles, approvals and ``check`` settings, read from the working
  tree, or from a protected revision (``use_policy_from``) when the working
  tree is a branch under review and must not choose its own rules;
- the read path: item files parsed with the fast loader, never through a
  symlink, with the per-file parse cache;
- the cache database and the lock, both in the state folder inside git's
  directory, where a checkout cannot write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reqctl.errors import ConfigError
from reqctl.locate import CONFIG_FILE, find_root
from reqctl.messages import lazy, os_reason
from reqctl.model.ids import Kind, normalize_id_argument, split_id
from reqctl.store.cache import Cache
from reqctl.store.lock import project_lock
from reqctl.store.reader import FileEntry, ItemFile, read_all, read_file, read_no_follow, scan
from reqctl.store.statedir import LEGACY_DIR

if TYPE_CHECKING:  # pydantic and the models load only when a configuration or item is read
    from reqctl.model.config import Config
    from reqctl.model.project import Project

POLICY_FIELDS = ("roles", "approvals", "check", "review")  # review.recorder vouches for review-link approvals
_WHERE = "reqctl keeps its caches in git's directory, never in the working tree"


@dataclass
class Store:
    root: Path
    use_cache: bool = True
    policy_rev: str | None = None
    _branch_config: Config | None = field(default=None, repr=False)
    _base_config: Config | None = field(default=None, repr=False)
    _cache: Cache | None = field(default=None, repr=False)

    @classmethod
    def open(cls, start: Path, *, use_cache: bool = True) -> Store:
        """The store of the project at or above ``start``."""
        return cls(find_root(start), use_cache=use_cache)

    # ---------------------------------------------------------- policy ----

    def config_bytes(self) -> bytes:
        path = self.root / CONFIG_FILE
        if path.is_symlink():
            raise ConfigError(lazy("is a symbolic link; reqctl.yaml must be a regular file (not followed)"),
                              path=CONFIG_FILE)
        try:
            return read_no_follow(path)
        except OSError as exc:
            raise ConfigError(lazy("cannot read: {reason}", reason=os_reason(exc)), path=CONFIG_FILE) from None

    def branch_config(self) -> Config:
        """``reqctl.yaml`` as the working tree has it."""
        if self._branch_config is None:
            from reqctl.store.configfile import parse_config

            self._branch_config = parse_config(self.config_bytes())
        return self._branch_config

    def use_policy_from(self, rev: str) -> None:
        """Take roles, approvals and check settings from ``rev`` (a protected base), not the working tree."""
        from reqctl.gitio.objects import config_blob_at
        from reqctl.gitio.repo import open_repo
        from reqctl.store.configfile import parse_config

        repo = open_repo(self.root)
        if repo is None:
            raise ConfigError(lazy("--base needs a git repository"))
        sha = repo.resolve(rev)
        blob = config_blob_at(repo, sha)
        self.policy_rev = sha
        if blob is None:  # the project is new on this branch: there is no policy to protect yet
            self._base_config = None
            return
        raw = repo.cat_blobs([blob]).get(blob, b"")
        self._base_config = parse_config(raw, f"{CONFIG_FILE}@{rev}")

    def base_config(self) -> Config | None:
        """The policy revision's configuration (None without one, or when it had no reqctl.yaml)."""
        return self._base_config

    def config(self) -> Config:
        """The configuration in force: the working tree's, with the policy of ``policy_rev`` if set."""
        branch = self.branch_config()
        base = self._base_config
        if base is None:
            return branch
        return branch.model_copy(update={name: getattr(base, name) for name in POLICY_FIELDS})

    def policy_changed(self) -> list[str]:
        """The policy settings the working tree changes against the policy revision."""
        base = self._base_config
        if base is None:
            return []
        branch = self.branch_config()
        return [name for name in POLICY_FIELDS if getattr(branch, name) != getattr(base, name)]

    # ------------------------------------------------------- read path ----

    @property
    def cache(self) -> Cache:
        if self._cache is None:
            self._cache = Cache(self.root, enabled=self.use_cache)
        return self._cache

    def scan(self) -> list[FileEntry]:
        return scan(self.root)

    def read_all(self, entries: list[FileEntry] | None = None, *, subset: bool = False) -> list[ItemFile]:
        """Parsed item files (all, or ``entries``; ``subset`` when those are not every file)."""
        return read_all(self.root, cache=self.cache if self.use_cache else None, entries=entries, subset=subset)

    def project(self, entries: list[FileEntry] | None = None) -> Project:
        """Every item of the project, validated."""
        from reqctl.model.project import Project

        return Project(root=self.root, config=self.config(), files=self.read_all(entries))

    def project_config(self) -> Project:
        """Root and configuration without reading any item (for ``add``)."""
        from reqctl.model.project import Project

        return Project(root=self.root, config=self.config(), files=[])

    def project_with(self, raw_id: str, kind: Kind | None = None) -> Project:
        """A project holding just the file of one item, for commands that touch one item.

        Reading one file instead of thousands keeps ``show``, ``status``, ``edit``
        and ``approve`` instant on large projects.  Falls back to the full project
        when the file name does not lead to the item.
        """
        from reqctl.model.project import Project

        config = self.config()
        item_id = normalize_id_argument(raw_id)
        parts = split_id(item_id)
        item_kind = kind or (config.kind_for_prefix(parts[0]) if parts else None)
        if item_kind is not None and parts is not None:
            folder = self.root / item_kind.folder
            candidate = folder / f"{item_id}.md"
            if not candidate.is_file() and folder.is_dir() and not folder.is_symlink():
                same_number = [
                    path.name for path in folder.iterdir()
                    if path.suffix == ".md" and split_id(path.stem) == parts
                ]
                candidate = folder / same_number[0] if len(same_number) == 1 else candidate
            if candidate.is_file() or candidate.is_symlink():
                single = Project(root=self.root, config=config, files=[read_file(self.root, item_kind, candidate)])
                if single.items or single.files_by_id or single.files[0].error is not None:
                    return single
        return self.project()

    # ------------------------------------------------------------ writes ----

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        with project_lock(self.root):
            yield

    # ----------------------------------------------------------- hygiene ----

    def legacy_state_warning(self) -> str | None:
        """A warning when the checkout holds a ``.reqctl`` that is a symlink or tracked by git.

        Older versions kept caches there; reqctl now ignores it entirely.
        """
        legacy = self.root / LEGACY_DIR
        if legacy.is_symlink():
            return f"{LEGACY_DIR} is a symbolic link in the working tree; ignored ({_WHERE})"
        if not legacy.exists():
            return None
        from reqctl.gitio.repo import is_tracked

        if is_tracked(self.root, LEGACY_DIR):
            return f"{LEGACY_DIR}/ is tracked by git; ignored ({_WHERE})"
        return None

