"""Reports read commits: ``report weekly`` says when item files are not committed; ``init`` says to commit."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, run_reqctl, write_item


def test_weekly_warns_about_uncommitted_item_files(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Sign in\nstatus: draft")
    write_item(project, "risks", "RISK-001", "title: Late\nstatus: open\nprobability: 2\nimpact: 2")
    result = run_reqctl(project, "report", "weekly")
    assert result.code == 0, result.err
    assert "warning: the report reads committed history; 2 item files are not committed" in result.err
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "items")
    result = run_reqctl(project, "report", "weekly")
    assert "not committed" not in result.err
    (project / "requirements" / "REQ-001.md").write_text("---\nid: REQ-001\ntitle: Changed\n---\n", "utf-8")
    result = run_reqctl(project, "report", "weekly")
    assert "warning: the report reads committed history; 1 item file is not committed" in result.err


def test_init_ends_by_telling_to_commit(tmp_path: Path) -> None:
    result = run_reqctl(tmp_path, "init", "new")
    assert result.code == 0, result.err
    last = result.out.strip().splitlines()[-1]
    assert last.startswith("then commit: git add -A && git commit")
