"""Every command has help text, and README.md mentions every command a user can run."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from conftest import run_reqctl
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


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and group as typed after 'reqctl' (the root is the empty tuple)."""
    def walk(command: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [path]
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            found.extend(walk(sub, (*path, name)))
        return found

    return walk(typer.main.get_command(app), ())


PATHS = _command_paths()
# Options whose values are a fixed set: --help must list the values, not a bare <str>/TEXT.
CHOICE_OPTIONS = ("--format", "--lang", "--sort", "--group-by", "--status", "--risk")


def _help(path: tuple[str, ...], columns: int, tmp_path: Path) -> str:
    result = run_reqctl(tmp_path, *path, "--help", env={"COLUMNS": str(columns)})
    assert result.code == 0, result.err
    return result.out


@pytest.mark.parametrize("path", [p for p in PATHS if p == () or len(p) == 1], ids=lambda p: " ".join(p) or "reqctl")
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_command_summaries_are_never_cut_off(path: tuple[str, ...], columns: int, tmp_path: Path) -> None:
    text = _help(path, columns, tmp_path)
    if "Commands:" not in text:
        return
    listing = text.split("Commands:", 1)[1]
    cut = [line.strip() for line in listing.splitlines() if line.rstrip().endswith(("...", "…"))]
    assert cut == [], f"'reqctl {' '.join(path)} --help' cuts summaries off: {cut}"


@pytest.mark.parametrize("path", PATHS[1:], ids=" ".join)
def test_options_with_fixed_values_list_them(path: tuple[str, ...], tmp_path: Path) -> None:
    text = _help(path, 200, tmp_path)
    for line in text.splitlines():
        if not line.lstrip().startswith("-"):  # option lines only, not descriptions that mention an option
            continue
        words = line.strip().split("  ")[0].replace(",", " ").split()  # the option column, not its help
        for option in CHOICE_OPTIONS:
            if option in words:
                metavar = words[words.index(option) + 1] if words.index(option) + 1 < len(words) else ""
                assert metavar not in ("<str>", "TEXT"), f"reqctl {' '.join(path)}: {option} shows {metavar}"
                if option != "--status" or path[-1] != "add":
                    assert "|" in metavar, f"reqctl {' '.join(path)}: {option} does not list its values: {line}"


@pytest.mark.parametrize(("path", "option", "values"), [
    (("req", "list"), "--status", "<draft|proposed|approved|implemented|verified|rejected|deprecated>"),
    (("risk", "list"), "--status", "<open|mitigating|closed|occurred>"),
    (("req", "list"), "--sort", "<id|score|priority|status|milestone|date>"),
    (("report", "weekly"), "--format", "<md|html|json>"),
    (("doc", "srs"), "--lang", "<en|zh>"),
    (("doc", "srs"), "--group-by", "<milestone|tag>"),
    (("check",), "--format", "<text|json|github|junit|sarif>"),
    (("change", "assess"), "--risk", "<low|medium|high>"),
    (("init",), "--lang", "<en|zh>"),
])
def test_help_lists_the_allowed_values(path: tuple[str, ...], option: str, values: str, tmp_path: Path) -> None:
    assert f"{option} {values}" in _help(path, 200, tmp_path)


def test_status_argument_and_priority_name_their_values(tmp_path: Path) -> None:
    assert "proposed, approved" in _help(("req", "status"), 200, tmp_path)
    assert "must, should, could, wont" in " ".join(_help(("req", "add"), 200, tmp_path).split())
    assert "--status" not in _help(("meeting", "list"), 200, tmp_path)  # meetings have no lifecycle


def test_help_statuses_match_the_models() -> None:
    from reqctl.cli.items import STATUSES
    from reqctl.model.ids import Kind
    from reqctl.model.items import MODELS

    assert {kind: MODELS[kind].statuses for kind in Kind if MODELS[kind].statuses} == STATUSES


def test_no_merge_conflict_markers_in_the_docs() -> None:
    root = Path(__file__).resolve().parents[1]
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not line.startswith(("<<<<<<< ", ">>>>>>> ")) and line != "=======", f"{path.name}:{number}"
