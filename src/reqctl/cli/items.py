"""Item command groups: ``req``, ``risk``, ``decision``, ``meeting``, ``feedback``, ``lesson``.

``list``, ``show``, ``status`` and ``edit`` are the same for every kind and
are built by ``register_common``; ``add`` differs per kind (its options are
the kind's fields) and lives in ``cli/add.py``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.text import Text

from reqctl.cli import console, itemedit
from reqctl.cli.context import state
from reqctl.errors import NotFoundError, ReqctlError, UsageError
from reqctl.messages import Message, _, data_word, lazy, os_reason, render
from reqctl.model.ids import Kind

if TYPE_CHECKING:
    from rich.table import Table

    from reqctl.model.config import Config
    from reqctl.model.items import Item
    from reqctl.model.project import Project
    from reqctl.ops.backlinks import Backlink
    from reqctl.ops.invalid import InvalidFile

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output (stable, documented).")]

COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.REQUIREMENT: ("id", "title", "status", "priority", "milestone", "approval"),
    Kind.CHANGE: ("id", "title", "status", "affects", "requested_by"),
    Kind.RISK: ("id", "title", "status", "score", "p×i", "owner"),
    Kind.DECISION: ("id", "title", "status", "date"),
    Kind.MEETING: ("id", "title", "date", "kind", "open actions"),
    Kind.FEEDBACK: ("id", "title", "date", "score", "from"),
    Kind.LESSON: ("id", "title", "date", "category"),
    Kind.TRAINING: ("id", "title", "date", "trainer", "attendance", "score"),
    Kind.SUPPORT: ("id", "title", "status", "severity", "reported", "from"),
    Kind.FOLLOWUP: ("id", "title", "date", "contact", "satisfaction", "next_visit"),
}


# Fields that hold a person: the terminal shows the name from reqctl.yaml's people: directory.
PERSON_FIELDS = frozenset({"owner", "requested_by", "from", "deciders", "attendees", "trainer", "contact"})


def cell(item: Item, column: str, config: Config) -> str:
    from reqctl.model.items import Risk
    from reqctl.ops import items as ops

    if column == "approval":
        return ops.approval_summary(item, config)
    if column == "score" and isinstance(item, Risk):
        return str(item.score)
    if column == "p×i" and isinstance(item, Risk):
        return f"{item.probability}×{item.impact}"
    if column == "open actions":
        return str(sum(1 for action in getattr(item, "actions", ()) if not action.done))
    if column == "kind":
        return str(getattr(item, "kind_of_meeting", "") or "")
    value = getattr(item, column, None)
    if value is None and column == "from":
        value = getattr(item, "from_", None)
    if column in PERSON_FIELDS:
        value = [config.person_name(v) for v in value] if isinstance(value, list) else config.person_name(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


# Columns whose values are data words (translated, and renamed by reqctl.yaml's display: names).
WORD_COLUMNS = frozenset({"status", "priority", "kind", "severity", "approval"})
NAMED_COLUMNS = frozenset({"status", "priority"})


def shown(value: str, column: str, names: Mapping[str, str], lang: str) -> str:
    """A table cell as shown: a configured display name, else (not in English) the translated word."""
    from reqctl.messages import DEFAULT_LANGUAGE, render
    from reqctl.render.i18n import word

    if column in NAMED_COLUMNS and value in names:
        return names[value]
    if lang == DEFAULT_LANGUAGE:
        return str(value)
    if column in WORD_COLUMNS and not isinstance(value, Message):
        return word(value, lang)
    return render(value)


# A column whose translated header is another field's (a feedback score is a satisfaction, not a risk score).
_HEADER_AS = {(Kind.FEEDBACK, "score"): "satisfaction", (Kind.TRAINING, "score"): "satisfaction"}


def shown_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], config: Config, kind: Kind | None = None
) -> Table:
    """The terminal table of a list: headers and word cells in the run's language (CSV and JSON keep keys)."""
    from reqctl.messages import DEFAULT_LANGUAGE, language
    from reqctl.render.i18n import field

    lang = language()
    names = config.display_names(lang)
    cells = [[shown(value, column, names, lang) for column, value in zip(columns, row, strict=True)] for row in rows]
    headers = [
        column if lang == DEFAULT_LANGUAGE else field(_HEADER_AS.get((kind, column), column) if kind else column, lang)
        for column in columns
    ]
    return console.table(columns, cells, headers=headers)


