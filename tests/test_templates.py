"""Template overrides, ``reqctl templates`` and the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import run_reqctl
from tests.report_fixtures import build_history


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    build_history(root)
    return root


def test_every_builtin_exists_in_both_languages() -> None:
    from reqctl.render.env import builtin_names

    names = set(builtin_names())
    for doc in ("weekly", "status", "risks", "summary", "srs"):
        for lang in ("en", "zh"):
            for fmt in ("md", "html"):
                assert f"{doc}.{lang}.{fmt}.j2" in names


def test_list_show_copy_and_override(repo: Path) -> None:
    listed = run_reqctl(repo, "templates", "list")
    assert "status.en.md.j2" in listed.out and "built-in" in listed.out
    shown = run_reqctl(repo, "templates", "show", "status.en.md")
    assert shown.code == 0 and "Project status" in shown.out
    copied = run_reqctl(repo, "templates", "copy", "status.en.md.j2")
    assert copied.code == 0, copied.err
    assert "templates/status.en.md.j2" in copied.out
    again = run_reqctl(repo, "templates", "copy", "status.en.md.j2")
    assert again.code == 2 and "already exists" in again.err
    custom = "Custom {{ project.name }}: {{ requirements.total }}\n"
    (repo / "templates" / "status.en.md.j2").write_text(custom, "utf-8")
    assert run_reqctl(repo, "report", "status", "-f", "md").out == "Custom Test project: 3\n"
    assert "project" in run_reqctl(repo, "templates", "list").out


def test_missing_template_name(repo: Path) -> None:
    result = run_reqctl(repo, "templates", "show", "nope")
    assert result.code == 2
    assert result.err.strip() == "error: no template named 'nope.j2' (see 'reqctl templates list')"


@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ project.__class__ }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
])
def test_sandbox_blocks_python_internals(repo: Path, body: str) -> None:
    folder = repo / "templates"
    folder.mkdir()
    (folder / "status.en.md.j2").write_text("before\n" + body + "\n", "utf-8")
    result = run_reqctl(repo, "report", "status", "-f", "md", "-o", "out.md")
    assert result.code == 2
    assert not (repo / "out.md").exists()
    assert result.out == ""
    line = result.err.strip()
    assert line.startswith("error: templates/status.en.md.j2")
    assert "Traceback" not in result.err and len(line.splitlines()) == 1


def test_undefined_variable_is_an_error(repo: Path) -> None:
    folder = repo / "templates"
    folder.mkdir()
    (folder / "status.en.md.j2").write_text("line one\n{{ no_such_thing }}\n", "utf-8")
    result = run_reqctl(repo, "report", "status", "-f", "md")
    assert result.code == 2
    assert result.err.strip() == "error: templates/status.en.md.j2:2: template error: 'no_such_thing' is undefined"


def test_syntax_error_names_file_and_line(repo: Path) -> None:
    folder = repo / "templates"
    folder.mkdir()
    (folder / "status.en.md.j2").write_text("ok\n{% if %}\n", "utf-8")
    result = run_reqctl(repo, "report", "status", "-f", "md")
    assert result.code == 2
    assert result.err.startswith("error: templates/status.en.md.j2:2: template syntax error")
