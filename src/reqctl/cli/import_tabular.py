"""``reqctl import csv|xlsx``: the spreadsheet commands of the ``import`` group.

``register(group)`` adds them to the ``import`` group (``cli/importing.py``
on the importers' branch).  The work is in ``reqctl.importing.tabular``;
this module parses options and prints the outcome in the same shape as the
other importers: one line per created or updated item, a count line, then
the column mapping and notes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import UsageError
from reqctl.messages import _, lazy, render
from reqctl.model.ids import Kind

if TYPE_CHECKING:
    from reqctl.importing.tabular import Sheet, TabularOutcome

Maps = Annotated[
    list[str] | None,
    typer.Option("--map", metavar="COLUMN=FIELD",
                 help="Column to field, e.g. --map 'Req ID=id'; FIELD '-' skips the column (repeatable)."),
]
KindOption = Annotated[
    str | None,
    typer.Option("--kind", metavar="KIND",
                 help="Kind of the rows (default requirement; XLSX sheets named after a kind are that kind)."),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print what would be created or changed; write nothing.")]
Partial = Annotated[bool, typer.Option("--partial", help="Import the valid rows even when others are invalid.")]
KeepIds = Annotated[
    bool, typer.Option("--keep-ids", help="New items keep the sheet's ID when it fits the prefix (REQ001 → REQ-001).")
]
FileArg = Annotated[Path, typer.Argument(help="The file to import.")]


def _kind(value: str | None) -> Kind | None:
    if value is None:
        return None
    try:
        return Kind(value.strip().lower())
    except ValueError:
        raise UsageError(lazy("--kind {value}: use one of {kinds}", value=value,
                              kinds=", ".join(k.value for k in Kind))) from None


def print_outcome(tool: str, outcome: TabularOutcome) -> None:
    from reqctl.cli.importing import change_line, count_line

    lines = [change_line(outcome.dry_run, c.item_id, c.where, c.title) for c in outcome.created]
    lines += [change_line(outcome.dry_run, c.item_id, c.where, None, c.fields) for c in outcome.updated]
    invalid = len({p.split(", column")[0] for p in outcome.problems})  # the English text names the row
    lines.append(count_line(tool, len(outcome.created), len(outcome.updated), outcome.unchanged, outcome.dry_run,
                            invalid=invalid))
    if outcome.columns:
        lines.append(_("columns:"))
        lines.extend(f"  {line}" for line in outcome.columns)
    if outcome.notes:
        lines.append(_("notes:"))
        lines.extend(f"  {render(line)}" for line in outcome.notes)
    console.print_plain("\n".join(lines))


def run_import(
    ctx: typer.Context, tool: str, read: Callable[[], list[Sheet]], maps: list[str] | None, dry_run: bool,
    partial: bool, keep_ids: bool,
) -> None:
    from reqctl.importing.tabular import InvalidRowsError, import_tables, parse_maps

    try:
        outcome = import_tables(
            state(ctx).directory, read, maps=parse_maps(maps or ()), dry_run=dry_run, partial=partial,
            keep_ids=keep_ids,
        )
    except InvalidRowsError as exc:
        for problem in exc.problems:
            console.error_line(render(problem))
        raise
    for problem in outcome.problems:
        console.warning_line(_("{problem} (row skipped)").format(problem=render(problem)))
    print_outcome(tool, outcome)


def register(group: typer.Typer) -> None:
    @group.command("csv")
    def csv_command(
        ctx: typer.Context, file: FileArg, map_: Maps = None, kind: KindOption = None, dry_run: DryRun = False,
        partial: Partial = False, keep_ids: KeepIds = False,
    ) -> None:
        """Create or update items from a CSV file (UTF-8, header row; ',' ';' or tab separated)."""
        from reqctl.importing.tabular import read_csv

        chosen = _kind(kind) or Kind.REQUIREMENT
        run_import(ctx, "csv", lambda: read_csv(file, chosen), map_, dry_run, partial, keep_ids)

    @group.command("xlsx")
    def xlsx_command(
        ctx: typer.Context, file: FileArg, map_: Maps = None, kind: KindOption = None, dry_run: DryRun = False,
        partial: Partial = False, keep_ids: KeepIds = False,
    ) -> None:
        """Create or update items from an Excel workbook (sheets named after a kind, else the first sheet)."""
        from reqctl.importing.tabular import read_xlsx

        chosen = _kind(kind)
        run_import(ctx, "xlsx", lambda: read_xlsx(file, chosen), map_, dry_run, partial, keep_ids)
