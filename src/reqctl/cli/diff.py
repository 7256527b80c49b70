"""``reqctl diff REV [REV2]`` and ``reqctl req history ID``: semantic history views."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import UsageError
from reqctl.messages import _, data_word, language, lazy, render

if TYPE_CHECKING:
    from reqctl.history.diff import FieldChange, ItemChange, ProjectDiff

FORMATS = ("text", "md", "json")
_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _value(value: Any) -> str:
    if value is None:
        return _("(none)")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


# Fields whose values are data words (a status, a priority), shown in the run's language.
_WORD_FIELDS = frozenset({"status", "priority", "severity", "kind", "channel"})


def _field_value(name: str, value: Any) -> str:
    if name in _WORD_FIELDS and isinstance(value, str):
        return data_word(value)
    return _value(value)


def field_lines(change: FieldChange, indent: str = "    ") -> list[str]:
    from reqctl.render.i18n import field

    old, new = change.old, change.new
    name = field(change.field, language())
    if isinstance(old, list) or isinstance(new, list):
        before = [_value(v) for v in old or []]
        after = [_value(v) for v in new or []]
        lines = [_("{field}:").format(field=f"{indent}{name}")]
        lines += [f"{indent}  - {v}" for v in before if v not in after]
        lines += [f"{indent}  + {v}" for v in after if v not in before]
        if len(lines) == 1:
            lines.append(f"{indent}  " + _("(order changed)") + f" {', '.join(after)}")
        return lines
    return [_("{field}: {old} → {new}").format(field=f"{indent}{name}", old=_field_value(change.field, old),
                                                 new=_field_value(change.field, new))]


def item_text(item: ItemChange, *, body: bool = True) -> list[str]:
    state_word = {"added": _("(added)"), "removed": _("(removed)")}.get(item.change, "")
    lines = [f"{_MARK[item.change]} {item.id}  {item.title}" + (f"  {state_word}" if state_word else "")]
    if item.change != "changed":
        return lines
    for change in item.fields:
        lines += field_lines(change)
    if item.body_diff:
        if body:
            lines.append("    " + _("body:"))
            lines += [f"      {line}" for line in item.body_diff.splitlines()[2:]]
        else:
            lines.append("    " + _("body: changed"))
    return lines


def _label(rev: str | None) -> str:
    return render(rev) if rev is not None else _("working tree")


def render_text(diff: ProjectDiff) -> str:
    head = _("{old} → {new}: {added} added, {removed} removed, {changed} changed").format(
        old=_label(diff.old_rev), new=_label(diff.new_rev), added=len(diff.added), removed=len(diff.removed),
        changed=len(diff.changed),
    )
    lines = [head]
    for item in diff.items:
        lines.append("")
        lines += item_text(item)
    return "\n".join(lines)


def render_markdown(diff: ProjectDiff) -> str:
    """Release notes (``--format md``): escaped user text, changes as prose (history/notes.py)."""
    from reqctl.history.notes import release_notes

    return release_notes(diff)


def register(app: typer.Typer) -> None:
    @app.command("diff", short_help="Items added, removed and changed between revisions.")
    def diff_command(
        ctx: typer.Context,
        rev: Annotated[str, typer.Argument(help="Old revision: a tag, branch or commit.")],
        rev2: Annotated[str | None, typer.Argument(help="New revision (default: the working tree).")] = None,
        output_format: Annotated[
            str, typer.Option("--format", "-f", metavar="<text|md|json>", help="Output (md: release notes).")
        ] = "text",
        as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    ) -> None:
        """Show items added, removed and changed (field by field) between two revisions."""
        from reqctl.history.snapshots import HistoryReader
        from reqctl.locate import find_root
        from reqctl.ops.history import diff_revisions

        fmt = "json" if as_json else output_format
        if fmt not in FORMATS:
            raise UsageError(lazy("--format {format}: use one of {formats}", format=fmt, formats=", ".join(FORMATS)))
        reader = HistoryReader(find_root(state(ctx).directory))
        diff = diff_revisions(reader, rev, rev2)
        if fmt == "json":
            console.print_json(diff.to_json())
        elif fmt == "md":
            console.print_plain(render_markdown(diff))
        else:
            console.print_plain(render_text(diff))


def register_req_history(group: typer.Typer) -> None:
    @group.command("history", short_help="Commits that touched an item, field by field.")
    def history_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        """List the commits that touched an item: who, when, and which fields changed."""
        from reqctl.history.snapshots import HistoryReader
        from reqctl.locate import find_root
        from reqctl.ops.history import item_history

        reader = HistoryReader(find_root(state(ctx).directory))
        found_id, entries = item_history(reader, item_id)
        if as_json:
            console.print_json({"id": found_id, "commits": [e.to_json() for e in entries]})
            return
        rows = [
            (
                e.commit.sha[:10],
                e.commit.authored.date().isoformat(),
                e.commit.author_email,
                {"added": _("added"), "removed": _("removed")}.get(e.change, e.change)
                if e.change != "changed" else ", ".join(e.fields),
                e.commit.subject,
            )
            for e in entries
        ]
        columns = ("commit", "date", "author", "changed", "subject")
        headers = (_("commit"), _("date"), _("author"), _("changed"), _("subject"))
        console.stdout().print(console.table(columns, rows, title=found_id, headers=headers))
