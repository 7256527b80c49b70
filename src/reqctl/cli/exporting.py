"""``reqctl export xlsx|csv|reqif``: the project's items for a customer or another tool.

Reads the project (never writes into it) and writes the file the user names
with ``-o`` atomically; ``-o -`` writes CSV or ReqIF to standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import ReqctlError, UsageError
from reqctl.messages import _, data_word, lazy, ngettext, os_reason, render
from reqctl.model.ids import Kind

if TYPE_CHECKING:
    from reqctl.exporting import Table
    from reqctl.model.project import Project

group = typer.Typer(
    help="Export items as XLSX, CSV or ReqIF (import them back with 'reqctl import').",
    short_help="Export items as XLSX, CSV or ReqIF.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Kinds = Annotated[
    list[str] | None,
    typer.Option("--kind", metavar="KIND", help="Only this kind (repeatable; default: every kind that has items)."),
]


def _kinds(values: list[str] | None) -> list[Kind] | None:
    if not values:
        return None
    kinds = []
    for value in values:
        try:
            kinds.append(Kind(value.strip().lower()))
        except ValueError:
            raise UsageError(lazy("--kind {value}: use one of {kinds}", value=value,
                                  kinds=", ".join(k.value for k in Kind))) from None
    return list(dict.fromkeys(kinds))


def _tables(project: Project, kinds: list[Kind] | None) -> list[Table]:
    """The tables to export: the kinds asked for, else every kind with items (requirements always)."""
    from reqctl.exporting import table

    chosen = kinds or [k for k in Kind if k is Kind.REQUIREMENT or any(True for _ in project.of_kind(k))]
    for item_file in project.files:  # never silently: name each file left out, as 'list' does
        if item_file.kind in chosen and item_file.path not in project.models:
            problems = project.problems.get(item_file.path)
            if problems:
                why = f"{problems[0].field}: {render(problems[0].message)}"
            else:
                why = render(item_file.error.message) if item_file.error is not None else _("unreadable")
            console.warning_line(
                _("{path}: skipped: {why}; run 'reqctl check'").format(path=item_file.path, why=why)
            )
    return [table(project, kind) for kind in chosen]


def _write(path: Path, data: bytes) -> None:
    from reqctl.store.atomic import write_atomic

    if str(path) == "-":
        sys.stdout.write(data.decode("utf-8"))  # only text formats reach here
        sys.stdout.flush()
        return
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ReqctlError(lazy("cannot write: {error}", error=os_reason(exc)), path=path) from None
    console.print_plain(_("wrote {path}").format(path=path))


def _summary(tables: list[Table]) -> str:
    return _(", ").join(kind_count(t.kind.value, len(t.rows)) for t in tables)


def kind_count(kind: str, count: int) -> str:
    """``3 requirements`` (需求 3 条): how many items of a kind."""
    return ngettext("{count} {kind}", "{count} {kind}s", count).format(count=count, kind=data_word(kind))


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="export")

    @group.command("xlsx")
    def xlsx_command(
        ctx: typer.Context,
        output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write.")] = Path(
            "reqctl-export.xlsx"
        ),
        kind: Kinds = None,
    ) -> None:
        """One sheet per kind: a frozen header row with filters, columns as export.columns in reqctl.yaml."""
        from reqctl.exporting.xlsx import workbook_bytes

        if str(output) == "-":
            raise UsageError(lazy("-o -: an XLSX workbook is binary; name a file"))
        tables = _tables(state(ctx).project(), _kinds(kind))
        _write(output, workbook_bytes(tables))
        console.print_plain(_summary(tables))

    @group.command("csv")
    def csv_command(
        ctx: typer.Context,
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="File (with one --kind; '-' for standard output) or folder."),
        ] = None,
        kind: Kinds = None,
        bom: Annotated[bool, typer.Option("--bom", help="Start with a UTF-8 byte-order mark (for Excel).")] = False,
    ) -> None:
        """One CSV file per kind (KIND.csv), UTF-8; with one --kind, -o names the file."""
        from reqctl.exporting.csv import csv_bytes

        kinds = _kinds(kind)
        tables = _tables(state(ctx).project(), kinds)
        if kinds is not None and len(kinds) == 1 and not (output is not None and output.is_dir()):
            _write(output or Path(f"{kinds[0].value}.csv"), csv_bytes(tables[0], bom=bom))
            return
        if output is not None and str(output) == "-":
            raise UsageError(lazy("-o -: standard output takes one kind; add --kind"))
        folder = output or Path()
        if not folder.is_dir():
            raise UsageError(lazy("-o {folder}: with several kinds, -o names an existing folder", folder=str(folder)))
        for tab in tables:
            _write(folder / f"{tab.kind.value}.csv", csv_bytes(tab, bom=bom))

    @group.command("reqif")
    def reqif_command(
        ctx: typer.Context,
        output: Annotated[Path, typer.Option("-o", "--output", help="The .reqif file to write ('-': stdout).")] = Path(
            "reqctl-export.reqif"
        ),
        kind: Kinds = None,
    ) -> None:
        """ReqIF 1.0 (spec types, attribute definitions, spec objects, relations), for DOORS, Polarion, Jama."""
        from reqctl.exporting.reqif_export import reqif_text

        project = state(ctx).project()
        tables = _tables(project, _kinds(kind))
        _write(output, reqif_text(tables, title=project.config.name).encode("utf-8"))
        if str(output) != "-":
            console.print_plain(_summary(tables))
