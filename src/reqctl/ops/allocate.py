"""New IDs: one above every ID in the working tree or ever added on any branch, remote or tag.

The project lock (``store.lock``) serializes concurrent ``add`` commands, and the
new file is created exclusively, so parallel processes never share an ID.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from reqctl.errors import GitError
from reqctl.gitio.repo import open_repo
from reqctl.model.config import Config
from reqctl.model.ids import Kind, format_id, split_id
from reqctl.store.lock import project_lock


def _numbers(names: Iterable[str], prefix: str) -> Iterator[tuple[int, int]]:
    for name in names:
        parts = split_id(name.removesuffix(".md"))
        if parts is not None and parts[0] == prefix:
            digits = len(name.removesuffix(".md")) - len(prefix) - 1
            yield parts[1], digits


def next_id(root: Path, config: Config, kind: Kind) -> str:
    """The next free ID; call it while holding ``project_lock``."""
    prefix = config.prefix(kind)
    folder = root / kind.folder
    names = {entry.name for entry in os.scandir(folder)} if folder.is_dir() else set()
    repo = open_repo(root)
    if repo is not None:
        with contextlib.suppress(GitError):  # e.g. a repository without commits yet
            names |= repo.names_ever_added(kind.folder)
    used = list(_numbers(names, prefix))
    highest = max((number for number, _ in used), default=0)
    digits = max((d for _, d in used), default=3)
    return format_id(prefix, highest + 1, digits)


__all__ = ["next_id", "project_lock"]
