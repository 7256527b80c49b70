"""The typer app and the single place where exceptions become exit codes."""

from __future__ import annotations

import contextlib
import copy
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from reqctl import __version__, messages
from reqctl.cli import (
    approve,
    baseline,
    change,
    check,
    console,
    diff,
    doc,
    importing,
    init,
    lessons,
    publish,
    report,
    review,
    schema,
    serve,
    templates,
)
from reqctl.cli.add import register_add
from reqctl.cli.context import AppState, project_language, state
from reqctl.cli.helplang import translate_tree, usage_error
from reqctl.cli.helptext import keep_summaries_whole
from reqctl.cli.items import register_common
from reqctl.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, ReqctlError, UsageError
from reqctl.model.ids import Kind

app = typer.Typer(
    name="reqctl",
    help="Customer requirements, change requests, risks, decisions and meetings as files in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

GROUP_NAMES: dict[Kind, tuple[str, str]] = {
    Kind.REQUIREMENT: ("req", "Requirements: add, list, show, move, edit."),
    Kind.RISK: ("risk", "The risk register (score = probability × impact)."),
    Kind.DECISION: ("decision", "Decision records (context, decision, consequences)."),
    Kind.MEETING: ("meeting", "Meeting and communication records with action items."),
    Kind.FEEDBACK: ("feedback", "Customer feedback with satisfaction scores."),
    Kind.LESSON: ("lesson", "Lessons learned."),
    Kind.TRAINING: ("training", "Training sessions for the customer's users (audience, topics, score)."),
    Kind.SUPPORT: ("support", "Support tickets after delivery (severity, status, response and resolution)."),
    Kind.FOLLOWUP: ("followup", "Follow-up visits with the customer (satisfaction, next visit)."),
}


def _version(value: bool) -> None:
    if value:
        console.print_plain(f"reqctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    directory: Annotated[
        Path | None, typer.Option("-C", help="Run as if started in this folder.", show_default=False)
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the parse cache.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", metavar="<en|zh>", show_default=False,
            help="Language of reqctl's messages and tables (default: LANGUAGE/LC_ALL/LANG, else the project's).",
        ),
    ] = None,
) -> None:
    ctx.obj = AppState(directory=directory or Path.cwd(), debug=debug, use_cache=not no_cache)
    if lang is not None:
        if lang not in messages.LANGUAGES:
            raise UsageError(messages.lazy("--lang {lang}: use one of {languages}", lang=lang,
                                           languages=", ".join(messages.LANGUAGES)))
        messages.choose(lang)
    elif messages.chosen() is None:
        messages.settle(project_language(ctx.obj.directory))


def _build() -> None:
    """Register every command, in the order ``reqctl --help`` lists them."""
    init.register(app)
    approve.register(app)
    check.register(app)
    diff.register(app)
    publish.register(app)
    groups: dict[Kind, typer.Typer] = {}
    for kind, (_name, help_text) in GROUP_NAMES.items():
        group = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)
        register_common(group, kind)
        groups[kind] = group
    register_add(groups)
    diff.register_req_history(groups[Kind.REQUIREMENT])
    for kind, (name, _help) in GROUP_NAMES.items():
        app.add_typer(groups[kind], name=name)
    change.register(app)
    lessons.register(app)
    baseline.register(app)
    report.register(app)
    doc.register(app)
    templates.register(app)
    schema.register(app)
    review.register(app)
    serve.register(app)
    from reqctl.cli import exporting, import_tabular

    import_tabular.register(importing.group)
    importing.register(app)
    exporting.register(app)
    keep_summaries_whole(app)


_build()

_ROOT_FLAGS = frozenset({"--debug", "--no-cache"})
_ROOT_VALUES = frozenset({"-C", "--lang"})  # root options that take a value


