"""``reqctl templates list|show|copy``: start a project template from a built-in one."""

from __future__ import annotations

from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.locate import find_root
from reqctl.messages import _


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Report and document templates (a project's templates/ folder overrides).",
                        short_help="Report and document templates.",
                        no_args_is_help=True, rich_markup_mode=None)

    @group.command("list", short_help="Every template and where it comes from.")
    def list_command(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        """Every template and where it comes from (built-in or the project's templates/)."""
        root = find_root(state(ctx).directory)
        from reqctl.ops import report_templates as ops  # Jinja only when used
        rows = ops.list_templates(root)
        if as_json:
            console.print_json([{"name": r.name, "origin": r.origin, "path": r.path} for r in rows])
            return
        origins = {"built-in": _("built-in"), "project": _("project"), "project-only": _("project-only")}
        table = console.table(
            ("name", "origin", "path"), [[r.name, origins.get(r.origin, r.origin), r.path] for r in rows],
            headers=(_("name"), _("origin"), _("path")),
        )
        console.stdout().print(table)

    @group.command("show")
    def show_command(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(metavar="NAME")],
        builtin: Annotated[bool, typer.Option("--builtin", help="Show the built-in one.")] = False,
    ) -> None:
        """Print a template (the project's override if there is one)."""
        root = find_root(state(ctx).directory)
        from reqctl.ops import report_templates as ops  # Jinja only when used
        _info, text = ops.show_template(root, name, builtin=builtin)
        console.print_plain(text)

    @group.command("copy")
    def copy_command(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(metavar="NAME")],
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing copy.")] = False,
    ) -> None:
        """Copy a built-in template into templates/ to customise it."""
        root = find_root(state(ctx).directory)
        from reqctl.ops import report_templates as ops  # Jinja only when used
        target = ops.copy_template(root, name, force=force)
        console.print_plain(_("copied to {path}; edit it and reports will use it").format(
            path=target.relative_to(root).as_posix()
        ))

    app.add_typer(group, name="templates")
