"""Titles are one line of text: reports, tables and commit messages rely on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_reqctl, write_item


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "title: must not be empty"), ("   ", "title: must not be empty"),
     ("two\nlines", "title: must be a single line")],
)
def test_add_refuses_bad_titles_without_writing(project: Path, title: str, message: str) -> None:
    result = run_reqctl(project, "req", "add", title, "--acceptance", "x")
    assert result.code == 2
    assert result.err.startswith(f"error: {message}")
    assert "REQ-" not in result.err  # no file was written, so none is named
    assert not list((project / "requirements").glob("*.md"))


def test_add_strips_surrounding_spaces(project: Path) -> None:
    assert run_reqctl(project, "req", "add", "  Export invoices  ").code == 0
    assert "title: Export invoices\n" in (project / "requirements" / "REQ-001.md").read_text(encoding="utf-8")


def test_check_reports_a_multi_line_title_with_its_line(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: |\n  first\n  second\n")
    result = run_reqctl(project, "check")
    assert result.code == 1
    assert "requirements/REQ-001.md:3: error R002 title: must be a single line" in result.out


def test_a_readme_in_an_item_folder_is_not_an_item(project: Path) -> None:
    (project / "requirements" / "README.md").write_text("# How we write requirements\n", encoding="utf-8")
    write_item(project, "requirements", "REQ-001", "title: Login\n")
    result = run_reqctl(project, "check")
    assert result.code == 0, result.out
    assert "1 file" in result.out
