"""Per-invocation state passed through typer's context object (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from reqctl.model.ids import Kind
    from reqctl.model.project import Project


@dataclass
class AppState:
    directory: Path = field(default_factory=Path.cwd)
    debug: bool = False
    use_cache: bool = True

    def project(self) -> Project:
        from reqctl.model.project import load_project

        return load_project(self.directory, use_cache=self.use_cache)


    def project_config(self) -> Project:
        """Root and configuration without reading any item (see ``load_without_items``)."""
        from reqctl.model.project import load_without_items

        return load_without_items(self.directory)

    def project_with(self, item_id: str, kind: Kind | None = None) -> Project:
        """Only what a one-item command needs (see ``load_with_item``)."""
        from reqctl.model.project import load_with_item

        return load_with_item(self.directory, item_id, kind)


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
