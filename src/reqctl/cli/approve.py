"""``reqctl approve``."""

from __future__ import annotations

from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state


def register(app: typer.Typer) -> None:
    @app.command("approve", short_help="Approve a requirement's current content.")
    def approve_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        by: Annotated[str | None, typer.Option("--by", help="Approver e-mail (default: git user.email).")] = None,
    ) -> None:
        """Approve a requirement's current content (records who and a fingerprint)."""
        from reqctl.model.fingerprint import short
        from reqctl.ops.items import approve_requirement_guarded

        project = state(ctx).project_with(item_id)
        result = approve_requirement_guarded(project, item_id, by)
        if result.unchanged:
            console.print_plain(f"{result.item_id} is already approved by {result.by} for this content")
            return
        moved = f"; status {result.old_status} → {result.new_status}" if result.old_status != result.new_status else ""
        console.print_plain(
            f"{result.item_id} approved by {result.by} (fingerprint {short(result.fingerprint)}){moved}"
        )