def count_line(count: int, kind: Kind) -> str:
    """``3 requirements`` / ``共 3 条需求`` under a list."""
    from reqctl.messages import DEFAULT_LANGUAGE, language, ngettext
    from reqctl.render.i18n import word

    lang = language()
    noun = kind.value if lang == DEFAULT_LANGUAGE else word(kind.value, lang)
    return ngettext("{n} {noun}", "{n} {noun}s", count).format(n=count, noun=noun)


SORT_KEYS = ("id", "score", "priority", "status", "milestone", "date")
# Kept in step with the models' ``statuses`` (tests/test_docs.py checks): importing the models here would
# load pydantic on every run, --help included.
STATUSES: dict[Kind, tuple[str, ...]] = {
    Kind.REQUIREMENT: ("draft", "proposed", "approved", "implemented", "verified", "rejected", "deprecated"),
    Kind.CHANGE: ("proposed", "assessed", "approved", "rejected", "baselined", "withdrawn"),
    Kind.RISK: ("open", "mitigating", "closed", "occurred"),
    Kind.DECISION: ("proposed", "accepted", "superseded", "deprecated"),
    Kind.SUPPORT: ("open", "in-progress", "resolved", "closed"),
}


def register_common(group: typer.Typer, kind: Kind) -> None:
    """Add list, show, status and edit; the library is imported only when they run."""
    statuses = STATUSES.get(kind, ())
    status_values = f"<{'|'.join(statuses)}>" if statuses else "STATUS"

    @group.command("list")
    def list_command(
        ctx: typer.Context,
        # plain defaults, not Annotated: the annotations are strings evaluated without this closure
        status: list[str] | None = typer.Option(
            None, "--status", "-s", metavar=status_values, help="Only these statuses (repeatable).",
            hidden=not statuses,
        ),
        milestone: list[str] | None = typer.Option(
            None, "--milestone", "-m", metavar="MILESTONE", help="Only these milestones (repeatable)."
        ),
        priority: list[str] | None = typer.Option(
            None, "--priority", "-p", metavar="PRIORITY", help="Only these priorities (repeatable)."
        ),
        tag: list[str] | None = typer.Option(
            None, "--tag", "-t", metavar="TAG", help="Only items with this tag (repeatable: any of them)."
        ),
        owner: list[str] | None = typer.Option(
            None, "--owner", metavar="OWNER", help="Only items this person owns (repeatable)."
        ),
        text: str | None = typer.Option(
            None, "--text", metavar="TEXT", help="Only items whose title or body contains TEXT (any case)."
        ),
        sort: Annotated[str, typer.Option(metavar=f"<{'|'.join(SORT_KEYS)}>", help="Sort order.")] = "id",
        output: Annotated[
            str | None, typer.Option("--format", metavar="<table|csv|json>", help="Output format (default table).")
        ] = None,
        bom: Annotated[bool, typer.Option("--bom", help="With --format csv: start with a UTF-8 BOM (Excel).")] = False,
        as_json: JsonOption = False,
    ) -> None:
        """List items as a table, CSV or JSON; the filters combine (each repeatable option: any of its values)."""
        from reqctl.ops import items as ops
        from reqctl.ops.item_filter import as_filter

        chosen = list_format(output, as_json, bom)
        project = state(ctx).project()
        wanted = as_filter(status=status or (), milestone=milestone or (), priority=priority or (),
                           tag=tag or (), owner=owner or (), text=text)
        found = ops.list_items(project, kind, wanted=wanted)
        warn_invalid(project, [kind])
        if sort not in SORT_KEYS:
            raise UsageError(lazy("--sort {key}: use one of {keys}", key=sort, keys=", ".join(SORT_KEYS)))
        if sort != "id":
            found = sorted(found, key=lambda item: _sort_value(item, sort, project.config.priorities))
        if chosen == "json":
            console.print_json([ops.item_json(project, item) for item in found])
            return
        columns = COLUMNS[kind]
        rows = [[cell(item, column, project.config) for column in columns] for item in found]
        if chosen == "csv":
            print_csv(columns, rows, bom=bom)
            return
        out = console.stdout()
        out.print(shown_table(columns, rows, project.config, kind))
        out.print(Text(count_line(len(found), kind), style="dim"))

    @group.command("show")
    def show_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        as_json: JsonOption = False,
    ) -> None:
        """Show one item: its fields, approval state, description and the items that point at it."""
        from reqctl.ops import items as ops
        from reqctl.ops.backlinks import referenced_by

        _refuse_other_kind(ctx, item_id, kind)
        project = state(ctx).project_with(item_id, kind)
        item = get_item(project, item_id, kind)
        links = referenced_by(state(ctx).store(), item.id)
        data = ops.item_json(project, item)
        if as_json:
            console.print_json({**data, "referenced_by": [link.to_json() for link in links]})
            return
        render_item(project.file_of(item.id).path, data, item, project.config, links)
        from reqctl.review.actions import reviews_of

        for review in reviews_of(project.root, item.id):  # comments given through 'reqctl serve'
            comment = " ".join(str(review.get("comment", "")).split())
            who = project.config.person_name(str(review.get("by")))
            console.print_plain(_("review {id}: {decision} by {by} on {date}: {comment}").format(
                id=review.get("id"), decision=data_word(review.get("decision")), by=who, date=review.get("date"),
                comment=comment))

    @group.command("status")
    def status_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        new_status: str = typer.Argument(
            ..., metavar="STATUS", help=f"One of: {', '.join(statuses) or '(none: no lifecycle)'}."
        ),
    ) -> None:
        """Move an item to another status of its lifecycle."""
        from reqctl.ops import items as ops

        project = state(ctx).project_with(item_id, kind)
        item, old = ops.set_status(project, kind, item_id, new_status)
        if old != new_status:
            message = _("{id}: {old} → {new}").format(id=item.id, old=data_word(old), new=data_word(new_status))
        else:
            message = _("{id} is already {status}").format(id=item.id, status=data_word(old))
        console.print_plain(message)

    @group.command("edit", short_help="Edit in $EDITOR; saved only if valid.")
    def edit_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="Save an edit that makes an approved requirement suspect.")
        ] = False,
    ) -> None:
        """Open the item in $EDITOR; saved only if 'check' finds no new error in the result.

        Editing what an approval covers (title, description, priority,
        acceptance, dependencies) of an approved requirement asks first.
        """
        from reqctl.ops import items as ops
        from reqctl.ops.item_rules import makes_suspect, refuse_rule_errors

        app_state = state(ctx)
        project = app_state.project_with(item_id, kind)
        item = get_item(project, item_id, kind)
        path = project.path_of(item)
        original = path.read_bytes().decode("utf-8")  # bytes: keep CRLF line endings as they are
        edited = _run_editor(project.root, item.id, original)
        if edited == original:
            console.print_plain(_("{id}: no changes").format(id=item.id))
            return
        try:
            model = ops.validate_edited(project, kind, item.id, edited)
            refuse_rule_errors(app_state.store(), project.file_of(item.id), edited)
            suspect = makes_suspect(item, model, project.config)
            if suspect and not yes:
                _confirm_suspect(item.id, suspect)
            ops.replace_file(project, item.id, edited, original=original)
        except ReqctlError as exc:
            kept = _keep_rejected_edit(project.root, item.id, edited)
            raise UsageError(
                lazy("{error}; {file} is unchanged, your edit is saved in {kept}", error=exc.display(), file=path.name,
                     kept=kept)
            ) from None
        console.print_plain(_("{id}: saved").format(id=item.id))
        if suspect:
            console.warning_line(_("{id} is suspect now: re-approve it with 'reqctl approve {id}'").format(id=item.id))

    itemedit.register(group, kind)


