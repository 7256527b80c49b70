"""``--help`` and the option parser's errors in the run's language.

The help texts stay English where they are written (``help=`` and docstrings
in ``cli/*.py``); they are the catalog's msgids.  When the run's language is
not English, ``translate_tree`` walks the click command that typer built from
the app — the same tree ``--help`` prints — and replaces each command's help
and summary and each parameter's help with its translation.  English runs
never walk the tree, so help stays as fast as it was.

The framework's own words need three more hooks, because typer vendors a
copy of click that prints fixed English:

- typer's help code looks its words up with ``gettext.gettext`` ("Options",
  "Commands", "default: {default}", "required", "No such command {name!r}.");
  its module-level ``_`` is pointed at reqctl's catalog when this module is imported.
  reqctl's ``_`` answers in the language of this run, so English runs in the
  same process are unaffected;
- click's help formatter writes "Usage: " and wraps by characters; every
  translated command gets a context whose formatter says 用法 and wraps by
  display width (a Chinese character takes two columns);
- click's parser errors ("No such option: --x", "Missing argument 'ID'.")
  are English f-strings; ``usage_error`` matches them against the English
  msgids below and shows the translation (unknown ones stay as they are).

``extract`` is the Babel extractor that puts every help text into
``reqctl.pot`` (``babel.cfg``; docs/TRANSLATING.md).
"""

from __future__ import annotations

import functools
import inspect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import typer.core
from typer._click.core import Command, Context
from typer._click.formatting import HelpFormatter

from reqctl import messages
from reqctl.messages import N_, NP_

# typer's own words (typer/core.py looks them up with gettext).
FRAMEWORK_WORDS = (
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
    N_("(dynamic)"),
    N_("env var: {var}"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
)

# click's parser errors, as its f-strings write them; most specific first.
USAGE_ERRORS = (
    N_("{message}. Did you mean {suggestions}?"),  # typer adds the suggestion to "No such command"
    N_("No such option: {name} (Possible options: {options})"),
    N_("No such option: {name}"),
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Option {name} does not take a value."),
    N_("Invalid value for {name}: {message}"),
    N_("Invalid value: {message}"),
    N_("{value} is not one of {choices}."),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
    N_("{value} is not a valid {type}."),
    N_("{value} is not in the range {range}."),
    N_("{value} does not match the formats {formats}."),
    N_("{what} {path} does not exist."),
    N_("{what} {path} is a file."),
    N_("{what} {path} is a directory."),
    N_("{what} {path} is not readable."),
    N_("{what} {path} is not writable."),
)
# Words inside those errors: click's type names and path kinds.
ERROR_WORDS = (
    NP_("parameter type", "integer"),
    NP_("parameter type", "float"),
    NP_("parameter type", "UUID"),
    NP_("parameter type", "File"),
    NP_("parameter type", "Directory"),
    NP_("parameter type", "Path"),
)
_WORD_FIELDS = frozenset({"type", "what"})  # captured values that are one of ERROR_WORDS
_NESTED_FIELDS = frozenset({"message"})  # captured values that are themselves an error message

USAGE_PREFIX = N_("Usage: ")
HEADING = N_("{heading}:")  # "Options:" (选项：)


def _english() -> bool:
    return messages.language() == messages.DEFAULT_LANGUAGE


# --- the command tree ---------------------------------------------------------


def _subcommands(command: Command) -> list[Command]:
    commands = getattr(command, "commands", None)  # a group (typer's TyperGroup)
    return list(commands.values()) if isinstance(commands, dict) else []


def _walk(command: Command) -> Iterator[Command]:
    """``command`` and every command below it, hidden ones left out (``--help`` never shows them)."""
    if command.hidden:
        return
    yield command
    for sub in _subcommands(command):
        yield from _walk(sub)


def _help_option(command: Command) -> Any:
    """The ``--help`` option click adds to every command (made once, then cached on the command)."""
    return command.get_help_option(Context(command))


def help_text(text: str | None) -> str:
    """A help text as click shows it (indentation removed, cut at ``\\f``): the catalog's msgid."""
    return inspect.cleandoc(text or "").partition("\f")[0].strip()


def help_texts(command: Command) -> Iterator[str]:
    """Every text ``--help`` shows for ``command`` and below it, in tree order (repeats included)."""
    for node in _walk(command):
        for text in (node.help, node.short_help):
            if help_text(text):
                yield help_text(text)
        params = [*node.params, _help_option(node)]
        for param in params:
            if param is None or getattr(param, "hidden", False):
                continue
            text = help_text(getattr(param, "help", None))
            if text:
                yield text


def translate_tree(command: Command) -> None:
    """Show ``command``'s help (and that of every command below it) in the run's language.

    A no-op in English.  A text the catalog lacks stays English.
    """
    if _english():
        return
    for node in _walk(command):
        if help_text(node.help):
            node.help = messages._(help_text(node.help))
        if help_text(node.short_help):
            node.short_help = messages._(help_text(node.short_help))
        if node.context_class is Context:
            node.context_class = TranslatedContext
        for param in [*node.params, _help_option(node)]:
            text = help_text(getattr(param, "help", None))
            if param is not None and text:
                param.help = messages._(text)


def _typer_gettext(message: str) -> str:
    return messages._(message)


# typer's words ("Options", "No such command 'x'.") through reqctl's catalog, in the language of each
# run (English stays English). Installed on import: parser errors need it whether or not help is shown.
typer.core._ = _typer_gettext  # type: ignore[attr-defined]  # typer looks its words up through this name


# --- usage errors -------------------------------------------------------------


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """A regular expression per English error msgid: ``{name}`` becomes a named group."""
    compiled = []
    for msgid in USAGE_ERRORS:
        parts = re.split(r"\{(\w+)\}", msgid)
        pattern = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts)
        )
        compiled.append((re.compile(pattern + r"\Z", re.DOTALL), msgid))
    return tuple(compiled)


