"""``reqctl lessons export|import``: the use-cases behind the commands (they return data, never print)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reqctl.knowledge import exportfile, library
from reqctl.ops.writeguard import project_write
from reqctl.store.store import Store


def export_text(root: Path, today: dt.date | None = None) -> tuple[str, int]:
    """The project's lessons as the portable JSON text, and how many there are."""
    export = exportfile.build(Store.open(root).project(), today or dt.date.today())
    return exportfile.dumps(export), len(export.lessons)


def import_files(root: Path, files: list[Path], shown: list[str]) -> list[library.Imported]:
    """Bring other projects' exports into ``knowledge/`` under the project lock (all or nothing)."""
    with project_write(root, commits=False) as top:
        return library.import_exports(Store.open(top).project(), files, shown)
