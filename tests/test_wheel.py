"""The wheel ships the top-level templates/ and examples/ as package data, and reqctl runs from it.

Slow-ish (builds and installs the wheel, about 10 s) but kept in the suite:
it is the only test that sees reqctl the way ``pip install reqctl`` users do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_the_wheel_carries_templates_and_examples_and_renders_from_them(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(REPO, sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
        "--disable-pip-version-check", str(REPO), "-w", str(dist))
    (wheel,) = dist.glob("reqctl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"reqctl/templates/{p.name}" for p in (REPO / "templates").glob("*.j2")} <= names
    assert "reqctl/templates/weekly.en.md.j2" in names
    assert "reqctl/locale/zh/LC_MESSAGES/reqctl.mo" in names
    assert "reqctl/examples/acme-portal/reqctl.yaml" in names and "reqctl/examples/zh-erp/reqctl.yaml" in names
    assert not [n for n in names if ".reqctl/" in n or "__pycache__" in n or n.startswith(("src/", "templates/"))]

    site = tmp_path / "site-packages"
    run(tmp_path, sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
        "--disable-pip-version-check", "--target", str(site), str(wheel))
    env = {"PYTHONPATH": str(site)}  # the installed wheel first; its dependencies come from this interpreter
    where = run(tmp_path, sys.executable, "-c",
                "import reqctl, reqctl.bundled as b; print(reqctl.__file__); print(b.bundled('templates'))", env=env)
    assert [Path(line).is_relative_to(site) for line in where.split()] == [True, True], where

    run(tmp_path, sys.executable, "-m", "reqctl", "init", "--example", "proj", env=env)
    assert (tmp_path / "proj" / "requirements").is_dir()
    run(tmp_path, sys.executable, "-m", "reqctl", "-C", "proj", "report", "status", "-f", "html",
        "-o", "status.html", env=env)
    html = (tmp_path / "status.html").read_text("utf-8")
    assert "<html" in html and "Acme" in html
    listed = run(tmp_path, sys.executable, "-m", "reqctl", "-C", "proj", "templates", "list", env=env)
    assert "weekly.zh.html.j2" in listed
    chinese = run(tmp_path, sys.executable, "-m", "reqctl", "--lang", "zh", "-C", "proj", "req", "list", env=env)
    assert "┃ 编号" in chinese and "条需求" in chinese  # the compiled catalog ships and is found


def test_a_source_checkout_finds_the_top_level_folders() -> None:
    """What an editable install (``pip install -e .``, used by .ci/run) sees: only src/ is on the path."""
    from reqctl.bundled import bundled

    assert Path(str(bundled("templates"))) in (REPO / "templates", REPO / "src" / "reqctl" / "templates")
    assert bundled("templates").joinpath("weekly.en.md.j2").is_file()
    assert bundled("examples").joinpath("acme-portal", "reqctl.yaml").is_file()
    assert not (REPO / "examples").is_symlink() and not (REPO / "templates").is_symlink()
