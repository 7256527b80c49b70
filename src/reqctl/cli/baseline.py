"""``reqctl baseline``: name a checked state of the project with an annotated tag."""

from __future__ import annotations

from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.messages import _


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Baselines: annotated tags recording a checked state (compare with 'reqctl diff').",
        short_help="Baselines: tags recording a checked state.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="baseline")

    @group.command("create")
    def create_command(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="Tag name, e.g. v1.0.")],
        message: Annotated[str, typer.Option("--message", "-m", help="What this baseline is.")] = "",
    ) -> None:
        """Tag HEAD as a baseline; refused when 'reqctl check' finds errors."""
        from reqctl.ops import baseline as ops

        result = ops.create_baseline(state(ctx).directory, name, message)
        from reqctl.cli.exporting import kind_count

        counts = _(", ").join(kind_count(kind, n) for kind, n in result.counts.items()) or _("no items")
        console.print_plain(_("baseline {name} created at {commit} ({counts})").format(
            name=result.name, commit=result.commit[:10], counts=counts
        ))

    @group.command("list")
    def list_command(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        """Every baseline tag."""
        from reqctl.ops import baseline as ops

        found = ops.list_baselines(state(ctx).directory)
        if as_json:
            console.print_json([b.to_json() for b in found])
            return
        for baseline in found:
            first = baseline.message.splitlines()[0] if baseline.message else ""
            console.print_plain(f"{baseline.name}  {baseline.commit[:10]}  {first}".rstrip())
