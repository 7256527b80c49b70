"""Edits without an editor: ``meeting action done``, ``risk update``, ``req set`` (logic in ops/item_edit.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.messages import _, data_word, language
from reqctl.model.ids import Kind


def _field_names(keys: Sequence[str]) -> str:
    """Field keys as the user reads them (负责人 for owner in Chinese; English shows the key)."""
    from reqctl.render.i18n import field

    return ", ".join(field(key, language()) for key in keys)


def register(group: typer.Typer, kind: Kind) -> None:
    """Add this kind's field-editing commands to its group (only meetings, risks and requirements have them)."""
    if kind is Kind.MEETING:
        _register_actions(group)
    elif kind is Kind.RISK:
        _register_risk_update(group)
    elif kind is Kind.REQUIREMENT:
        _register_req_set(group)


def _register_actions(group: typer.Typer) -> None:
    actions = typer.Typer(help="A meeting's action items.", no_args_is_help=True, rich_markup_mode=None)
    group.add_typer(actions, name="action")

    @actions.command("done")
    def done_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="MEETING")],
        number: Annotated[int | None, typer.Argument(metavar="[NUMBER]", help="1-based, as 'show' numbers them.")]
        = None,
        what: Annotated[str | None, typer.Option("--what", help="Pick the action whose text contains this.")] = None,
    ) -> None:
        """Mark an action item done, by number or by --what TEXT."""
        from reqctl.ops.item_edit import close_action

        project = state(ctx).project_with(item_id, Kind.MEETING)
        done = close_action(project, item_id, number, what)
        if done.already:
            line = _("{meeting} action {number} was already done: {what}")
        else:
            line = _("{meeting} action {number} done: {what}")
        console.print_plain(line.format(meeting=done.meeting, number=done.number, what=done.what))


def _register_risk_update(group: typer.Typer) -> None:
    @group.command("update")
    def update_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        probability: Annotated[int | None, typer.Option(help="New probability, 1 to 5.")] = None,
        impact: Annotated[int | None, typer.Option(help="New impact, 1 to 5.")] = None,
        status: Annotated[
            str | None, typer.Option(metavar="<open|mitigating|closed|occurred>", help="New status.")
        ] = None,
        note: Annotated[str | None, typer.Option(help="Why: added to the risk's review log with today's date.")]
        = None,
    ) -> None:
        """Re-score a risk (and move or annotate it); commit it and the weekly report lists it as re-scored."""
        from reqctl.ops.item_edit import update_risk

        project = state(ctx).project_with(item_id, Kind.RISK)
        result = update_risk(project, item_id, probability=probability, impact=impact, status=status, note=note)
        if not result.changed:
            console.print_plain(_("{id}: no changes").format(id=result.risk))
            return
        parts = [_("score {old} → {new}").format(old=result.old_score, new=result.new_score)
                 if result.old_score != result.new_score else _("score {new}").format(new=result.new_score)]
        if result.old_status != result.new_status:
            parts.append(f"{data_word(result.old_status)} → {data_word(result.new_status)}")
        console.print_plain(_("{id}: {changes}").format(id=result.risk, changes=_(", ").join(parts)))


def _register_req_set(group: typer.Typer) -> None:
    @group.command("set", short_help="Change fields: owner=… milestone=… tags+=x tags-=y.")
    def set_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        assignments: Annotated[
            list[str] | None,
            typer.Argument(metavar="FIELD=VALUE...", help="FIELD=VALUE, or FIELD+=VALUE / FIELD-=VALUE for lists."),
        ] = None,
    ) -> None:
        """Change a requirement's fields, checked like 'add' and 'check'; comments and layout are kept.

        Fields: title, priority, owner, source, milestone (FIELD=VALUE; an
        empty value removes it) and the lists tags, depends_on (comma-separated)
        and acceptance (one criterion per assignment), which also take += and -=.
        """
        from reqctl.ops.item_edit import parse_assignment, set_fields

        parsed = [parse_assignment(text) for text in assignments or ()]
        project = state(ctx).project_with(item_id, Kind.REQUIREMENT)
        result = set_fields(project, item_id, parsed)
        if not result.changed:
            console.print_plain(_("{id}: no changes").format(id=result.item_id))
            return
        console.print_plain(_("{id}: set {fields}").format(id=result.item_id, fields=_field_names(result.changed)))
        if result.suspect:
            console.warning_line(
                _("{id} was approved; changing {fields} makes it suspect: re-approve it with 'reqctl approve {id}'")
                .format(id=result.item_id, fields=_field_names(result.suspect))
            )
