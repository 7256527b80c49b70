"""Writing a rendered report: stdout or an atomically replaced file."""

from __future__ import annotations

from pathlib import Path

from reqctl.errors import UsageError
from reqctl.messages import lazy
from reqctl.store.atomic import write_atomic


def output_path(raw: Path, cwd: Path) -> Path:
    """The file ``-o`` names: relative paths are relative to where the user ran reqctl."""
    path = raw if raw.is_absolute() else cwd / raw
    if path.is_dir():
        raise UsageError(lazy("-o {path}: is a folder; give a file name", path=str(raw)))
    if not path.parent.is_dir():
        raise UsageError(lazy("-o {path}: folder {folder} does not exist", path=str(raw), folder=str(path.parent)))
    return path


def write_output(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))
