"""Where reqctl keeps its own state (caches, the lock): never in the working tree.

A pull request controls every byte of the checkout, including any
``.reqctl/`` folder or symlink it adds, so caches and the lock live where a
checkout cannot write: inside git's own directory (``.git/reqctl/``; git
never checks a ``.git`` path out), keyed by the project's folder within the
repository.  A project outside git uses the user's cache directory, keyed by
the project's absolute path.  Found without running git: this runs on every
command, including the cached ``check`` path.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

LEGACY_DIR = ".reqctl"  # where older versions kept caches; now ignored


def _git_dir(top: Path) -> Path | None:
    """The git directory of the work tree at ``top`` (``.git`` folder or ``gitdir:`` file)."""
    dot_git = top / ".git"
    try:
        if dot_git.is_dir() and not dot_git.is_symlink():
            return dot_git
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                target = target if target.is_absolute() else (top / target)
                if target.is_dir():
                    return target.resolve()
    except OSError:
        return None
    return None


def _user_cache_home() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"


def state_dir(root: Path) -> Path:
    """The folder for this project's caches and lock (not created here)."""
    root = root.resolve()
    for folder in (root, *root.parents):
        git_dir = _git_dir(folder)
        if git_dir is not None:
            rel = root.relative_to(folder).as_posix()
            key = "root" if rel == "." else "p-" + hashlib.sha256(rel.encode()).hexdigest()[:16]
            return git_dir / "reqctl" / key
        if (folder / ".git").exists():
            break  # a .git we cannot use: do not look further up
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:24]
    return _user_cache_home() / "reqctl" / digest


def ensure_state_dir(root: Path) -> Path | None:
    """``state_dir(root)``, created (private to the user); None when it cannot be."""
    folder = state_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    if folder.is_symlink() or not folder.is_dir():
        return None
    return folder
