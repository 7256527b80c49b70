"""Per-invocation state passed through typer's context object (no module globals)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from reqctl.model.ids import Kind
    from reqctl.model.project import Project
    from reqctl.store.store import Store


@dataclass
class AppState:
    directory: Path = field(default_factory=Path.cwd)
    debug: bool = False
    use_cache: bool = True

    def store(self) -> Store:
        """The store of the project at or above ``directory``."""
        from reqctl.store.store import Store

        return Store.open(self.directory, use_cache=self.use_cache)

    def project(self) -> Project:
        return self.store().project()

    def project_config(self) -> Project:
        """Root and configuration without reading any item."""
        return self.store().project_config()

    def project_with(self, item_id: str, kind: Kind | None = None) -> Project:
        """Only what a one-item command needs (see ``Store.project_with``)."""
        return self.store().project_with(item_id, kind)


_LANGUAGE_LINE = re.compile(rb"^language:[ \t]*['\"]?([A-Za-z_-]+)", re.MULTILINE)


def project_language(start: Path) -> str | None:
    """The ``language:`` of the project at or above ``start``, read without parsing reqctl.yaml.

    The messages of a run need it before (and whether or not) a command reads
    the configuration; a missing or unreadable project says nothing (None).
    """
    from reqctl.errors import ReqctlError
    from reqctl.locate import CONFIG_FILE, find_root
    from reqctl.store.reader import read_no_follow

    try:
        text = read_no_follow(find_root(start) / CONFIG_FILE)
    except (ReqctlError, OSError):
        return None
    found = _LANGUAGE_LINE.search(text)
    return found.group(1).decode() if found else None


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