def usage_error(text: str) -> str:
    """A parser error of click's in the run's language (as it is when no msgid matches)."""
    if _english():
        return text
    for pattern, msgid in _patterns():
        found = pattern.match(text)
        if found is None:
            continue
        values = found.groupdict()
        for name, value in values.items():
            if name in _WORD_FIELDS:
                values[name] = messages.pgettext("parameter type", value)
            elif name in _NESTED_FIELDS:
                values[name] = usage_error(value)
        return messages._(msgid).format(**values)
    return text


# --- the formatter ------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


_TOKEN = re.compile(r"\s+|[^\s]")
_NO_LINE_START = frozenset("，。；：、）》」』”’！？,.;:)]")


def _tokens(text: str) -> Iterator[str]:
    """Whitespace runs, single wide characters, and runs of narrow non-space characters (words)."""
    word = ""
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.isspace() or display_width(token) == 2:
            if word:
                yield word
                word = ""
            yield token
        else:
            word += token
    if word:
        yield word


def wrap_line(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """Greedy wrap by display width: breaks at spaces and between wide characters.

    A closing punctuation mark never starts a line (it stays with the
    character before it, a column or two past the width if need be).
    """
    lines: list[str] = []
    line, used, space = initial_indent, display_width(initial_indent), ""
    empty = True
    for token in _tokens(text):
        if token.isspace():
            space = "" if empty else " " if "\n" in token else token  # "text.  [default: x]" keeps its two spaces
            continue
        gap = space
        size = display_width(gap + token)
        if not empty and used + size > width and token[0] not in _NO_LINE_START:
            lines.append(line)
            line, used, gap = subsequent_indent, display_width(subsequent_indent), ""
            size = display_width(token)
        line += gap + token
        used += size
        space, empty = "", False
    lines.append(line)
    return lines


def wrap_text(
    text: str, width: int, initial_indent: str = "", subsequent_indent: str = "", preserve_paragraphs: bool = False
) -> str:
    """click's ``wrap_text`` (paragraphs, ``\\b`` blocks kept as written), measuring display width."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return "\n".join(wrap_line(text, width, initial_indent, subsequent_indent))
    paragraphs: list[tuple[int, bool, list[str]]] = []
    block: list[str] = []
    indent = 0
    for line in [*text.splitlines(), ""]:
        if line.strip():
            if not block:
                indent = len(line) - len(line.lstrip())
            block.append(line.strip() if block or line.strip() != "\b" else "\b")
            continue
        if block:
            raw = block[0] == "\b"
            paragraphs.append((indent, raw, block[1:] if raw else block))
            block = []
    out = []
    for indent, raw, lines in paragraphs:
        extra = " " * indent
        if raw:
            out.append("\n".join(subsequent_indent + extra + line for line in lines))
        else:
            out.append(
                "\n".join(wrap_line("\n".join(lines), width, initial_indent + extra, subsequent_indent + extra))
            )
    return "\n\n".join(out)


class WideFormatter(HelpFormatter):
    """click's help formatter with the usage prefix translated and wrapping by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = messages._(USAGE_PREFIX) if prefix is None else prefix
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if text_width >= display_width(usage_prefix) + 20:
            indent = " " * display_width(usage_prefix)
            self.write(wrap_text(args, text_width, initial_indent=usage_prefix, subsequent_indent=indent))
        else:
            self.write(usage_prefix + "\n")
            indent = " " * (max(self.current_indent, display_width(prefix)) + 4)
            self.write(wrap_text(args, text_width, initial_indent=indent, subsequent_indent=indent))
        self.write("\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{messages._(HEADING).format(heading=heading)}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_text(text, self.width, indent, indent, preserve_paragraphs=True))
        self.write("\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(display_width(first) for first, _second in rows), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - 2, 10)
            lines = wrap_text(second, text_width, preserve_paragraphs=True).splitlines() or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


class TranslatedContext(Context):
    """The context of a translated command: its help goes through ``WideFormatter``."""

    formatter_class = WideFormatter


# --- extraction ---------------------------------------------------------------


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[Any, ...]]:
    """Babel extractor for ``cli/main.py``: its marked messages, then every ``--help`` text of the app.

    ``babel.cfg`` maps ``src/reqctl/cli/main.py`` to this function ahead of the
    plain Python extractor (Babel uses the first method whose pattern matches
    a file, so this one runs the Python extractor on main.py itself too).
    """
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    import typer.main

    from reqctl.cli import main

    extracting = getattr(fileobj, "name", None)
    if isinstance(extracting, str) and Path(extracting).resolve() != Path(main.__file__).resolve():
        # An editable install of another checkout would put that checkout's help texts into this catalog.
        raise RuntimeError(f"pybabel imports reqctl from {main.__file__}, not {extracting}: run it with PYTHONPATH=src")
    for text in help_texts(typer.main.get_command(main.app)):
        yield 0, "_", text, ["--help"]
