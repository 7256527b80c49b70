"""``reqctl init``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reqctl import messages
from reqctl.cli import console
from reqctl.cli.context import state


def register(app: typer.Typer) -> None:
    @app.command("init", short_help="Create a project: reqctl.yaml, folders, CI jobs.")
    def init_command(
        ctx: typer.Context,
        path: Annotated[Path | None, typer.Argument(help="Project folder (default: here).")] = None,
        lang: Annotated[str, typer.Option("--lang", metavar="<en|zh>", help="Project language.")] = "en",
        example: Annotated[bool, typer.Option("--example", help="Fill the project with example content.")] = False,
        ci_install: Annotated[
            str | None,
            typer.Option(
                "--ci-install",
                help="The command the CI jobs install reqctl with (kept as ci.install in reqctl.yaml; "
                "default: pip install reqctl==<this version>).",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Create reqctl.yaml, item folders, CI jobs and a pre-commit hook; never overwrites a file."""
        from reqctl.ops.init import init_project

        base = state(ctx).directory
        target = base / path if path is not None else base
        result = init_project(target, lang=lang, example=example, ci_install=ci_install)
        messages.settle(lang)  # unless --lang or the locale chose: the new project's language
        _ = messages._
        if result.git_initialized:
            console.print_plain(_("initialized a git repository in {folder}").format(folder=result.root))
        for rel in result.created:
            console.print_plain(_("created  {file}").format(file=messages.render(rel)))
        for rel in result.kept:
            console.print_plain(_("kept     {file} (already there)").format(file=messages.render(rel)))
        wrote_config = result.config_written
        if wrote_config and result.approver:
            console.print_plain(
                _("{email} is the project manager and approver (role 'pm').").format(email=result.approver)
            )
        elif wrote_config:
            console.print_plain(_("git has no user.email: add yourself under 'roles: pm:' in reqctl.yaml."))
        elif example:
            console.print_plain(_("the example's reqctl.yaml names its own people under 'roles'; add yourself there."))
        console.print_plain(_("next: reqctl req add \"First requirement\" --acceptance \"...\""))
        # Reports, history and approvals read commits, not the working tree: say so last.
        console.print_plain(_("then commit: git add -A && git commit -m \"Start requirements\" "
                              "(reports read committed history)"))
