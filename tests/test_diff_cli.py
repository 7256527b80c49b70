"""``reqctl diff`` between revisions, tags and the working tree; ``req history``."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CUSTOMER, git, run_reqctl
from test_gitio import commit_all, requirement


def history(root: Path) -> None:
    requirement(root, "REQ-001", "Login")
    requirement(root, "REQ-002", "Logout")
    commit_all(root, "first", when="2026-09-01T10:00:00+00:00")
    git(root, "tag", "v1")
    requirement(root, "REQ-001", "Login with SSO", "New text.\n")
    (root / "requirements" / "REQ-002.md").unlink()
    requirement(root, "REQ-003", "Export")
    commit_all(root, "second", CUSTOMER, "2026-09-08T10:00:00+00:00")


def test_diff_text_md_json(project: Path) -> None:
    history(project)
    text = run_reqctl(project, "diff", "v1", "HEAD")
    assert text.code == 0, text.err
    assert "1 added, 1 removed, 1 changed" in text.out
    assert "title: Login → Login with SSO" in text.out and "+New text." in text.out
    md = run_reqctl(project, "diff", "v1", "HEAD", "--format", "md").out
    assert md.startswith("# Changes from v1 to HEAD") and "## Added" in md and "**REQ-003**" in md
    data = json.loads(run_reqctl(project, "diff", "v1", "--json").out)
    assert data["new"] is None and data["summary"] == {"added": 1, "removed": 1, "changed": 1}


def test_diff_against_working_tree_includes_uncommitted(project: Path) -> None:
    history(project)
    requirement(project, "REQ-004", "Uncommitted")
    data = json.loads(run_reqctl(project, "diff", "HEAD", "--json").out)
    assert [(i["id"], i["change"]) for i in data["items"]] == [("REQ-004", "added")]


def test_diff_errors_are_one_line(project: Path) -> None:
    result = run_reqctl(project, "diff", "nope")
    assert result.code == 2
    assert result.err.strip() == "error: unknown revision 'nope': not a branch, tag or commit here"
    assert run_reqctl(project, "diff", "HEAD", "--format", "pdf").code == 2


def test_req_history(project: Path) -> None:
    history(project)
    out = json.loads(run_reqctl(project, "req", "history", "REQ-001", "--json").out)
    commits = out["commits"]
    assert [(c["subject"], c["change"]) for c in commits] == [("second", "changed"), ("first", "added")]
    assert commits[0]["fields"] == ["title", "body"]
    assert commits[0]["author"]["email"] == CUSTOMER
    assert commits[0]["date"].startswith("2026-09-08")
    table = run_reqctl(project, "req", "history", "req-1")
    assert table.code == 0 and "title, body" in table.out
    gone = json.loads(run_reqctl(project, "req", "history", "REQ-002", "--json").out)
    assert gone["commits"][0]["change"] == "removed"
    missing = run_reqctl(project, "req", "history", "REQ-077")
    assert missing.code == 2 and "REQ-077" in missing.err
