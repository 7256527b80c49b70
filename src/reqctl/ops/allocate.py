"""New IDs: one above every ID in the working tree or ever added on any branch, remote or tag.

A lock file under ``.reqctl/`` serializes concurrent ``add`` commands, and the
new file is created exclusively, so parallel processes never share an ID.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from reqctl.errors import GitError, ReqctlError
from reqctl.gitio.repo import open_repo
from reqctl.model.config import Config
from reqctl.model.ids import Kind, format_id, split_id
from reqctl.store.cache import CACHE_DIR


@contextlib.contextmanager
def project_lock(root: Path) -> Iterator[None]:
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ReqctlError(f"cannot create the lock file: {exc.strerror}", path=folder) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
