"""``reqctl check``: the CI gate."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from reqctl import __version__
from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import EXIT_FINDINGS, ReqctlError, UsageError
from reqctl.messages import lazy, render
from reqctl.validation.findings import FORMATS
from reqctl.validation.registry import CheckOptions, rule_infos


def register(app: typer.Typer) -> None:
    @app.command("check")
    @_error_document
    def check_command(
        ctx: typer.Context,
        output_format: Annotated[
            str, typer.Option("--format", "-f", metavar=f"<{'|'.join(FORMATS)}>", help="Output format.")
        ] = "text",
        require_approved: Annotated[
            bool, typer.Option("--require-approved", help="Release gate: fail on requirements not yet approved.")
        ] = False,
        milestone: Annotated[
            str | None, typer.Option("--milestone", help="With --require-approved: only this milestone.")
        ] = None,
        today: Annotated[str | None, typer.Option("--today", help="Pretend today is this date (YYYY-MM-DD).")] = None,
        rules: Annotated[bool, typer.Option("--rules", help="List the rules and exit.")] = False,
        base: Annotated[
            str | None,
            typer.Option("--base", help="PR gate: also check changes since the fork point with REF."),
        ] = None,
        verify_approvals: Annotated[
            bool,
            typer.Option("--verify-approvals", help="Check in git history that approvers added their approvals."),
        ] = False,
    ) -> None:
        """Validate every item file; exit 1 when an error is found. Never modifies the repository."""
        if rules:
            from reqctl.messages import _, pgettext
            from reqctl.validation.registry import GATE_RULES

            rows = [(info, pgettext("severity", info.default_severity.value)) for info in [*rule_infos(), *GATE_RULES]]
            width = max(len(severity) for _info, severity in rows)  # 'warning', or 警告 in Chinese
            for info, severity in rows:
                console.print_plain(f"{info.code}  {severity:{width}}  {info.name}: {_(info.description)}")
            return
        if output_format not in FORMATS:
            raise UsageError(lazy("--format {format}: use one of {formats}", format=output_format,
                                  formats=", ".join(FORMATS)))
        if milestone is not None and not require_approved:
            raise UsageError(lazy("--milestone goes with --require-approved"))
        from reqctl.ops.check import run_check

        store = state(ctx).store()
        if milestone is not None and store.config().milestone(milestone) is None:
            raise UsageError(lazy("--milestone {milestone}: no such milestone in reqctl.yaml", milestone=milestone))
        options = CheckOptions(
            require_approved=require_approved, milestone=milestone, today=_parse_date(today)
        )
        run = run_check(store, options, base=base, verify=verify_approvals)
        for notice in run.notices:
            console.warning_line(render(notice))
        result = run.result
        root = store.root
        # Rule descriptions are only part of SARIF; loading them needs the models.
        infos = rule_infos() if output_format == "sarif" else []
        if infos and (base is not None or verify_approvals):
            from reqctl.validation.registry import GATE_RULES

            infos = [*infos, *GATE_RULES]
        from reqctl.locate import repo_prefix
        from reqctl.validation.formats import render_findings

        text = render_findings(
            result.findings, infos, output_format, tool_version=__version__,
            checked_files=result.files_checked, project_root=str(root), path_prefix=repo_prefix(root),
        )
        console.print_plain(text)
        if result.errors:
            raise typer.Exit(EXIT_FINDINGS)


def _error_document(command: Callable[..., None]) -> Callable[..., None]:
    """When checking fails (a bad reqctl.yaml…), still print a json/junit/sarif document carrying the error.

    The error then goes on to the single handler (one line on stderr, exit 2).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except ReqctlError as exc:
            from reqctl.locate import find_root, repo_prefix
            from reqctl.validation.formats import render_error_document

            try:
                root: Path | None = find_root(state(kwargs["ctx"]).directory)
            except ReqctlError:
                root = None
            document = render_error_document(
                kwargs.get("output_format", "text"), exc, tool_version=__version__,
                project_root=None if root is None else str(root),
                path_prefix="" if root is None else repo_prefix(root),
            )
            if document is not None:
                console.print_plain(document)
            raise

    return wrapper


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(lazy("{option} {value}: expected a date like 2026-12-01", option="--today",
                              value=value)) from None

