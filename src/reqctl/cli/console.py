"""The one home of rich output: consoles, tables, item views."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """A reader that stopped early (``| head``) is not an error: exit quietly with 0."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise BrokenPipeError


def stdout() -> Console:
    return _Console(highlight=False, soft_wrap=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_plain(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def warning_line(message: str) -> None:
    """A warning on stderr, one line, that never changes the exit code."""
    sys.stderr.write(f"warning: {message}\n")


def error_line(message: str) -> None:
    """One line on stderr, never wrapped, no markup interpretation."""
    sys.stderr.write(f"error: {message}\n")


def table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None,
    headers: Sequence[str] | None = None,
) -> Table:
    """``columns`` are the keys (``id``, ``title``…); ``headers`` what the header row shows (translated)."""
    grid = Table(title=title, show_lines=False, header_style="bold", expand=False)
    for name, header in zip(columns, headers or columns, strict=True):
        # IDs never break; everything else folds so the table fits the terminal.
        grid.add_column(header, overflow="fold", no_wrap=name == "id", ratio=3 if name == "title" else 1)
    for row in rows:
        grid.add_row(*(Text(cell) for cell in row))
    return grid
