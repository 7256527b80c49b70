"""Per-invocation state passed through typer's context object (no module globals)."""

from __future__ import annotations

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


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
