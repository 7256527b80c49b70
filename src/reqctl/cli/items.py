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
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.text import Text

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import NotFoundError, ReqctlError, UsageError
from reqctl.model.ids import Kind

if TYPE_CHECKING:
    from reqctl.model.config import Config
    from reqctl.model.items import Item
    from reqctl.model.project import Project
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
}


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
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


SORT_KEYS = ("id", "score", "priority", "status", "milestone", "date")
# Kept in step with the models' ``statuses`` (tests/test_docs.py checks): importing the models here would
# load pydantic on every run, --help included.
STATUSES: dict[Kind, tuple[str, ...]] = {
    Kind.REQUIREMENT: ("draft", "proposed", "approved", "implemented", "verified", "rejected", "deprecated"),
    Kind.CHANGE: ("proposed", "assessed", "approved", "rejected", "implemented", "withdrawn"),
    Kind.RISK: ("open", "mitigating", "closed", "occurred"),
    Kind.DECISION: ("proposed", "accepted", "superseded", "deprecated"),
}


def register_common(group: typer.Typer, kind: Kind) -> None:
    """Add list, show, status and edit; the library is imported only when they run."""
    noun = kind.value
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
        sort: Annotated[str, typer.Option(metavar=f"<{'|'.join(SORT_KEYS)}>", help="Sort order.")] = "id",
        as_json: JsonOption = False,
    ) -> None:
        """List items as a table (or JSON), optionally filtered by status."""
        from reqctl.ops import items as ops

        project = state(ctx).project()
        found = ops.list_items(project, kind, status or ())
        warn_invalid(project, [kind])
        if sort not in SORT_KEYS:
            raise UsageError(f"--sort {sort}: use one of {', '.join(SORT_KEYS)}")
        if sort != "id":
            found = sorted(found, key=lambda item: _sort_value(item, sort, project.config.priorities))
        if as_json:
            console.print_json([ops.item_json(project, item) for item in found])
            return
        columns = COLUMNS[kind]
        rows = [[cell(item, column, project.config) for column in columns] for item in found]
        out = console.stdout()
        out.print(console.table(columns, rows))
        out.print(Text(f"{len(found)} {noun}{'s' if len(found) != 1 else ''}", style="dim"))

    @group.command("show")
    def show_command(
        ctx: typer.Context,
        item_id: Annotated[str, typer.Argument(metavar="ID")],
        as_json: JsonOption = False,
    ) -> None:
        """Show one item: its fields, approval state and description."""
        from reqctl.ops import items as ops

        project = state(ctx).project_with(item_id, kind)
        item = get_item(project, item_id, kind)
        if as_json:
            console.print_json(ops.item_json(project, item))
            return
        render_item(project.file_of(item.id).path, ops.item_json(project, item), item)
        from reqctl.review.actions import reviews_of

        for review in reviews_of(project.root, item.id):  # comments given through 'reqctl serve'
            comment = " ".join(str(review.get("comment", "")).split())
            console.print_plain(
                f"review {review.get('id')}: {review.get('decision')} by {review.get('by')} on {review.get('date')}"
                f": {comment}"
            )

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
        message = f"{item.id}: {old} → {new_status}" if old != new_status else f"{item.id} is already {old}"
        console.print_plain(message)

    @group.command("edit", short_help="Edit in $EDITOR; saved only if valid.")
    def edit_command(ctx: typer.Context, item_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
        """Open the item in $EDITOR; the file is replaced only if the edit is valid."""
        from reqctl.ops import items as ops

        project = state(ctx).project_with(item_id, kind)
        item = get_item(project, item_id, kind)
        path = project.path_of(item)
        original = path.read_bytes().decode("utf-8")  # bytes: keep CRLF line endings as they are
        edited = _run_editor(project.root, item.id, original)
        if edited == original:
            console.print_plain(f"{item.id}: no changes")
            return
        try:
            ops.validate_edited(project, kind, item.id, edited)
            ops.replace_file(project, item.id, edited, original=original)
        except ReqctlError as exc:
            kept = _keep_rejected_edit(project.root, item.id, edited)
            raise UsageError(f"{exc}; {path.name} is unchanged, your edit is saved in {kept}") from None
        console.print_plain(f"{item.id}: saved")


def warn_invalid(project: Project, kinds: Iterable[Kind] | None = None) -> None:
    """Name every item file a listing or document had to skip, one line each on stderr.

    stderr keeps ``--json`` and documents written to stdout valid.
    """
    from reqctl.ops.invalid import invalid_files

    warn_skipped(invalid_files(project, kinds))


def warn_skipped(files: Iterable[InvalidFile]) -> None:
    for skipped in files:
        sys.stderr.write(f"warning: {skipped.location()}: skipped: {skipped.problem}; run 'reqctl check'\n")


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
            raise UsageError(f"cannot start the editor '{editor}': {exc.strerror}") from None
        if completed.returncode != 0:
            raise UsageError(f"the editor '{editor}' exited with status {completed.returncode}; nothing saved")
        try:
            return path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError("the edited file is not UTF-8 text; nothing saved") from None


def _keep_rejected_edit(root: Path, item_id: str, text: str) -> str:
    """Keep a refused edit in the state folder (never in the working tree, where a symlink could redirect it)."""
    from reqctl.store.atomic import write_atomic
    from reqctl.store.statedir import ensure_state_dir

    state = ensure_state_dir(root)
    if state is None:
        raise UsageError("cannot keep the rejected edit: reqctl's state folder cannot be created")
    folder = state / "rejected-edits"
    folder.mkdir(exist_ok=True, mode=0o700)
    path = folder / f"{item_id}.md"
    write_atomic(path, text.encode("utf-8"))
    return str(path)


def render_item(rel: str, data: dict[str, object], item: Item) -> None:
    from reqctl.model.items import Requirement

    out = console.stdout()
    fields = Text()
    skip = {"id", "title", "body", "kind", "path", "approval", "approvals", "actions", "fingerprint",
            "approval_state", "awaiting_roles"}
    for key, value in data.items():
        if key in skip or value in ([], "", None):
            continue
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        if key == "acceptance" and isinstance(value, list):
            shown = "".join(f"\n  ✓ {v}" for v in value)
        fields.append(f"{key}: ", style="bold")
        fields.append(f"{shown}\n")
    if isinstance(item, Requirement):
        state_text = str(data.get("approval_state", "none"))
        awaiting = data.get("awaiting_roles") or []
        style = "green" if state_text == "approved" else "red"
        fields.append("approval: ", style="bold")
        waiting = ""
        if isinstance(awaiting, list) and awaiting:
            waiting = f" (awaiting {', '.join(str(r) for r in awaiting)})"
        fields.append(f"{state_text}{waiting}\n", style=style)
        for record in item.approval_records:
            fields.append(f"  {record.role or 'approved'}: {record.by} on {record.at}\n")
    for index, action in enumerate(getattr(item, "actions", ()), start=1):
        mark = "x" if action.done else " "
        due = f" (due {action.due})" if action.due else ""
        owner = f" — {action.owner}" if action.owner else ""
        fields.append(f"  [{mark}] {index}. {action.what}{owner}{due}\n")
    out.print(Panel(fields, title=Text(f"{item.id}  {item.title}", style="bold"), subtitle=rel))
    if item.body.strip():
        if out.is_terminal:
            from rich.markdown import Markdown  # rendering is for people; pipes get the source

            out.print(Markdown(item.body))
        else:
            console.print_plain(item.body.strip("\n"))
