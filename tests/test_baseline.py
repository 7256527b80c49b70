"""``reqctl baseline``: annotated tags recording a checked state."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, run_reqctl
from test_gitio import commit_all, requirement


def test_create_and_list(project: Path) -> None:
    requirement(project, "REQ-001", "Login")
    commit_all(project, "one")
    result = run_reqctl(project, "baseline", "create", "v1.0", "-m", "Pilot scope")
    assert result.code == 0, result.err
    assert "baseline v1.0 created" in result.out
    note = git(project, "tag", "-l", "--format=%(contents)", "v1.0")
    assert "Pilot scope" in note and "requirement: 1" in note and "check: passed" in note
    assert git(project, "cat-file", "-t", "v1.0").strip() == "tag"
    listed = json.loads(run_reqctl(project, "baseline", "list", "--json").out)
    assert [(b["name"], b["message"]) for b in listed] == [("v1.0", "Pilot scope")]
    again = run_reqctl(project, "baseline", "create", "v1.0")
    assert again.code == 2 and "already exists" in again.err
    assert run_reqctl(project, "diff", "v1.0").code == 0


def test_refused_when_check_fails_or_tree_dirty(project: Path) -> None:
    requirement(project, "REQ-001", "Login", extra="depends_on: [REQ-404]\n")
    commit_all(project, "broken")
    refused = run_reqctl(project, "baseline", "create", "v1.0")
    assert refused.code == 2 and "check found 1 error" in refused.err
    assert git(project, "tag") == ""
    requirement(project, "REQ-001", "Login")
    dirty = run_reqctl(project, "baseline", "create", "v1.0")
    assert dirty.code == 2 and "uncommitted changes" in dirty.err
    bad = run_reqctl(project, "baseline", "create", "bad..name")
    assert bad.code == 2 and "not a valid tag name" in bad.err
