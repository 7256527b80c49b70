"""``reqctl change``: change requests as git branches (propose → assess → approve → merge)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import UsageError
from reqctl.messages import NP_, Message, Word, _, data_word, lazy, render

if TYPE_CHECKING:
    from reqctl.model.config import Config
    from reqctl.ops.change_list import ChangeRow
    from reqctl.ops.changes import UpdateResult

IdArg = Annotated[str, typer.Argument(metavar="CR", help="The change request, e.g. CR-003.")]
ByOption = Annotated[str | None, typer.Option("--by", help="Approver e-mail (default: git user.email).")]
RoleOption = Annotated[str | None, typer.Option("--role", help="Act in this role only (default: every role you hold).")]


def _roles_line(row: ChangeRow | UpdateResult) -> Message:
    """``customer✓ pm·``: each role with its state's mark.

    A Message: CSV keeps the English text, a terminal table shows the roles in
    the run's language (客户✓ 项目经理·) through ``render``.
    """
    marks = {"approved": "✓", "missing": "·", "rejected": "✗", "not-allowed": "!", "stale": "({stale})"}
    template = " ".join(f"{{r{n}}}{marks[s.state]}" for n, s in enumerate(row.roles))
    roles = {f"r{n}": Word(s.role) for n, s in enumerate(row.roles)}
    return Message(template, stale=Word("stale"), **roles)  # no catalog entry: only the words translate


def _impact_cells(row: ChangeRow, currency: str | None) -> tuple[str, str, str]:
    """Effort (person-days), schedule impact (days) and cost with its currency, as list cells."""
    from reqctl.ops.change_list import cost_text, plain_number

    impact = row.change.impact

    def number(value: float | None) -> str:
        return "" if value is None else str(plain_number(value))

    if impact is None:
        return ("", "", "")
    return (number(impact.effort_days), number(impact.schedule_days), cost_text(impact, currency))


# Labels of 'change show' that are not item fields (render/i18n.FIELDS has the others).
_SHOW_LABELS = (NP_("change show", "found on"), NP_("change show", "effort_days"),
                NP_("change show", "schedule_days"), NP_("change show", "cost"), NP_("change show", "risk"),
                NP_("change show", "summary"), NP_("change show", "approval records"), NP_("change show", "reason"),
                NP_("change show", "impact"))


def _render_change(row: ChangeRow, config: Config | None = None) -> None:
    from rich.panel import Panel
    from rich.text import Text

    from reqctl.messages import DEFAULT_LANGUAGE, language, pgettext
    from reqctl.ops.change_list import cost_text, plain_number
    from reqctl.render.i18n import FIELDS, field

    change = row.change
    fields = Text()
    lang = language()

    def label(key: str) -> str:
        if lang == DEFAULT_LANGUAGE:
            return key
        return pgettext("change show", key) if key in _SHOW_LABELS or key not in FIELDS else field(key, lang)

    def line(key: str, value: object, style: str = "") -> None:
        if value in (None, "", []):
            return
        fields.append(_("{field}: ").format(field=label(key)), style="bold")
        fields.append(f"{', '.join(map(str, value)) if isinstance(value, list) else value}\n", style=style)

    line("status", data_word(change.status))

    def name(email: str | None) -> str | None:
        return config.person_name(email) if config is not None and email else email

    line("requested_by", name(change.requested_by))
    line("created", change.created)
    line("affects", list(change.affects))
    where = row.branch or _("(none: recorded on the main line)")
    if row.ahead is not None:
        where += _(" (+{ahead}/-{behind} against the main line)").format(ahead=row.ahead, behind=row.behind)
    line("branch", where)
    if row.ref != row.branch:
        line("found on", row.ref)
    impact = change.impact
    if impact is not None:
        fields.append(_("{field}:").format(field=label("impact")) + "\n", style="bold")
        currency = config.budget.currency if config is not None and config.budget else None
        for key, value in (("effort_days", impact.effort_days), ("schedule_days", impact.schedule_days),
                           ("cost", cost_text(impact, currency) or None),
                           ("risk", impact.risk), ("summary", impact.summary)):
            if value is not None:
                shown = data_word(value) if key == "risk" else plain_number(value)
                fields.append("  " + _("{field}: ").format(field=label(key)) + f"{shown}\n")
    else:
        line("impact", _("not assessed yet"))
    if row.roles:
        fields.append(_("{field}:").format(field=label("approvals")) + "\n", style="bold")
        for role in row.roles:
            described = render(role.describe(name(role.by)))
            fields.append(f"  {described}\n", style="green" if role.ok else "red")
    if change.approvals:
        fields.append(_("{field}:").format(field=label("approval records")) + "\n", style="bold")
    for record in change.approvals:
        fields.append(_("  {date}: {role} {decision} ({by})\n").format(
            date=record.at, role=data_word(record.role), decision=data_word(record.decision), by=name(record.by)))
    line("reason", change.reason)
    out = console.stdout()
    out.print(Panel(fields, title=Text(f"{change.id}  {change.title}", style="bold"), subtitle=row.path))
    if change.body.strip():
        console.print_plain(change.body.strip("\n"))


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Change requests on git branches: propose, assess, approve, reject, merge, list, show, diff.",
        short_help="Change requests on git branches.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="change")

    @group.command("propose", short_help="Propose a CR on a new branch.")
    def propose_command(
        ctx: typer.Context,
        title: Annotated[str, typer.Argument(help="What the customer asks for.")],
        affects: Annotated[
            list[str] | None, typer.Option("--affects", "-a", help="A requirement it changes (repeat).")
        ] = None,
        requested_by: Annotated[str | None, typer.Option("--requested-by", help="Who asked (an e-mail).")] = None,
        description: Annotated[str, typer.Option("--description", "-d", help="Body text: why, what, context.")] = "",
        no_branch: Annotated[
            bool, typer.Option("--no-branch", help="Commit the CR on the current branch instead.")
        ] = False,
    ) -> None:
        """Create changes/CR-NNN.md on a new branch from the main line and switch to it."""
        from reqctl.ops import changes as ops

        result = ops.propose(
            state(ctx).directory,
            title,
            affects or [],
            requested_by=requested_by,
            body=description,
            no_branch=no_branch,
        )
        if result.branch:
            console.print_plain(
                _("{id} proposed on new branch {branch} (commit {commit}); you are now on that branch").format(
                    id=result.change_id, branch=result.branch, commit=result.commit[:10]
                )
            )
        else:
            console.print_plain(_("{id} proposed (commit {commit})").format(id=result.change_id,
                                                                            commit=result.commit[:10]))

    @group.command("assess")
    def assess_command(
        ctx: typer.Context,
        change_id: IdArg,
        schedule_days: Annotated[
            float | None, typer.Option("--schedule-days", help="How many calendar days later delivery gets.")
        ] = None,
        effort_days: Annotated[
            float | None, typer.Option("--effort-days", help="The work it takes, in person-days (人天).")
        ] = None,
        cost: Annotated[float | None, typer.Option("--cost", help="Cost impact (an amount).")] = None,
        currency: Annotated[
            str | None,
            typer.Option("--currency", help="ISO 4217 code of --cost, e.g. CNY (default: budget.currency)."),
        ] = None,
        risk: Annotated[
            str | None, typer.Option("--risk", metavar="<low|medium|high>", help="Risk of the change.")
        ] = None,
        summary: Annotated[str | None, typer.Option("--summary", help="One paragraph.")] = None,
    ) -> None:
        """Record the impact assessment (status assessed)."""
        from reqctl.ops import changes as ops

        result = ops.assess(
            state(ctx).directory,
            change_id,
            schedule_days=schedule_days,
            effort_days=effort_days,
            cost=cost,
            currency=currency,
            risk=risk,
            summary=summary,
        )
        console.print_plain(_("{id} assessed (commit {commit}){detail}").format(
            id=result.change_id, commit=result.commit[:10], detail=render(result.detail)))

    @group.command("approve", short_help="Approve the CR and the content it changes.")
    def approve_command(ctx: typer.Context, change_id: IdArg, by: ByOption = None, role: RoleOption = None) -> None:
        """Approve the CR and the content it changes (records who, role, and fingerprints)."""
        from reqctl.ops import changes as ops

        result = ops.approve(state(ctx).directory, change_id, by=by, role=role)
        config = state(ctx).project_config().config
        waiting = [render(s.describe(config.person_name(s.by) if s.by else None)) for s in result.roles if not s.ok]
        tail = _("; still needed: {roles}").format(roles=", ".join(waiting)) if waiting else _("; ready to merge")
        who = next((s.by for s in result.roles if s.role == result.detail.split(", ")[0] and s.by), None)
        roles = ", ".join(data_word(role) for role in result.detail.split(", "))
        facts = {"id": result.change_id, "roles": roles, "commit": result.commit[:10],
                 "status": data_word(result.status), "tail": tail}
        if who:
            message = _("{id} approved by {name} as {roles} (commit {commit}), status {status}{tail}").format(
                name=config.person_name(who), **facts)
        else:
            message = _("{id} approved as {roles} (commit {commit}), status {status}{tail}").format(**facts)
        console.print_plain(message)

    @group.command("reject")
    def reject_command(
        ctx: typer.Context,
        change_id: IdArg,
        reason: Annotated[str, typer.Option("--reason", help="Why it is rejected.")] = "",
        by: ByOption = None,
        role: RoleOption = None,
    ) -> None:
        """Reject the CR (status rejected, with the reason)."""
        from reqctl.ops import changes as ops

        result = ops.reject(state(ctx).directory, change_id, reason=reason, by=by, role=role)
        console.print_plain(_("{id} rejected (commit {commit})").format(id=result.change_id, commit=result.commit[:10]))

    @group.command("merge", short_help="Merge an approved CR into the main line.")
    def merge_command(ctx: typer.Context, change_id: IdArg) -> None:
        """Merge an approved CR's branch into the main line; re-approve what it changed."""
        from reqctl.ops import change_merge as ops

        result = ops.merge(state(ctx).directory, change_id)
        where = (_("{branch} merged into {into}").format(branch=result.branch, into=result.into) if result.branch
                 else _("completed on {into}").format(into=result.into))
        again = _("; re-approved {ids}").format(ids=", ".join(result.reapproved)) if result.reapproved else ""
        back = (_("; {ids} returned to approved (delivery no longer complete)").format(ids=", ".join(result.returned))
                if result.returned else "")
        console.print_plain(_("{id}: {where} (commit {commit}){again}{back}").format(
            id=result.change_id, where=where, commit=result.commit[:10], again=again, back=back))

    @group.command("list", short_help="Every CR on every branch.")
    def list_command(
        ctx: typer.Context,
        status: Annotated[
            list[str] | None,
            typer.Option(
                "--status", metavar="<proposed|assessed|approved|rejected|baselined|withdrawn>",
                help="Only CRs with this status (repeat for several).",
            ),
        ] = None,
        text: Annotated[
            str | None, typer.Option("--text", help="Only CRs whose title or description contains this text.")
        ] = None,
        output: Annotated[
            str | None, typer.Option("--format", metavar="<table|csv|json>", help="Output format (default table).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
        bom: Annotated[bool, typer.Option("--bom", help="With --format csv: start with a UTF-8 BOM (Excel).")] = False,
    ) -> None:
        """Every change request on every local and remote-tracking branch."""
        from reqctl.cli.items import list_format, print_csv, shown_table, warn_skipped
        from reqctl.messages import _
        from reqctl.model.ids import Kind
        from reqctl.ops import change_list as ops
        from reqctl.ops.item_filter import as_filter, check_filter, matches

        chosen = list_format(output, as_json, bom)
        # 'implemented' is what older versions called 'baselined'
        wanted = as_filter(status=["baselined" if s == "implemented" else s for s in status or ()], text=text)
        check_filter(Kind.CHANGE, wanted, state(ctx).store().config())
        rows = [row for row in ops.list_changes(state(ctx).directory) if matches(row.change, wanted)]
        warn_skipped(ops.invalid_changes(state(ctx).directory))
        if chosen == "json":
            console.print_json([row.to_json() for row in rows])
            return
        config = state(ctx).store().config()
        currency = config.budget.currency if config.budget else None
        # the impact columns come last so that scripts reading the older columns by position keep working
        columns = ("id", "title", "status", "approvals", "branch", "ahead/behind", "effort_days", "schedule_days",
                   "cost")
        table = [
            (
                row.change.id,
                row.change.title,
                row.change.status,
                _roles_line(row),  # Messages: CSV keeps the keys, the terminal table shows them translated
                row.branch or lazy("(none)"),
                "" if row.ahead is None else f"+{row.ahead}/-{row.behind}",
                *_impact_cells(row, currency),
            )
            for row in rows
        ]
        if chosen == "csv":
            print_csv(columns, table, bom=bom)
            return
        if not rows:
            console.print_plain(_("no change requests"))
            return
        console.stdout().print(shown_table(columns, table, state(ctx).store().config()))

    @group.command("show", short_help="One CR: impact, approvals, branch.")
    def show_command(
        ctx: typer.Context,
        change_id: IdArg,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output (same keys as list).")] = False,
    ) -> None:
        """Show one CR: impact assessment, approvals per role, branch, description."""
        from reqctl.ops import change_list as ops

        row = ops.show_change(state(ctx).directory, change_id)
        if as_json:
            console.print_json(row.to_json())
            return
        _render_change(row, state(ctx).project_config().config)

    @group.command("diff", short_help="What the CR's branch changes in items.")
    def diff_command(
        ctx: typer.Context,
        change_id: IdArg,
        output_format: Annotated[
            str, typer.Option("--format", "-f", metavar="<text|md|json>", help="Output format.")
        ] = "text",
        as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    ) -> None:
        """What the CR's branch changes in items, relative to where it forked."""
        from reqctl.cli.diff import render_markdown, render_text
        from reqctl.ops import change_list as ops

        fmt = "json" if as_json else output_format
        if fmt not in ("text", "md", "json"):
            raise UsageError(lazy("--format {format}: use text, md or json", format=fmt))
        found, diff = ops.diff_change(state(ctx).directory, change_id)
        if fmt == "json":
            console.print_json({"change": found.change.id, "branch": found.change.branch, **diff.to_json()})
        elif fmt == "md":
            console.print_plain(render_markdown(diff))
        else:
            console.print_plain(render_text(diff))
