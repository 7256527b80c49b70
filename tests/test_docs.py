"""Every command has help text, and README.md mentions every command a user can run."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from reqctl.cli.main import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, str | None]]:
    """(full command name, help) for every leaf command of the app."""
    found: list[tuple[str, str | None]] = []
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        found.append((name, info.help or (info.callback.__doc__ if info.callback else None)))
    for group in app.registered_groups:
        sub_app = group.typer_instance
        assert isinstance(sub_app, typer.Typer)
        for info in sub_app.registered_commands:
            name = info.name or (info.callback.__name__ if info.callback else "")
            found.append((f"{group.name} {name}", info.help or (info.callback.__doc__ if info.callback else None)))
    return found


COMMANDS = _commands()


def test_the_app_has_the_contract_commands() -> None:
    names = {name for name, _ in COMMANDS}
    for expected in ("init", "approve", "check", "req add", "req list", "req show", "req status", "req edit",
                     "risk add", "decision add", "meeting add", "change propose", "diff", "report weekly",
                     "doc srs", "publish"):
        assert expected in names


@pytest.mark.parametrize(("name", "help_text"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_has_help(name: str, help_text: str | None) -> None:
    assert help_text and help_text.strip(), f"'reqctl {name}' has no help text"


@pytest.mark.parametrize("name", sorted({name.split()[0] for name, _ in COMMANDS}))
def test_readme_documents_every_command_group(name: str) -> None:
    assert f"reqctl {name}" in README, f"README.md never shows 'reqctl {name}'"
