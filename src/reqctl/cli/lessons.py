"""``reqctl lessons``: share lessons learned between projects (export, import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.messages import NP_, ngettext, pgettext

# The import states ops report, as shown (gettext marks them; the keys stay English).
_STATES = {"added": NP_("import", "added"), "updated": NP_("import", "updated"),
           "unchanged": NP_("import", "unchanged")}


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Share lessons learned across projects: export this project's, import earlier projects'.",
        short_help="Share lessons across projects.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="lessons")

    @group.command("export", short_help="Write this project's lessons to a portable file.")
    def export_command(
        ctx: typer.Context,
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write to this file (atomically) instead of stdout.")
        ] = None,
    ) -> None:
        """Write the project's lessons (category, context, links, body) as a versioned JSON file."""
        from reqctl.ops import lessons as ops
        from reqctl.ops.report_output import output_path, write_output

        text, count = ops.export_text(state(ctx).directory)
        if output is None:
            console.print_plain(text.rstrip("\n"))
            return
        write_output(output_path(output, Path.cwd()), text)
        console.stderr().print(ngettext("wrote {file} ({n} lesson)", "wrote {file} ({n} lessons)", count).format(
            file=output, n=count), style="dim", markup=False)

    @group.command("import", short_help="Bring other projects' lesson exports into knowledge/.")
    def import_command(
        ctx: typer.Context,
        files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Lesson exports of other projects.")],
    ) -> None:
        """Keep other projects' exports read-only in knowledge/ (one file per project; re-importing replaces)."""
        from reqctl.ops import lessons as ops

        cwd = Path.cwd()
        results = ops.import_files(state(ctx).directory, [f if f.is_absolute() else cwd / f for f in files],
                                   [str(f) for f in files])
        for r in results:
            line = ngettext("{file}: {n} lesson from '{project}' ({state})",
                            "{file}: {n} lessons from '{project}' ({state})", r.lessons)
            shown = pgettext("import", _STATES[r.state])
            console.print_plain(line.format(file=r.path, n=r.lessons, project=r.project, state=shown))
