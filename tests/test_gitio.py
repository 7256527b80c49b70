"""The git layer: objects at revisions, changed paths, dirty trees, projects in subfolders.

Also holds the helpers the change-control tests share (dated commits by a person).
"""

from __future__ import annotations

from pathlib import Path

from conftest import git, write_config, write_item
from reqctl.gitio.objects import item_files_at, kind_of_path
from reqctl.gitio.repo import open_repo
from reqctl.model.ids import Kind

BOB = "customer@example.com"


def person(email: str, when: str | None = None) -> dict[str, str]:
    """Environment for git (and reqctl) acting as ``email``, optionally at a fixed time."""
    name = email.split("@", maxsplit=1)[0]
    env = {
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
    }
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return env


def commit_all(root: Path, message: str, email: str = "pm@example.com", when: str | None = None) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, env=person(email, when))
    return git(root, "rev-parse", "HEAD").strip()


def requirement(root: Path, item_id: str, title: str, body: str = "Text.\n", extra: str = "") -> Path:
    front = f"title: {title}\npriority: must\nacceptance: [It works]\n{extra}"
    return write_item(root, "requirements", item_id, front, body)


def test_objects_and_changed_paths(project: Path) -> None:
    requirement(project, "REQ-001", "One")
    first = commit_all(project, "one")
    requirement(project, "REQ-001", "One, edited")
    requirement(project, "REQ-002", "Two")  # untracked
    (project / "requirements" / ".hidden.md").write_text("x", encoding="utf-8")
    repo = open_repo(project)
    assert repo is not None
    assert repo.changed_paths(first, None, ["requirements"]) == [
        "requirements/.hidden.md",
        "requirements/REQ-001.md",
        "requirements/REQ-002.md",
    ]
    assert repo.changed_paths(first, first, ["requirements"]) == []
    entries = item_files_at(repo, first)
    assert [(e.kind, e.path) for e in entries] == [(Kind.REQUIREMENT, "requirements/REQ-001.md")]
    blobs = repo.cat_blobs([entries[0].sha, entries[0].sha, "0" * 40])
    assert blobs[entries[0].sha].startswith(b"---\nid: REQ-001")
    assert repo.dirty_paths() and repo.dirty_paths(untracked=False) == ["requirements/REQ-001.md"]
    assert kind_of_path("requirements/REQ-001.md") is Kind.REQUIREMENT
    assert kind_of_path("requirements/sub/REQ-001.md") is None
    assert kind_of_path("README.md") is None


def test_project_in_a_subfolder_and_detached_head(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = top / "docs" / "reqs"
    root.mkdir(parents=True)
    git(top, "init", "-q", "-b", "main")
    write_config(root)
    requirement(root, "REQ-001", "One")
    (top / "README.md").write_text("hi\n", encoding="utf-8")
    sha = commit_all(top, "init")
    git(top, "switch", "-q", "--detach", sha)
    repo = open_repo(root)
    assert repo is not None and repo.project_prefix == "docs/reqs/"
    assert repo.current_branch() is None
    assert [e.path for e in item_files_at(repo, "HEAD")] == ["requirements/REQ-001.md"]
    assert repo.from_top("README.md") is None
