"""Read-only folders: check still works, writing commands fail with one line and change nothing.

As root, chmod does not stop writes, so the folders are made immutable with
``chattr +i`` instead (ext4 and most Linux file systems); the tests skip only
where neither works.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CUSTOMER, run_reqctl, write_item


def _set_immutable(paths: list[Path], on: bool) -> bool:
    flag = "+i" if on else "-i"
    try:
        subprocess.run(["chattr", flag, *map(str, paths)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


@contextlib.contextmanager
def read_only(paths: list[Path]) -> Iterator[None]:
    if os.geteuid() == 0:
        if not _set_immutable(paths, True):
            pytest.skip("running as root and chattr +i is not supported here: cannot make a folder read-only")
        try:
            yield
        finally:
            _set_immutable(paths, False)
        return
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(stat.S_IMODE(modes[p]) & ~0o222)
    try:
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts and ".reqctl" not in p.parts
    }


def test_check_works_in_a_read_only_project(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Login\nstatus: approved\nacceptance: [works]\n")
    expected = run_reqctl(project, "check")
    assert expected.code == 1  # approved without an approval record
    shutil.rmtree(project / ".reqctl", ignore_errors=True)
    folders = [project, *(p for p in project.rglob("*") if p.is_dir() and ".git" not in p.parts)]
    with read_only(folders):
        result = run_reqctl(project, "check")
    assert (result.code, result.out) == (expected.code, expected.out)
    assert "Traceback" not in result.err
    assert not (project / ".reqctl").exists()


def test_add_in_a_read_only_folder_fails_cleanly(project: Path) -> None:
    (project / ".reqctl").mkdir()
    before = _snapshot(project)
    with read_only([project / "requirements"]):
        result = run_reqctl(project, "req", "add", "Export invoices", "--acceptance", "fast")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1 and "requirements" in result.err
    assert "Traceback" not in result.err
    assert _snapshot(project) == before


def test_approve_in_a_read_only_folder_leaves_the_file(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-001", "title: Login\nstatus: proposed\nacceptance: [works]\n")
    before = path.read_bytes()
    with read_only([project / "requirements"]):
        result = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    assert path.read_bytes() == before
    assert not [p for p in (project / "requirements").iterdir() if p.name.endswith(".tmp")]
