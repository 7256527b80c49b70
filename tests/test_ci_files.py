"""What reqctl ships for CI: its own imports, the jobs and hooks ``init`` writes, run by their real consumers.

The CI files are fed to check-jsonschema with its vendored SchemaStore
schemas (what GitHub's and GitLab's editors validate with), and the hook this
repository ships is run by pre-commit itself.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import reqctl

SRC = Path(reqctl.__file__).resolve().parent


def test_every_module_imports_with_the_declared_dependencies() -> None:
    """A module importing a package that only happens to be installed fails here (and in deptry)."""
    names = [info.name for info in pkgutil.walk_packages([str(SRC)], prefix="reqctl.")]
    assert "reqctl.cli.main" in names
    for name in names:
        if name.endswith("__main__"):
            continue
        importlib.import_module(name)


def test_no_module_imports_click() -> None:
    """Typer >= 0.26 vendors click and no longer installs it: ``import click`` breaks a fresh install."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            offenders += [f"{path.relative_to(SRC)}:{node.lineno}" for m in modules if m.split(".")[0] == "click"]
    assert offenders == []
