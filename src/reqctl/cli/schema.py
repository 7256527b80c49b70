"""``reqctl schema KIND``: the JSON Schema of an item kind's front matter or of reqctl.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.messages import _

KINDS = ("requirement", "change", "risk", "decision", "meeting", "feedback", "lesson", "config")  # ops.schema


def register(app: typer.Typer) -> None:
    @app.command("schema", short_help="JSON Schema of an item kind or reqctl.yaml.")
    def schema_command(
        kind: Annotated[str, typer.Argument(metavar="KIND", help=f"One of: {', '.join(KINDS)}.")],
        out: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")]
        = None,
    ) -> None:
        """Print the JSON Schema (draft 2020-12) of an item kind's front matter, or of reqctl.yaml (KIND config).

        KIND is one of requirement, change, risk, decision, meeting, feedback,
        lesson, config. Editors use it to check files as you type; the schema
        comes from the models 'reqctl check' validates with.
        """
        from reqctl.ops import schema as ops
        from reqctl.store.atomic import write_atomic

        text = ops.render(kind)
        if out is None:
            console.print_plain(text)
            return
        write_atomic(out, text.encode("utf-8"))
        console.print_plain(_("wrote the {kind} schema to {file}").format(kind=kind, file=out))
