"""Finding a project's root: the nearest folder holding ``reqctl.yaml``.

Kept free of heavy imports: it runs on every command, including the cached
``check`` path.
"""

from __future__ import annotations

from pathlib import Path

from reqctl.errors import ProjectNotFoundError
from reqctl.messages import lazy, os_reason

CONFIG_FILE = "reqctl.yaml"


def repo_prefix(root: Path) -> str:
    """The project root relative to its git work tree (``''`` or ``'sub/dir/'``), without running git."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            rel = root.relative_to(folder).as_posix()
            return "" if rel == "." else f"{rel}/"
    return ""


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``reqctl.yaml``."""
    try:
        start = start.resolve()
    except OSError as exc:
        raise ProjectNotFoundError(lazy("cannot open folder {folder}: {reason}", folder=start,
                                        reason=os_reason(exc))) from None
    if not start.is_dir():
        raise ProjectNotFoundError(lazy("no such folder: {folder}", folder=start))
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise ProjectNotFoundError(
        lazy("not a reqctl project: no {file} in {folder} or any parent folder (run 'reqctl init')",
             file=CONFIG_FILE, folder=start)
    )
