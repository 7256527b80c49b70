"""``reqctl review``: personal review links for customers (invite, list, revoke)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.messages import _, data_word

if TYPE_CHECKING:
    from reqctl.model.config import Config


def _roles(roles: tuple[str, ...]) -> str:
    """Role names as words of the run's language (customer → 客户)."""
    return _(", ").join(data_word(role) for role in roles)


def _person(config: Config, email: str) -> str:
    """``Name <email>`` when the people directory knows them (the link goes to that address), else the e-mail."""
    name = config.person_name(email)
    return email if name == email else f"{name} <{email}>"


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
            _("invitation {id} for {email} ({roles}), valid until {until} UTC; "
              "send this link to them only (it works once):").format(
                id=inv.id, email=_person(project.config, inv.email), roles=_roles(inv.roles),
                until=inv.expires.strftime("%Y-%m-%d %H:%M"))
        )
        console.print_plain(made.link)
        if made.recorded:
            console.print_plain(
                _("recorded in {path}, commit {commit} by {recorder} (no secret in it): "
                  "push it so CI can verify approvals").format(
                    path=f"reviews/invitations/{inv.id}.yaml", commit=made.recorded[:10],
                    recorder=project.config.review.recorder)
            )
        if not project.config.review.recorder:
            console.warning_line(
                _("reqctl.yaml names no review.recorder: the invitation is not recorded in {folder}, "
                  "so only this repository can verify approvals made with it").format(folder="reviews/invitations/")
            )

    @group.command("list")
    def list_command(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        """Open invitations: not revoked, not expired."""
        from reqctl.review import invitations

        project = state(ctx).project_config()
        found = invitations.open_invitations(project.root)
        if as_json:
            console.print_json(
                [{k: v for k, v in inv.to_json().items() if k != "secret_sha256"} for inv in found]
            )
            return
        if not found:
            console.print_plain(_("no open review invitations"))
            return
        for inv in found:
            used = _("opened {when}").format(when=inv.used_at.strftime("%Y-%m-%d %H:%M")) if inv.used_at \
                else _("not opened yet")
            until = _("until {when} UTC").format(when=inv.expires.strftime("%Y-%m-%d %H:%M"))
            console.print_plain(
                f"{inv.id}  {_person(project.config, inv.email)}  {_roles(inv.roles)}  {until}  {used}"
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
        console.print_plain(_("revoked {ids} for {email}").format(
            ids=", ".join(inv.id for inv in ended), email=_person(project.config, ended[0].email)))
