"""``reqctl report weekly|status|risks|summary``: render a report context with a template."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import UsageError
from reqctl.messages import _, lazy, ngettext, render

# Kept in step with render.documents.FORMATS (not imported: --help must stay fast).
FORMATS = ("md", "html", "json")

FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar=f"<{'|'.join(FORMATS)}>", help="Output format (default md)."),
]
LangOption = Annotated[
    str | None, typer.Option("--lang", metavar="<en|zh>", help="Language (default from reqctl.yaml).")
]
OutOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write to this file (atomically) instead of stdout.")
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Period start, YYYY-MM-DD (default: 6 days before --until).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Period end / report date, YYYY-MM-DD (default: today).")
]


def parse_date(option: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(lazy("{option} {value}: not a date; use YYYY-MM-DD", option=option, value=value)) from None


def emit(text: str, out: Path | None) -> None:
    from reqctl.ops.report_output import output_path, write_output

    if out is None:
        console.print_plain(text)
        return
    path = output_path(out, Path.cwd())
    write_output(path, text)
    console.stderr().print(Text(_("wrote {file}").format(file=out), style="dim"))


def render_to(root: Path, name: str, fmt: str | None, context: dict[str, Any], out: Path | None) -> None:
    from reqctl.render.documents import render_document

    if fmt == "html":  # one self-contained file: images referenced from bodies are embedded
        from reqctl.ops.attachments import Attachments, rewrite_context

        found = Attachments()
        context = rewrite_context(root, context, found, inline=True)
        for warning in dict.fromkeys(found.warnings):
            console.warning_line(render(warning))
    text = render_document(root, name, fmt or "md", context["lang"], context)
    emit(text, out)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Status reports: weekly, status, risks, summary, support.", no_args_is_help=True,
                        rich_markup_mode=None)

    @group.command("weekly", short_help="The PM's weekly report (default: this calendar week).")
    def weekly(
        ctx: typer.Context,
        week: Annotated[str | None, typer.Option(
            "--week", metavar="<YYYY-Www>", help="ISO calendar week, Monday to Sunday (default: this week).")] = None,
        since: SinceOption = None,
        until: UntilOption = None,
        weeks: Annotated[int, typer.Option("--weeks", help="Weeks shown in the burn-up chart.")] = 8,
        edit: Annotated[bool, typer.Option(
            "--edit", help="Create the week's note (notes/weekly/YYYY-Www.md) and open it in $EDITOR.")] = False,
        fmt: FormatOption = None,
        lang: LangOption = None,
        out: OutOption = None,
    ) -> None:
        """The weekly report of a calendar week (default: this week), read from git history.

        With the PM's note notes/weekly/YYYY-Www.md (create it with --edit): the
        overall status, the PM's summary, next week's plan and what the project
        needs from the customer. --since/--until report any other period.
        """
        from reqctl.ops import reports
        from reqctl.ops.report_weekly import uncommitted_item_files, weekly_context
        from reqctl.ops.weeks import parse_week

        iso_week = parse_week(week) if week is not None else None
        since_day, until_day = parse_date("--since", since), parse_date("--until", until)
        if edit:
            edit_note(ctx, iso_week, since_day, until_day, lang)
            return
        project = state(ctx).project()
        language = reports.resolve_language(project, lang)
        dirty = uncommitted_item_files(project)
        if dirty:
            console.warning_line(ngettext(
                "the report reads committed history; {n} item file is not committed",
                "the report reads committed history; {n} item files are not committed", dirty).format(n=dirty))
        context = weekly_context(project, language, dt.date.today(), since=since_day, until=until_day,
                                 weeks=weeks, week=iso_week)
        render_to(project.root, "weekly", fmt, context, out)

    @group.command("status")
    def status(ctx: typer.Context, until: UntilOption = None, fmt: FormatOption = None,
               lang: LangOption = None, out: OutOption = None) -> None:
        """A snapshot dashboard; without --format or -o, a terminal view."""
        from reqctl.ops import reports

        project = state(ctx).project()
        language = reports.resolve_language(project, lang)
        context = reports.status_context(project, language, parse_date("--until", until) or dt.date.today())
        if fmt is None and out is None:
            show_status(context)
            return
        render_to(project.root, "status", fmt, context, out)

    @group.command("risks", short_help="The risk register, sorted by score.")
    def risks(ctx: typer.Context, until: UntilOption = None, fmt: FormatOption = None,
              lang: LangOption = None, out: OutOption = None) -> None:
        """The risk register sorted by score, with a probability × impact matrix."""
        from reqctl.ops import reports

        project = state(ctx).project()
        language = reports.resolve_language(project, lang)
        context = reports.risks_context(project, language, parse_date("--until", until) or dt.date.today())
        render_to(project.root, "risks", fmt, context, out)

    @group.command("summary", short_help="Project closing summary.")
    def summary(ctx: typer.Context, until: UntilOption = None, fmt: FormatOption = None,
                lang: LangOption = None, out: OutOption = None) -> None:
        """Project closing summary: goals, milestones, schedule, budget, changes, feedback, lessons."""
        from reqctl.ops import reports

        project = state(ctx).project()
        language = reports.resolve_language(project, lang)
        context = reports.summary_context(project, language, parse_date("--until", until) or dt.date.today())
        render_to(project.root, "summary", fmt, context, out)

    @group.command("support", short_help="Support tickets: open by age and severity, response times.")
    def support(ctx: typer.Context, until: UntilOption = None, fmt: FormatOption = None,
                lang: LangOption = None, out: OutOption = None) -> None:
        """Support tickets: open ones by age and severity, response and resolution times, per requirement."""
        from reqctl.ops import reports
        from reqctl.ops.report_support import support_context

        project = state(ctx).project()
        language = reports.resolve_language(project, lang)
        context = support_context(project, language, parse_date("--until", until) or dt.date.today())
        render_to(project.root, "support", fmt, context, out)

    app.add_typer(group, name="report")


def interactive() -> bool:
    """Whether a person sits at a terminal to use an editor (a function so tests can say yes)."""
    return sys.stdin.isatty()


def edit_note(
    ctx: typer.Context, week: Any, since: dt.date | None, until: dt.date | None, lang: str | None
) -> None:
    """``report weekly --edit``: create the week's note from its template, then open it in $VISUAL/$EDITOR.

    Without an editor or a terminal the note is only created and its path
    printed. An edited note is saved only if it parses (a missing
    status_reason, bad YAML): otherwise the file stays as it was.
    """
    import os

    from reqctl.cli.items import _keep_rejected_edit, _run_editor
    from reqctl.errors import ReqctlError
    from reqctl.ops import reports, weekly_note
    from reqctl.ops.report_weekly import resolve_period
    from reqctl.ops.weeks import week_of
    from reqctl.render.filters import format_date_range

    project = state(ctx).project()
    language = reports.resolve_language(project, lang)
    _start, end, calendar = resolve_period(since, until, week, dt.date.today())
    note_week = calendar or week_of(end)
    period = format_date_range(note_week.monday, note_week.sunday, language)
    path, created = weekly_note.ensure_note(project.root, note_week, language, period)
    rel = weekly_note.note_path(note_week)
    if not (os.environ.get("VISUAL") or os.environ.get("EDITOR")) or not interactive():
        console.print_plain(rel)
        hint = (_("created from the template; no editor or terminal, so edit the file yourself") if created
                else _("exists; no editor or terminal, so edit the file yourself"))
        console.stderr().print(Text(hint, style="dim"))
        return
    original = path.read_bytes().decode("utf-8", errors="replace")
    edited = _run_editor(project.root, note_week.label, original)
    if edited == original:
        line = _("{file}: created") if created else _("{file}: no changes")
        console.print_plain(line.format(file=rel))
        return
    try:
        weekly_note.save_note(project.root, note_week, edited)
    except ReqctlError as exc:
        kept = _keep_rejected_edit(project.root, note_week.label, edited)
        raise UsageError(lazy("{error}; {file} is unchanged, your edit is saved in {kept}", error=exc.display(),
                              file=rel, kept=kept)) from None
    console.print_plain(_("{file}: saved").format(file=rel))


def show_status(context: dict[str, Any]) -> None:
    """The rich terminal view of ``report status``."""
    from reqctl.render.charts import text_bar
    from reqctl.render.i18n import word

    lang = context["lang"]
    zh = lang == "zh"
    people: dict[str, str] = context.get("people") or {}

    def name(email: str | None) -> str:
        return people.get(email.strip().lower(), email) if email else ""

    out = console.stdout()
    project = context["project"]
    reqs = context["requirements"]
    out.print(Text(f"{project['name']} — {'项目状态' if zh else 'project status'} {context['generated']['date']}",
                   style="bold"))
    out.print(f"{'需求：' if zh else 'requirements: '}{reqs['scope']}  "
              f"{'已批准' if zh else 'approved'} {text_bar(reqs['approved'], reqs['scope'], 12)}  "
              f"{'已完成' if zh else 'done'} {text_bar(reqs['done'], reqs['scope'], 12)}", markup=False)
    rows = [[m["id"] or "—", m["title"], m["date"] or "", "" if m["days_left"] is None else str(m["days_left"]),
             str(m["scope"]), text_bar(m["done"], m["scope"], 16), word(m["state"], lang)]
            for m in context["milestones"]]
    cols: tuple[str, ...] = ("里程碑", "名称", "日期", "剩余天数", "需求数", "完成", "状态") if zh else (
        "milestone", "title", "date", "days left", "scope", "done", "state")
    out.print(console.table(cols, rows))
    if context["pending_approvals"]:
        cols = ("编号", "标题", "状态") if zh else ("id", "title", "status")
        rows = [[p["id"], p["title"], word(p["status"], lang)] for p in context["pending_approvals"]]
        out.print(console.table(cols, rows, title="待审批" if zh else "waiting for approval"))
    if context["top_risks"]:
        cols = ("编号", "风险", "风险值", "负责人") if zh else ("id", "risk", "score", "owner")
        rows = [[r["id"], r["title"], f"{r['score']} ({r['probability']}×{r['impact']})", name(r["owner"])]
                for r in context["top_risks"]]
        out.print(console.table(cols, rows, title="主要风险" if zh else "top risks"))
    if context["open_actions"]:
        cols = ("会议", "行动项", "负责人", "截止日期") if zh else ("meeting", "action", "owner", "due")
        rows = [[a["meeting"], a["what"], name(a["owner"]),
                 (a["due"] or "") + (" !" if a["overdue"] else "")] for a in context["open_actions"]]
        out.print(console.table(cols, rows, title="未完成的行动项" if zh else "open action items"))
