"""Command summaries in ``--help`` listings are whole sentences, never cut off with "...".

click shortens a command's summary to fit the terminal and ends it with
"..." unless the command has a ``short_help``; a summary cut mid-phrase
("Create reqctl.yaml, item folders, CI jobs and a pre-commit...") reads as
an error.  Every command or group that sets no ``short_help`` gets the first
sentence of its help as one, which click wraps instead of cutting.
"""

from __future__ import annotations

from typing import Any

import typer


def first_sentence(text: str | None) -> str:
    """The first sentence of the first paragraph, whitespace collapsed (the whole paragraph if no period)."""
    paragraph = (text or "").strip().split("\n\n", 1)[0]
    words = paragraph.split()
    for index, word in enumerate(words):
        if word.endswith("."):
            return " ".join(words[: index + 1])
    return " ".join(words)


def _given(value: Any) -> Any:
    """A value set by hand; typer marks unset ones with ``DefaultPlaceholder``."""
    return None if type(value).__name__ == "DefaultPlaceholder" else value


def keep_summaries_whole(app: typer.Typer) -> None:
    """Give every command and group of ``app`` (recursively) a ``short_help`` when it has none."""
    for command in app.registered_commands:
        if not command.short_help:
            doc = command.callback.__doc__ if command.callback else None
            command.short_help = first_sentence(command.help or doc) or None
    for group in app.registered_groups:
        sub_app = group.typer_instance
        if sub_app is None:
            continue
        if not (_given(group.short_help) or _given(sub_app.info.short_help)):
            group.short_help = first_sentence(_given(group.help) or _given(sub_app.info.help)) or None
        keep_summaries_whole(sub_app)
