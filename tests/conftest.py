"""Shared fixtures: an isolated git identity, temporary projects, and a CLI runner.

Every test runs with HOME and git's global config pointed into a temporary
folder, so no test reads or writes the developer's real configuration.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PM = "pm@example.com"
CUSTOMER = "customer@example.com"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        f"[user]\n\tname = Pat Manager\n\temail = {PM}\n[init]\n\tdefaultBranch = main\n"
        "[commit]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    # The locale chooses reqctl's message language: tests start from none (the project's language decides).
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield home


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_reqctl(cwd: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``reqctl`` in this process, as ``main(argv)`` from ``cwd`` (fast: no interpreter start-up).

    Output, exit code, working folder, environment and stdin are what a user's
    run would see; ``run_reqctl_process`` starts the real command instead.
    """
    from reqctl.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd = Path.cwd()
    saved_env = {key: os.environ.get(key) for key in env or {}}
    os.environ.update(env or {})
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # typer.Exit inside eager callbacks
                code = exc.code if isinstance(exc.code, int) else 0
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Result(code, out.getvalue(), err.getvalue())


def run_reqctl_process(
    cwd: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> Result:
    """Run the real ``reqctl`` command in a subprocess, the way a user does."""
    proc = subprocess.run(
        [sys.executable, "-m", "reqctl", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    return proc.stdout


def write_config(root: Path, extra: str = "") -> None:
    (root / "reqctl.yaml").write_text(
        "name: Test project\n"
        "customer: Test Customer\n"
        "language: en\n"
        "milestones:\n"
        "  - {id: M1, title: Pilot, date: 2026-12-15}\n"
        "  - {id: M2, title: Go-live, date: 2027-03-01}\n"
        "roles:\n"
        f"  pm: [{PM}]\n"
        f"  customer: [{CUSTOMER}]\n"
        "approvals:\n"
        "  requirement: [customer]\n"
        "  change: [customer, pm]\n" + extra,
        encoding="utf-8",
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty committed reqctl project in a fresh git repository."""
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_config(root)
    for folder in ("requirements", "changes", "risks", "decisions", "meetings"):
        (root / folder).mkdir()
    (root / ".gitignore").write_text(".reqctl/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def write_item(root: Path, folder: str, item_id: str, front: str, body: str = "") -> Path:
    path = root / folder / f"{item_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nid: {item_id}\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path