LIST_FORMATS = ("table", "csv", "json")


def list_format(output: str | None, as_json: bool, bom: bool) -> str:
    """The format ``list`` prints: ``--json`` is kept as an alias of ``--format json``."""
    if output is not None and output not in LIST_FORMATS:
        raise UsageError(
            lazy("--format {format}: use one of {formats}", format=output, formats=", ".join(LIST_FORMATS))
        )
    if as_json and output not in (None, "json"):
        raise UsageError(lazy("--json and --format {format} contradict each other; use one", format=output))
    chosen = "json" if as_json else output or "table"
    if bom and chosen != "csv":
        raise UsageError(lazy("--bom only applies to --format csv"))
    return chosen


def print_csv(columns: Sequence[str], rows: Sequence[Sequence[str]], *, bom: bool) -> None:
    """CSV (RFC 4180: comma, CRLF, quotes as needed), a header row then one item per row.

    Written as UTF-8 bytes whatever the locale, so Chinese titles survive a
    redirect; the BOM makes Excel read it as UTF-8.
    """
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    stream.write(text.encode("utf-8"))
    stream.flush()


def warn_invalid(project: Project, kinds: Iterable[Kind] | None = None) -> None:
    """Name every item file a listing or document had to skip, one line each on stderr.

    stderr keeps ``--json`` and documents written to stdout valid.
    """
    from reqctl.ops.invalid import invalid_files

    warn_skipped(invalid_files(project, kinds))


