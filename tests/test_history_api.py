"""The history API other modules build on: projects at revisions, commit logs, rev_at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import CUSTOMER, git, write_item
from reqctl.history.diff import diff_projects
from reqctl.history.log import commits
from reqctl.history.snapshots import HistoryReader, project_at, rev_at


def commit_as(root: Path, message: str, when: str, email: str = "pm@example.com") -> str:
    env = {
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_NAME": email.split("@", maxsplit=1)[0],
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_NAME": email.split("@", maxsplit=1)[0],
    }
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, env=env)
    return git(root, "rev-parse", "HEAD").strip()


def req(
    root: Path, item_id: str, title: str, priority: str = "must", body: str = "Text.\n"
) -> None:
    write_item(root, "requirements", item_id, f"title: {title}\npriority: {priority}", body)


def test_project_at_reads_old_revisions_without_checkout(project: Path) -> None:
    req(project, "REQ-001", "Login")
    first = commit_as(project, "add login", "2026-01-05T10:00:00+00:00")
    req(project, "REQ-001", "Login with SSO", priority="should")
    req(project, "REQ-002", "Logout")
    commit_as(project, "edit", "2026-01-12T10:00:00+00:00", CUSTOMER)
    (project / "requirements" / "REQ-002.md").write_text("dirty, not committed", encoding="utf-8")

    old = project_at(project, first)
    assert old.items["REQ-001"].title == "Login"
    assert "REQ-002" not in old.items
    head = project_at(project, "HEAD")
    assert head.items["REQ-002"].title == "Logout"  # from git, not the dirty file
    assert head.config.name == "Test project"


def test_reader_cache_and_config_fallback(project: Path) -> None:
    req(project, "REQ-001", "Login")
    commit_as(project, "one", "2026-01-05T10:00:00+00:00")
    (project / "reqctl.yaml").write_text("name: [broken\n", encoding="utf-8")
    commit_as(project, "break config", "2026-01-06T10:00:00+00:00")
    (project / "reqctl.yaml").write_text("name: Fixed\n", encoding="utf-8")
    reader = HistoryReader(project)
    assert reader.project_at("HEAD").config.name == "Fixed"  # invalid at HEAD: current one
    assert reader.project_at("HEAD~1").config.name == "Test project"
    files = reader.files_at("HEAD")
    assert reader.files_at("HEAD~1")[0] is files[0]  # same blob, parsed once


def test_commits_and_rev_at(project: Path) -> None:
    req(project, "REQ-001", "Login")
    a = commit_as(
        project, "add login\n\nChange-Request: CR-001\nReviewed-by: x", "2026-01-05T10:00:00+00:00"
    )
    req(project, "REQ-002", "Logout")
    b = commit_as(project, "add logout", "2026-01-12T10:00:00+00:00", CUSTOMER)
    (project / "notes.txt").write_text("x", encoding="utf-8")
    commit_as(project, "unrelated", "2026-01-13T10:00:00+00:00")

    log = commits(project)
    assert [c.sha for c in log][:2] == [b, a]  # the unrelated commit touches no item
    assert log[2].subject == "init"  # added reqctl.yaml
    assert log[0].author_email == CUSTOMER
    assert log[0].paths == ("requirements/REQ-002.md",)
    assert log[1].trailer("Change-Request") == "CR-001"
    assert log[1].authored == dt.datetime(2026, 1, 5, 10, tzinfo=dt.timezone.utc)
    since = commits(project, since=dt.datetime(2026, 1, 10, tzinfo=dt.timezone.utc))
    assert [c.sha for c in since] == [b]
    only = commits(project, paths=["requirements/REQ-001.md"])
    assert [c.sha for c in only] == [a]

    assert rev_at(project, dt.datetime(2026, 1, 6, tzinfo=dt.timezone.utc)) == a
    assert rev_at(project, dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)) is None


def test_diff_projects_between_revisions(project: Path) -> None:
    req(project, "REQ-001", "Login")
    req(project, "REQ-003", "Gone")
    commit_as(project, "one", "2026-01-05T10:00:00+00:00")
    req(project, "REQ-001", "Login", priority="could", body="Text.\nMore.\n")
    req(project, "REQ-002", "New")
    (project / "requirements" / "REQ-003.md").unlink()
    commit_as(project, "two", "2026-01-06T10:00:00+00:00")
    reader = HistoryReader(project)
    diff = diff_projects(reader.project_at("HEAD~1"), reader.project_at("HEAD"))
    assert [i.id for i in diff.added] == ["REQ-002"]
    assert [i.id for i in diff.removed] == ["REQ-003"]
    changed = diff.get("REQ-001")
    assert changed is not None and changed.change == "changed"
    assert changed.field("priority") is not None
    assert changed.changed_fields == ("priority", "body")
    assert "+More." in changed.body_diff
    assert diff.to_json()["summary"] == {"added": 1, "removed": 1, "changed": 1}
