"""Per-invocation state passed through typer's context object (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from reqctl.model.project import Project, load_project


@dataclass
class AppState:
    directory: Path = field(default_factory=Path.cwd)
    debug: bool = False
    use_cache: bool = True

    def project(self) -> Project:
        return load_project(self.directory, use_cache=self.use_cache)


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
