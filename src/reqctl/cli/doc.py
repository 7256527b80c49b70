"""``reqctl doc srs``: the requirements specification a customer signs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from reqctl.cli.context import state
from reqctl.cli.report import FormatOption, LangOption, OutOption, render_to


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Documents: the requirements specification (srs).", no_args_is_help=True,
                        rich_markup_mode=None)

    @group.command("srs", short_help="The requirements specification (SRS).")
    def srs(
        ctx: typer.Context,
        group_by: Annotated[
            str, typer.Option("--group-by", metavar="<milestone|tag>", help="Group requirements by milestone or tag.")
        ] = "milestone",
        fmt: FormatOption = None,
        lang: LangOption = None,
        out: OutOption = None,
    ) -> None:
        """Render the requirements specification: cover, requirements, traceability, change history."""
        from reqctl.cli.items import warn_invalid
        from reqctl.ops import reports
        from reqctl.ops.report_srs import SRS_KINDS, srs_context

        project = state(ctx).project()
        warn_invalid(project, SRS_KINDS)
        language = reports.resolve_language(project, lang)
        context = srs_context(project, language, dt.date.today(), group_by)
        render_to(project.root, "srs", fmt, context, out)

    app.add_typer(group, name="doc")