def warn_skipped(files: Iterable[InvalidFile]) -> None:
    for skipped in files:
        console.warning_line(
            _("{where}: skipped: {problem}; run 'reqctl check'").format(
                where=skipped.location(), problem=render(skipped.problem)
            )
        )


_KIND_COMMAND = {Kind.REQUIREMENT: "req"}  # other kinds: the command group is the kind's name
_KIND_NOUN = {Kind.CHANGE: "change request", Kind.FEEDBACK: "feedback record", Kind.LESSON: "lesson learned"}


def _refuse_other_kind(ctx: typer.Context, item_id: str, kind: Kind) -> None:
    """``req show RISK-001``: say which command shows it instead of 'no requirement with ID RISK-001'."""
    from reqctl.model.ids import normalize_id_argument

    try:
        prefix = normalize_id_argument(item_id).split("-", 1)[0]
    except ReqctlError:
        return
    other = state(ctx).store().config().kind_for_prefix(prefix)
    if other is None or other is kind:
        return
    shown = normalize_id_argument(item_id)
    command = _KIND_COMMAND.get(other, other.value)
    from reqctl.messages import DEFAULT_LANGUAGE, language

    noun = _KIND_NOUN.get(other, other.value) if language() == DEFAULT_LANGUAGE else data_word(other.value)
    raise UsageError(lazy("{id} is a {kind}; use 'reqctl {command} show {id}'", id=shown, kind=noun,
                          command=command))


def get_item(project: Project, item_id: str, kind: Kind | None = None) -> Item:
    """``project.get``, but an item whose file is invalid gets what is wrong with the file, not 'no such item'."""
    from reqctl.ops.invalid import invalid_file_for

    try:
        return project.get(item_id, kind)
    except NotFoundError:
        broken = invalid_file_for(project, item_id, kind)
        if broken is None:
            raise
        raise broken.error() from None


def _sort_value(item: Item, key: str, priorities: list[str]) -> tuple[int, str]:
    from reqctl.model.items import Risk

    if key == "score" and isinstance(item, Risk):
        return (-item.score, item.id)
    if key == "priority":
        value = getattr(item, "priority", None)
        return (priorities.index(value) if value in priorities else len(priorities), item.id)
    return (0, str(getattr(item, key, "") or ""))


def _run_editor(root: Path, item_id: str, text: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="reqctl-edit-") as tmp:
        path = Path(tmp) / f"{item_id}.md"
        path.write_bytes(text.encode("utf-8"))
        try:
            completed = subprocess.run([*shlex.split(editor), str(path)], check=False, cwd=root)
        except OSError as exc:
            raise UsageError(lazy("cannot start the editor '{editor}': {reason}", editor=editor,
                                  reason=os_reason(exc))) from None
        if completed.returncode != 0:
            raise UsageError(lazy("the editor '{editor}' exited with status {code}; nothing saved", editor=editor,
                                  code=completed.returncode))
        try:
            return path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(lazy("the edited file is not UTF-8 text; nothing saved")) from None


def _confirm_suspect(item_id: str, fields: list[str]) -> None:
    """Ask before an edit invalidates an approval; without a terminal to ask on, refuse (``--yes`` skips this)."""
    from reqctl.messages import language
    from reqctl.render.i18n import field

    what = lazy("{id} is approved and this edit changes {fields}: this makes it suspect", id=item_id,
                fields=", ".join(field(name, language()) for name in fields))  # 优先级 in Chinese
    if not sys.stdin.isatty():
        raise UsageError(lazy("{what}: pass --yes to save it anyway", what=what))
    if not typer.confirm(_("{what} until it is re-approved. Save?").format(what=render(what)), default=False,
                         err=True):
        raise UsageError(lazy("{what}: not saved", what=what))


