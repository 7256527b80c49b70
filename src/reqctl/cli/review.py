"""``reqctl review``: personal review links for customers (invite, list, revoke)."""

from __future__ import annotations

from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Review links: customers approve in a browser through 'reqctl serve'.",
        short_help="Review links for customers (invite, list, revoke).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="review")

    @group.command("invite")
    def invite_command(
        ctx: typer.Context,
        email: Annotated[str, typer.Argument(metavar="EMAIL", help="Someone holding a role in reqctl.yaml.")],
        expires: Annotated[str, typer.Option("--expires", help="How long the link is valid: 14d, 12h, 30m.")] = "14d",
        base_url: Annotated[
            str, typer.Option("--base-url", help="Where 'reqctl serve' is reached (your reverse proxy).")
        ] = "http://127.0.0.1:8765",
    ) -> None:
        """Print a personal review link (shown once; only its hash is kept, in git's directory)."""
        from reqctl.review import invitations

        project = state(ctx).project_config()
        made = invitations.invite(project.root, project.config, email, expires=expires, base_url=base_url)
        inv = made.invitation
        console.print_plain(
            f"invitation {inv.id} for {inv.email} ({', '.join(inv.roles)}), valid until "
            f"{inv.expires.strftime('%Y-%m-%d %H:%M')} UTC; send this link to them only (it works once):"
        )
        console.print_plain(made.link)
        if made.recorded:
            console.print_plain(
                f"recorded in reviews/invitations/{inv.id}.yaml, commit {made.recorded[:10]} "
                f"by {project.config.review.recorder} (no secret in it): push it so CI can verify approvals"
            )
        if not project.config.review.recorder:
            console.warning_line(
                "reqctl.yaml names no review.recorder: the invitation is not recorded in reviews/invitations/, "
                "so only this repository can verify approvals made with it"
            )

    @group.command("list")
    def list_command(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        """Open invitations: not revoked, not expired."""
        from reqctl.review import invitations

        found = invitations.open_invitations(state(ctx).project_config().root)
        if as_json:
            console.print_json(
                [{k: v for k, v in inv.to_json().items() if k != "secret_sha256"} for inv in found]
            )
            return
        if not found:
            console.print_plain("no open review invitations")
            return
        for inv in found:
            used = f"  opened {inv.used_at.strftime('%Y-%m-%d %H:%M')}" if inv.used_at else "  not opened yet"
            console.print_plain(
                f"{inv.id}  {inv.email}  {', '.join(inv.roles)}  "
                f"until {inv.expires.strftime('%Y-%m-%d %H:%M')} UTC{used}"
            )

    @group.command("revoke")
    def revoke_command(
        ctx: typer.Context,
        email: Annotated[str, typer.Argument(metavar="EMAIL")],
    ) -> None:
        """End every open invitation of this person, and their sessions, at once."""
        from reqctl.review import invitations

        project = state(ctx).project_config()
        ended = invitations.revoke(project.root, email, project.config)
        console.print_plain(f"revoked {', '.join(inv.id for inv in ended)} for {ended[0].email}")
