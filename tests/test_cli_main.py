"""The CLI entry point: which commands are built for a run, and how bare groups and errors end."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_reqctl
from reqctl.cli.main import _app_for, _command_name, app


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["check"], "check"),
        (["-C", "some/dir", "req", "show", "REQ-1"], "req"),
        (["-Csome/dir", "--debug", "--no-cache", "report", "weekly"], "report"),
        (["--help"], None),
        (["--version"], None),
        ([], None),
    ],
)
def test_command_name_skips_root_options(args: list[str], name: str | None) -> None:
    assert _command_name(args) == name


def test_a_run_builds_only_the_group_it_uses() -> None:
    slim = _app_for(["req", "list"])
    assert [group.name for group in slim.registered_groups] == ["req"]
    assert slim.registered_commands == []
    assert _app_for(["--help"]) is app
    assert _app_for(["no-such-command"]) is app  # the error lists every command


def test_bare_group_prints_its_help(tmp_path: Path) -> None:
    result = run_reqctl(tmp_path, "req")
    assert result.code == 0
    assert "Usage: reqctl req" in result.out and "add" in result.out


def test_unknown_command_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_reqctl(tmp_path, "frobnicate")
    assert result.code == 2
    assert result.err.splitlines()[0] == "error: No such command 'frobnicate'."
    assert "Traceback" not in result.err