def _command_start(args: list[str]) -> int:
    """The index of the first argument after the root options (``len(args)`` when there is none)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in _ROOT_VALUES:
            index += 2
        elif arg in _ROOT_FLAGS or (arg.startswith("-C") and len(arg) > 2) or arg.startswith("--lang="):
            index += 1
        else:
            return index
    return len(args)


def _command_name(args: list[str]) -> str | None:
    """The command or group the arguments name, skipping the root options; None if there is none."""
    index = _command_start(args)
    if index == len(args) or args[index].startswith("-"):
        return None
    return args[index]


def _root_value(args: list[str], option: str) -> str | None:
    """The value of a root option (``--lang zh``, ``-C dir``) given before the command, if any."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in _ROOT_VALUES:
            if arg == option and index + 1 < len(args):
                return args[index + 1]
            index += 2
        elif arg.startswith(f"{option}=") or (option == "-C" and arg.startswith("-C") and len(arg) > 2):
            return arg[len(option) :].removeprefix("=")
        elif arg in _ROOT_FLAGS or (arg.startswith("-C") and len(arg) > 2) or arg.startswith("--lang="):
            index += 1
        else:
            return None
    return None


def _may_show_help(args: list[str]) -> bool:
    """Whether click may print a help page: ``--help``, or no command, or a bare group name (``reqctl req``)."""
    return "--help" in args or len(args) - _command_start(args) <= 1


def _settle_language(args: list[str]) -> None:
    """Decide the run's language before click parses anything: ``--help`` and parser errors need it.

    The same precedence as the root callback (which still checks ``--lang``):
    ``--lang`` before the command, the environment (already chosen), the
    project's ``language:`` at ``-C`` or here.
    """
    lang = _root_value(args, "--lang")
    if lang in messages.LANGUAGES:
        messages.choose(lang)
    elif messages.chosen() is None:
        messages.settle(project_language(Path.cwd() / (_root_value(args, "-C") or ".")))


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command group the arguments use.

    Typer converts every registered command to click (evaluating all their
    annotations) on each run; converting one group instead of all of them
    saves tens of milliseconds on every invocation.  ``--help`` and unknown
    commands get the full app, so listings and errors are unchanged.
    """
    name = _command_name(args)
    commands = [info for info in app.registered_commands if info.name == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if name is None or not (commands or groups):
        return app
    slim = copy.copy(app)
    slim.registered_commands = commands
    slim.registered_groups = groups
    return slim


def _parser_exceptions() -> tuple[tuple[type[Exception], ...], tuple[type[BaseException], ...]]:
    """Option-parsing errors and aborts of the click copy that typer (>= 0.26) vendors.

    Typer no longer installs click, so reqctl never imports it: every parser
    error derives from ``typer.exceptions.TyperException`` and aborts raise
    ``typer.Abort``.
    """
    return (typer.exceptions.TyperException,), (typer.Abort,)


_USAGE_ERRORS, _ABORTS = _parser_exceptions()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, map every exception to one line and an exit code.

    Messages are in the language of this run (``reqctl.messages``): the
    environment's, until ``--lang`` or the project's ``language`` decides.
    """
    args = sys.argv[1:] if argv is None else argv
    with messages.using(messages.environment_language(os.environ)):
        return _main(args)


def _main(args: list[str]) -> int:
    debug = "--debug" in args
    try:
        _settle_language(args)
        command = typer.main.get_command(_app_for(args))
        if _may_show_help(args):
            translate_tree(command)  # --help in the run's language (nothing to do in English)
        result = command(args=args, prog_name="reqctl", standalone_mode=False)
    except ReqctlError as exc:
        if debug:
            raise
        console.error_line(exc.display())
        return exc.exit_code
    except _ABORTS:
        console.error_line(messages._("interrupted"))
        return EXIT_INTERRUPTED
    except _USAGE_ERRORS as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group name asks for its help
            console.print_plain(str(getattr(exc, "message", exc)))
            return 0
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        console.error_line(usage_error(str(message)).replace("\n", " "))
        command_ctx = getattr(exc, "ctx", None)
        if command_ctx is not None:
            sys.stderr.write(messages._("Try '{command} --help' for help.").format(command=command_ctx.command_path)
                             + "\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.error_line(messages._("interrupted"))
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if debug:
            raise
        console.error_line(
            messages._("internal error: {error} (run with --debug for details)").format(
                error=f"{type(exc).__name__}: {exc}"
            )
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())


__all__ = ["app", "main", "run", "state"]
