"""The bundled example projects keep passing `reqctl check` (and the release gate's basics)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_reqctl

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PROJECTS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "reqctl.yaml").is_file()) if EXAMPLES.is_dir() else []


def test_there_are_examples_in_both_languages() -> None:
    assert len(PROJECTS) >= 2, PROJECTS
    languages = {
        line.split(":", 1)[1].split("#")[0].strip()
        for name in PROJECTS
        for line in (EXAMPLES / name / "reqctl.yaml").read_text(encoding="utf-8").splitlines()
        if line.startswith("language:")
    }
    assert {"en", "zh"} <= languages


@pytest.mark.parametrize("name", PROJECTS)
def test_example_passes_check(name: str, tmp_path: Path) -> None:
    result = run_reqctl(tmp_path, "--no-cache", "-C", str(EXAMPLES / name), "check")
    assert result.code == 0, result.out + result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("name", PROJECTS)
def test_example_has_the_promised_content(name: str) -> None:
    root = EXAMPLES / name
    count = {
        folder: len(list((root / folder).glob("*.md")))
        for folder in ("requirements", "changes", "risks", "decisions", "meetings")
    }
    assert 15 <= count["requirements"] <= 25, count
    assert count["changes"] >= 2 and 4 <= count["risks"] <= 6, count
    assert count["decisions"] >= 2 and count["meetings"] >= 3, count
