"""Parallel `req add` and IDs used on other branches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import git, run_reqctl, write_item


def test_ten_parallel_adds_get_distinct_ids_and_intact_files(project: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "reqctl", "req", "add", f"Parallel {n}", "--acceptance", f"Check {n}"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for n in range(10)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 10, [err for _, err in outputs]
    ids = [out.strip() for out, _ in outputs]
    assert sorted(ids) == [f"REQ-{n:03d}" for n in range(1, 11)]
    files = sorted((project / "requirements").iterdir())
    assert [f.name for f in files] == [f"REQ-{n:03d}.md" for n in range(1, 11)]  # no temp files left
    titles = set()
    for path, item_id in zip(files, sorted(ids), strict=True):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n") and text.endswith("---\n")
        data = yaml.safe_load(text.split("---\n")[1])
        assert data["id"] == item_id
        n = data["title"].removeprefix("Parallel ")
        assert data["acceptance"] == [f"Check {n}"]
        titles.add(data["title"])
    assert titles == {f"Parallel {n}" for n in range(10)}
    # Each process printed the ID of the file holding its own title.
    for n, item_id in enumerate(ids):
        text = (project / "requirements" / f"{item_id}.md").read_text(encoding="utf-8")
        assert f"title: Parallel {n}\n" in text
    assert run_reqctl(project, "check").code == 0


def test_new_id_skips_ids_used_on_other_local_branches(project: Path) -> None:
    assert run_reqctl(project, "req", "add", "On main").out.strip() == "REQ-001"
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "REQ-001")
    git(project, "switch", "-q", "-c", "feature")
    write_item(project, "requirements", "REQ-005", "title: On the feature branch\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "REQ-005")
    git(project, "switch", "-q", "main")
    assert not (project / "requirements" / "REQ-005.md").exists()
    result = run_reqctl(project, "req", "add", "Next on main")
    assert result.code == 0, result.err
    assert result.out.strip() == "REQ-006"


def test_new_id_skips_ids_on_remote_tracking_branches(project: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(project), str(remote))
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    write_item(other, "requirements", "REQ-012", "title: Pushed by a colleague\n")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "REQ-012")
    git(other, "push", "-q", "origin", "HEAD:colleague")
    git(project, "remote", "add", "origin", str(remote))
    git(project, "fetch", "-q", "origin")
    result = run_reqctl(project, "req", "add", "Mine")
    assert result.code == 0, result.err
    assert result.out.strip() == "REQ-013"


def test_uncommitted_files_count_too(project: Path) -> None:
    write_item(project, "requirements", "REQ-041", "title: Not committed yet\n")
    assert run_reqctl(project, "req", "add", "Next").out.strip() == "REQ-042"
    write_item(project, "risks", "RISK-007", "title: r\nprobability: 1\nimpact: 1\n")
    assert run_reqctl(project, "risk", "add", "r2", "--probability", "1", "--impact", "1").out.strip() == "RISK-008"


def test_an_id_deleted_in_history_is_never_reused(project: Path) -> None:
    assert run_reqctl(project, "req", "add", "First").out.strip() == "REQ-001"
    assert run_reqctl(project, "req", "add", "Second").out.strip() == "REQ-002"
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "two requirements")
    git(project, "rm", "-q", "requirements/REQ-002.md")
    git(project, "commit", "-q", "-m", "drop the second")
    assert run_reqctl(project, "req", "add", "Third").out.strip() == "REQ-003"


def test_parallel_approve_and_status_never_lose_the_approval(project: Path) -> None:
    """Real processes racing on one file, a few rounds: whichever runs last builds on the other's write."""
    from conftest import CUSTOMER

    write_item(project, "requirements", "REQ-001", "title: Login\nacceptance: [It works]\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "REQ-001")
    path = project / "requirements" / "REQ-001.md"
    for _round in range(3):
        commands = (["approve", "REQ-001", "--by", CUSTOMER], ["req", "status", "REQ-001", "proposed"])
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "reqctl", *args],
                cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
            )
            for args in commands
        ]
        outputs = [proc.communicate(timeout=120) for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], [err for _, err in outputs]
        data = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        assert [r["by"] for r in data["approvals"]] == [CUSTOMER]
        assert data["status"] in ("approved", "proposed")
        git(project, "checkout", "-q", "--", "requirements/REQ-001.md")
