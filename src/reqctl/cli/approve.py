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
        role: Annotated[
            str | None,
            typer.Option(
                "--role", help="The role you approve in (default: the one required role you hold still awaited)."
            ),
        ] = None,
    ) -> None:
        """Approve a requirement's current content in one role (records who, role, date and a fingerprint)."""
        from reqctl.model.fingerprint import short
        from reqctl.ops.items import approve_requirement_guarded

        project = state(ctx).project_with(item_id)
        result = approve_requirement_guarded(project, item_id, by, role=role)
        awaiting = f"; still awaiting {', '.join(result.awaiting)}" if result.awaiting else ""
        # people by name from the directory in reqctl.yaml (the e-mail where none is known)
        who = ", ".join(project.config.person_name(email.strip()) for email in result.by.split(","))
        if result.unchanged:
            console.print_plain(
                f"{result.item_id} is already approved by {who} as {result.role} for this content{awaiting}"
            )
            return
        moved = f"; status {result.old_status} → {result.new_status}" if result.old_status != result.new_status else ""
        console.print_plain(
            f"{result.item_id} approved by {who} as {result.role} "
            f"(fingerprint {short(result.fingerprint)}){moved}{awaiting}"
        )
