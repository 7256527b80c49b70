"""``reqctl publish DIR``: a static HTML site of the project."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.cli.report import LangOption
from reqctl.messages import _, render


def register(app: typer.Typer) -> None:
    @app.command("publish", short_help="Write a static HTML site of the project.")
    def publish(
        ctx: typer.Context,
        directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write the site into.")],
        lang: LangOption = None,
        weeks: Annotated[int, typer.Option("--weeks", help="Weeks shown in the burn-up chart.")] = 8,
    ) -> None:
        """Write a static HTML site: dashboard, item pages, lists, reports and the specification."""
        from reqctl.cli.items import warn_invalid
        from reqctl.ops import reports
        from reqctl.ops.publish import publish_site

        project = state(ctx).project()
        warn_invalid(project)
        language = reports.resolve_language(project, lang)
        target = directory if directory.is_absolute() else Path.cwd() / directory
        result = publish_site(project, target, language, dt.date.today(), weeks=weeks)
        for warning in result.skipped:
            sys.stderr.write(f"warning: {render(warning)}\n")
        console.print_plain(_("published {pages} pages to {folder} (open {index})").format(
            pages=result.pages, folder=directory, index=directory / "index.html"
        ))
