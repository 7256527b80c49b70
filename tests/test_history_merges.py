"""``req history`` and the site's item pages include the merge commit that re-approved an item under a CR."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_reqctl
from test_change_workflow import approved, assess_and_approve, edit_login, git, propose

__all__ = ["approved"]  # the fixture, imported for pytest


def merged_change(root: Path) -> str:
    propose(root)
    edit_login(root)
    assess_and_approve(root)
    result = run_reqctl(root, "change", "merge", "CR-001")
    assert result.code == 0, result.err
    return git(root, "rev-parse", "HEAD").strip()


def test_req_history_lists_the_merge_that_reapproved(approved: Path) -> None:
    merge = merged_change(approved)
    history = json.loads(run_reqctl(approved, "req", "history", "REQ-001", "--json").out)["commits"]
    newest = history[0]
    assert newest["sha"] == merge
    assert "approvals" in newest["fields"]
    text = run_reqctl(approved, "req", "history", "REQ-001").out
    assert merge[:7] in text


def test_site_item_history_lists_the_merge(approved: Path, tmp_path: Path) -> None:
    merge = merged_change(approved)
    site = tmp_path / "site"
    result = run_reqctl(approved, "publish", str(site))
    assert result.code == 0, result.err
    page = (site / "items" / "REQ-001.html").read_text(encoding="utf-8")
    assert f"<code>{merge[:7]}</code>" in page
