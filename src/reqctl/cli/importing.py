"""``reqctl import doorstop|strictdoc|reqif``: bring requirements over from other tools.

Each command reads its source into an ``ImportPlan`` (reqctl.importing) and
applies it with ``apply_plan``; this module only parses options and prints
the outcome and the mapping report.  Other formats add their command to
``group`` and print with ``print_outcome``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import UsageError
from reqctl.messages import _, lazy, render

if TYPE_CHECKING:
    from reqctl.importing.plan import ImportPlan, Outcome

group = typer.Typer(
    help="Import requirements from Doorstop, StrictDoc or ReqIF (dry run with --dry-run; commits nothing).",
    short_help="Import from Doorstop, StrictDoc, ReqIF.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DryRun = Annotated[bool, typer.Option("--dry-run", help="Print what would be created or changed; write nothing.")]
KeepIds = Annotated[
    bool,
    typer.Option("--keep-ids", help="Keep the source's IDs where they fit the requirement prefix (REQ001 → REQ-001)."),
]
LinkField = Annotated[str, typer.Option("--link-field", help="Field the source's links go to.")]
PrefixMap = Annotated[
    list[str] | None,
    typer.Option("--prefix-map", metavar="DOC=TAG", help="Tag items of this document with TAG instead (repeatable)."),
]


def change_line(dry_run: bool, item_id: str, where: str, title: str | None, fields: list[str] | None = None) -> str:
    """One created (``title``) or updated (``fields``) item: ``would create REQ-004  src  title``."""
    if title is not None:
        template = _("would create {id}  {where}  {title}") if dry_run else _("create {id}  {where}  {title}")
        return template.format(id=item_id, where=render(where), title=title)
    template = _("would update {id}  {where}  ({fields})") if dry_run else _("update {id}  {where}  ({fields})")
    return template.format(id=item_id, where=render(where), fields=", ".join(fields or ()))


def count_line(tool: str, created: int, updated: int, unchanged: int, dry_run: bool, *, invalid: int = 0) -> str:
    """``csv: 2 created, 1 updated, 0 unchanged (dry run: nothing written)``."""
    counts = _("{created} created, {updated} updated, {unchanged} unchanged").format(
        created=created, updated=updated, unchanged=unchanged
    )
    if invalid:
        counts += _(", {n} invalid rows skipped").format(n=invalid)
    tail = _(" (dry run: nothing written)") if dry_run else _(" (nothing committed: review with git diff)")
    return _("{tool}: {counts}{tail}").format(tool=tool, counts=counts, tail=tail)


def print_outcome(plan: ImportPlan, outcome: Outcome) -> None:
    """Every item created/updated, then the mapping report: nothing is dropped without a line."""
    lines: list[str] = []
    for item_id, item in outcome.created:
        lines.append(change_line(outcome.dry_run, item_id, item.source, item.title))
    for item_id, item, fields in outcome.updated:
        lines.append(change_line(outcome.dry_run, item_id, item.source, None, fields))
    lines.append(count_line(plan.tool, len(outcome.created), len(outcome.updated), len(outcome.unchanged),
                            outcome.dry_run))
    report = plan.report
    if report.mapped:
        lines.append(_("mapped:"))
        lines.extend(f"  {render(key)} -> {render(target)}" for key, target in report.mapped.items())
    if report.custom:
        lines.append(_("kept as custom fields:"))
        lines.extend(f"  {render(key)} -> {render(target)}" for key, target in report.custom.items())
    unmapped = [*report.unmapped, *outcome.unresolved_links]
    if unmapped:
        lines.append(_("not mapped:"))
        lines.extend(f"  {render(line)}" for line in unmapped)
    if report.notes:
        lines.append(_("notes:"))
        lines.extend(f"  {render(line)}" for line in report.notes)
    console.print_plain("\n".join(lines))


def _prefix_map(values: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values or ():
        doc, sep, tag = value.partition("=")
        if not sep or not doc.strip() or not tag.strip():
            raise UsageError(lazy("--prefix-map {value}: expected DOC=TAG", value=value))
        mapping[doc.strip()] = tag.strip()
    return mapping


def _apply(ctx: typer.Context, plan: ImportPlan, dry_run: bool, keep_ids: bool) -> None:
    from reqctl.importing.plan import apply_plan

    outcome = apply_plan(state(ctx).directory, plan, dry_run=dry_run, keep_ids=keep_ids)
    print_outcome(plan, outcome)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="import")

    @group.callback()
    def import_group(ctx: typer.Context) -> None:
        from reqctl.history.snapshots import paused_gc

        # A 10,000-item ReqIF import makes millions of objects and almost no cycles: without the
        # cyclic collector it takes ~1.3 s less CPU, at the same ~470 MB peak (measured).
        # The pause ends with the import command.
        ctx.with_resource(paused_gc())

    @group.command("doorstop")
    def doorstop_command(
        ctx: typer.Context,
        path: Annotated[Path, typer.Argument(help="Folder holding the Doorstop documents (.doorstop.yml).")],
        dry_run: DryRun = False,
        keep_ids: KeepIds = False,
        link_field: LinkField = "depends_on",
        prefix_map: PrefixMap = None,
    ) -> None:
        """Import every document of a Doorstop tree (items' YAML is read, never executed)."""
        from reqctl.importing.doorstop import read_tree

        plan = read_tree(path, prefix_map=_prefix_map(prefix_map), link_field=link_field)
        _apply(ctx, plan, dry_run, keep_ids)

    @group.command("reqif")
    def reqif_command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="A .reqif file or a .reqifz archive.")],
        dry_run: DryRun = False,
        keep_ids: KeepIds = False,
        link_field: LinkField = "depends_on",
        partial: Annotated[
            bool, typer.Option("--partial", help="A file 'reqctl export reqif' wrote: import the valid items "
                                                 "even when others are invalid.")
        ] = False,
    ) -> None:
        """Import every SPEC-OBJECT of a ReqIF file (DOORS, Polarion, ReqIF Studio, StrictDoc, reqctl...)."""
        from reqctl.importing import reqif_own
        from reqctl.importing.reqif_import import load, plan_of

        bundles = load(file)
        if reqif_own.is_reqctl_export(bundles):  # read back like the sheet it is: export → import changes nothing
            from reqctl.cli.import_tabular import run_import

            run_import(ctx, "reqif", lambda: reqif_own.sheets_of(bundles), None, dry_run, partial, keep_ids)
            return
        if partial:
            raise UsageError(lazy("--partial: only for a file 'reqctl export reqif' wrote; this one is imported whole"))
        _apply(ctx, plan_of(file, bundles, link_field=link_field), dry_run, keep_ids)

    @group.command("strictdoc")
    def strictdoc_command(
        ctx: typer.Context,
        files: Annotated[
            list[Path], typer.Argument(help="One or more .sdoc files (give related documents together).")
        ],
        dry_run: DryRun = False,
        keep_ids: KeepIds = False,
        link_field: LinkField = "depends_on",
    ) -> None:
        """Import the requirements of StrictDoc documents (sections, relations and custom fields kept)."""
        from reqctl.importing.strictdoc import read_sdoc

        _apply(ctx, read_sdoc(files, link_field=link_field), dry_run, keep_ids)