def _keep_rejected_edit(root: Path, item_id: str, text: str) -> str:
    """Keep a refused edit in the state folder (never in the working tree, where a symlink could redirect it)."""
    from reqctl.store.atomic import write_atomic
    from reqctl.store.statedir import ensure_state_dir

    state = ensure_state_dir(root)
    if state is None:
        raise UsageError(lazy("cannot keep the rejected edit: reqctl's state folder cannot be created"))
    folder = state / "rejected-edits"
    folder.mkdir(exist_ok=True, mode=0o700)
    path = folder / f"{item_id}.md"
    write_atomic(path, text.encode("utf-8"))
    return str(path)


def render_item(
    rel: str, data: dict[str, object], item: Item, config: Config | None = None, links: Sequence[Backlink] = ()
) -> None:
    from reqctl.messages import DEFAULT_LANGUAGE, language
    from reqctl.model.items import Requirement
    from reqctl.render.i18n import field

    lang = language()
    names = config.display_names(lang) if config is not None else {}

    def name(value: object) -> str:
        return config.person_name(str(value)) if config is not None else str(value)

    def label(key: str) -> str:
        # a meeting's kind is stored as 'kind' and shown under that field's name
        return key if lang == DEFAULT_LANGUAGE else field("kind" if key == "meeting_kind" else key, lang)

    out = console.stdout()
    fields = Text()
    skip = {"id", "title", "body", "kind", "path", "approval", "approvals", "actions", "fingerprint",
            "approval_state", "awaiting_roles"}
    for key, value in data.items():
        if key in skip or value in ([], "", None):
            continue
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        if key in WORD_COLUMNS:
            text = shown(text, key, names, lang)
        elif key in ("meeting_kind", "channel"):  # data words a kind of meeting or visit is stored as
            text = data_word(text)
        if key in PERSON_FIELDS:
            text = ", ".join(name(v) for v in value) if isinstance(value, list) else name(value)
        if key == "acceptance" and isinstance(value, list):
            # ✓ only once the customer verified the requirement; until then they are just criteria
            mark = "✓" if getattr(item, "status", None) == "verified" else "-"
            text = "".join(f"\n  {mark} {v}" for v in value)
        fields.append(_("{field}: ").format(field=label(key)), style="bold")
        fields.append(f"{text}\n")
    if isinstance(item, Requirement):
        state_text = str(data.get("approval_state", "none"))
        awaiting = data.get("awaiting_roles") or []
        style = "green" if state_text == "approved" else "red"
        fields.append(_("{field}: ").format(field=label("approval")), style="bold")
        waiting = ""
        if isinstance(awaiting, list) and awaiting:
            waiting = _(" (awaiting {roles})").format(roles=", ".join(data_word(r) for r in awaiting))
        fields.append(f"{data_word(state_text)}{waiting}\n", style=style)
        for record in item.approval_records:
            fields.append(
                _("  {role}: {by} on {date}\n").format(
                    role=data_word(record.role or "approved"), by=name(record.by), date=record.at
                )
            )
    for index, action in enumerate(getattr(item, "actions", ()), start=1):
        mark = "x" if action.done else " "
        due = _(" (due {date})").format(date=action.due) if action.due else ""
        owner = f" — {name(action.owner)}" if action.owner else ""
        fields.append(f"  [{mark}] {index}. {action.what}{owner}{due}\n")
    if links:
        fields.append(_("referenced by:") + "\n", style="bold")
        for link in links:
            fields.append(_("  {id} {relation}: {title}\n").format(id=link.id, relation=render(link.relation),
                                                                   title=link.title))
    out.print(Panel(fields, title=Text(f"{item.id}  {item.title}", style="bold"), subtitle=rel))
    if item.body.strip():
        if out.is_terminal:
            from rich.markdown import Markdown  # rendering is for people; pipes get the source

            out.print(Markdown(item.body))
        else:
            console.print_plain(item.body.strip("\n"))
