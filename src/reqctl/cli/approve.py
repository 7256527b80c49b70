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
        from reqctl.messages import _, data_word

        awaiting = _("; still awaiting {roles}").format(roles=", ".join(result.awaiting)) if result.awaiting else ""
        role = data_word(result.role)
        # people by name from the directory in reqctl.yaml (the e-mail where none is known)
        who = ", ".join(project.config.person_name(email.strip()) for email in result.by.split(","))
        if result.unchanged:
            console.print_plain(
                _("{id} is already approved by {by} as {role} for this content{awaiting}").format(
                    id=result.item_id, by=who, role=role, awaiting=awaiting
                )
            )
            return
        moved = ""
        if result.old_status != result.new_status:
            moved = _("; status {old} → {new}").format(
                old=data_word(result.old_status), new=data_word(result.new_status),
            )
        console.print_plain(
            _("{id} approved by {by} as {role} (fingerprint {fingerprint}){moved}{awaiting}").format(
                id=result.item_id, by=who, role=role, fingerprint=short(result.fingerprint), moved=moved,
                awaiting=awaiting,
            )
        )
