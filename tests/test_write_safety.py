"""Writes that are never lost and never land in a bad state, in real temporary git repositories.

Concurrent writers of one file, unfinished merges, rebases and cherry-picks,
conflict markers, a missing git identity and failures in the middle of
``change merge``: each case is run as a user would meet it, and what must not
change is compared byte for byte.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import CUSTOMER, git, run_reqctl, write_item
from reqctl.store.statedir import state_dir
from test_change_workflow import BRANCH, assess_and_approve, edit_login, propose
from test_gitio import commit_all, requirement

IN_PROGRESS = "is in progress; finish or abort it first"


def front(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(data, dict)
    return data


def snapshot(root: Path) -> dict[str, object]:
    """Everything a failed command must leave as it was: files, index, refs, HEAD, git's own view."""
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    files = {
        path.relative_to(top).as_posix(): path.read_bytes()
        for path in sorted(top.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(top).parts and ".reqctl" not in path.parts
    }
    status = git(root, "status", "--porcelain", "--untracked-files=all")  # refreshes the index first
    index = top / git(root, "rev-parse", "--git-path", "index").strip()
    return {
        "files": files,
        "index": index.read_bytes(),
        "stage": git(root, "ls-files", "--stage"),
        "status": status,
        "cached": git(root, "diff", "--cached"),
        "refs": git(root, "for-each-ref"),
        "head": git(root, "rev-parse", "HEAD"),
        "branch": git(root, "branch", "--show-current"),
    }


def assert_unchanged(before: dict[str, object], root: Path, *, rewritten: bool = False) -> None:
    """Compare with ``before``; ``rewritten``: files were restored, so only the index's stat data may differ."""
    after = snapshot(root)
    for key, value in before.items():
        if not (rewritten and key == "index"):
            assert after[key] == value, key


# ------------------------------------------------------ concurrent writers ----


def _load(root: Path) -> Any:
    from reqctl.store.store import Store

    return Store.open(root).project_with("REQ-001")


def _approve(root: Path) -> None:
    from reqctl.ops.items import approve_requirement_guarded

    approve_requirement_guarded(_load(root), "REQ-001", CUSTOMER)


def _status(root: Path) -> None:
    from reqctl.model.ids import Kind
    from reqctl.ops.items import set_status

    set_status(_load(root), Kind.REQUIREMENT, "REQ-001", "proposed")


@pytest.mark.parametrize(
    ("paused", "other", "final_status"),
    [(_status, _approve, "approved"), (_approve, _status, "proposed")],
    ids=["status-pauses-then-approve", "approve-pauses-then-status"],
)
def test_a_writer_paused_between_read_and_write_loses_nothing(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    paused: Callable[[Path], None],
    other: Callable[[Path], None],
    final_status: str,
) -> None:
    """The first writer stops after reading the file; the second must wait for it and build on its write."""
    from reqctl.store import roundtrip

    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    real_write = roundtrip.write_atomic
    reached = threading.Event()

    def slow_write(path: Path, data: bytes, **options: Any) -> None:
        if threading.current_thread().name == "paused-writer":
            reached.set()
            time.sleep(0.5)
        real_write(path, data, **options)

    monkeypatch.setattr(roundtrip, "write_atomic", slow_write)
    errors: list[BaseException] = []

    def run_paused() -> None:
        try:
            paused(project)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run_paused, name="paused-writer")
    thread.start()
    assert reached.wait(10)
    other(project)
    thread.join(10)
    assert not errors
    data = front(project / "requirements" / "REQ-001.md")
    assert [r["by"] for r in data["approvals"]] == [CUSTOMER]
    assert data["status"] == final_status


# ------------------------------------------------- unfinished git operations ----


def conflicting_merge(root: Path, body_only: bool = True) -> None:
    """A real merge stopped on a conflict in REQ-001 (in its body, or in its front matter)."""
    requirement(root, "REQ-001", "Login", "Users log in.\n")
    requirement(root, "REQ-002", "Logout")
    commit_all(root, "two requirements")
    git(root, "switch", "-q", "-c", "other")
    requirement(root, "REQ-001", "Login" if body_only else "Sign in", "Users log in with a password.\n")
    commit_all(root, "other wording")
    git(root, "switch", "-q", "main")
    requirement(root, "REQ-001", "Login" if body_only else "Log on", "Users log in with SSO.\n")
    commit_all(root, "main wording")
    proc = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True, check=False)
    assert proc.returncode != 0
    assert "<<<<<<< HEAD" in (root / "requirements" / "REQ-001.md").read_text(encoding="utf-8")


def test_approve_during_a_merge_conflict_changes_nothing(project: Path) -> None:
    conflicting_merge(project)
    before = snapshot(project)
    approve = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert approve.code == 2
    assert approve.err.strip() == "error: a merge is in progress; finish or abort it first"
    status = run_reqctl(project, "req", "status", "REQ-002", "proposed")
    assert status.code == 2 and IN_PROGRESS in status.err
    assert_unchanged(before, project)


def test_check_reports_conflict_markers(project: Path) -> None:
    conflicting_merge(project)
    result = run_reqctl(project, "check")
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "R017" in line]
    assert len(lines) == 1 and lines[0].startswith("requirements/REQ-001.md")
    assert "<<<<<<< HEAD" in lines[0]


def test_check_fails_on_conflict_markers_in_the_front_matter(project: Path) -> None:
    conflicting_merge(project, body_only=False)
    result = run_reqctl(project, "check")
    assert result.code == 1 and "requirements/REQ-001.md" in result.out


def test_committed_conflict_markers_are_refused(project: Path) -> None:
    """Markers committed by mistake (no merge in progress) are still refused, with the line."""
    conflicting_merge(project)
    git(project, "add", "-A")
    git(project, "commit", "-q", "--no-edit")
    before = snapshot(project)
    approve = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert approve.code == 2
    assert approve.err.startswith("error: requirements/REQ-001.md:") and "conflict marker" in approve.err
    assert run_reqctl(project, "req", "status", "REQ-001", "proposed").code == 2
    assert_unchanged(before, project)
    assert run_reqctl(project, "approve", "REQ-002", "--by", CUSTOMER).code == 0


def test_a_setext_heading_is_not_a_conflict_marker(project: Path) -> None:
    requirement(project, "REQ-001", "Login", "Summary\n=======\n\nUsers log in.\n")
    assert run_reqctl(project, "check").code == 0
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0


def stop_in(root: Path, operation: str) -> None:
    """Leave a real rebase, cherry-pick or revert stopped on a conflict in REQ-001."""
    requirement(root, "REQ-001", "Login", "Users log in.\n")
    requirement(root, "REQ-002", "Logout")
    commit_all(root, "two requirements")
    git(root, "switch", "-q", "-c", "other")
    requirement(root, "REQ-001", "Login", "Users log in with a password.\n")
    commit_all(root, "other wording")
    git(root, "switch", "-q", "main")
    requirement(root, "REQ-001", "Login", "Users log in with SSO.\n")
    commit_all(root, "main wording")
    if operation == "revert":  # undoing 'other wording' (merged) conflicts with 'main wording' after it
        git(root, "merge", "-q", "-s", "ours", "other")
        requirement(root, "REQ-001", "Login", "Users log in with a password and SSO.\n")
        commit_all(root, "both")
        args = ["revert", "--no-edit", "other"]
    else:
        args = [operation, "other"]
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    assert proc.returncode != 0, proc.stdout


@pytest.mark.parametrize("operation", ["rebase", "cherry-pick", "revert"])
@pytest.mark.parametrize(
    "command",
    [
        ("approve", "REQ-002", "--by", CUSTOMER),
        ("req", "status", "REQ-002", "proposed"),
        ("change", "approve", "CR-001"),
        ("change", "propose", "X", "--affects", "REQ-002", "--no-branch"),
    ],
    ids=["approve", "status", "change-approve", "change-propose"],
)
def test_commands_refuse_during_a_rebase_or_cherry_pick(
    project: Path, operation: str, command: tuple[str, ...]
) -> None:
    stop_in(project, operation)
    before = snapshot(project)
    result = run_reqctl(project, *command)
    assert result.code == 2
    assert f"a {operation}" in result.err and IN_PROGRESS in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert_unchanged(before, project)


def test_approve_in_a_linked_worktree_sees_its_own_merge(project: Path, tmp_path: Path) -> None:
    """A worktree keeps its MERGE_HEAD in its own git dir: the main checkout stays writable."""
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    worktree = tmp_path / "wt"
    git(project, "worktree", "add", "-q", "-b", "side", str(worktree))
    conflicting = worktree / "requirements" / "REQ-009.md"
    write_item(worktree, "requirements", "REQ-009", "title: A\nacceptance: [x]\n")
    commit_all(worktree, "side REQ-009")
    write_item(project, "requirements", "REQ-009", "title: B\nacceptance: [y]\n")
    commit_all(project, "main REQ-009")
    proc = subprocess.run(["git", "merge", "main"], cwd=worktree, capture_output=True, check=False)
    assert proc.returncode != 0 and "<<<<<<<" in conflicting.read_text(encoding="utf-8")
    refused = run_reqctl(worktree, "approve", "REQ-001", "--by", CUSTOMER)
    assert refused.code == 2 and "a merge is in progress" in refused.err
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0


# ------------------------------------------------------------ git identity ----


@pytest.fixture
def nobody(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment where git knows no name or e-mail (no global or system config, no EMAIL)."""
    home = tmp_path / "nobody"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    for name in ("EMAIL", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_NAME"):
        monkeypatch.delenv(name, raising=False)
    return {"HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.mark.parametrize("extra", [(), ("--no-branch",)], ids=["branch", "no-branch"])
def test_propose_without_a_git_identity_leaves_everything_as_it_was(
    project: Path, nobody: dict[str, str], extra: tuple[str, ...]
) -> None:
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    before = snapshot(project)
    result = run_reqctl(
        project, "change", "propose", "Add SSO", "--affects", "REQ-001", "--requested-by", CUSTOMER, *extra,
        env=nobody,
    )
    assert result.code == 2
    assert_unchanged(before, project)
    assert "user.email" in result.err and len(result.err.strip().splitlines()) == 1


def test_change_commands_without_a_git_identity_change_nothing(project: Path, nobody: dict[str, str]) -> None:
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    propose(project)
    before = snapshot(project)
    for args in (
        ("change", "assess", "CR-001", "--risk", "low"),
        ("change", "reject", "CR-001", "--reason", "no", "--by", CUSTOMER),
        ("change", "merge", "CR-001"),
    ):
        result = run_reqctl(project, *args, env=nobody)
        assert result.code == 2, args
        assert_unchanged(before, project)
        assert "user.email" in result.err, args


def test_reqctl_commits_leave_other_staged_work_staged(project: Path) -> None:
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    propose(project)
    (project / "notes.txt").write_text("mine\n", encoding="utf-8")
    git(project, "add", "notes.txt")
    result = run_reqctl(project, "change", "assess", "CR-001", "--risk", "low")
    assert result.code == 0, result.err
    assert git(project, "show", "--name-only", "--format=", "HEAD").split() == ["changes/CR-001.md"]
    assert git(project, "status", "--porcelain") == "A  notes.txt\n"


# ---------------------------------------------------- change merge midway ----


@pytest.fixture
def ready(project: Path) -> Path:
    """CR-001 on its branch, approved by both roles, REQ-001 edited under it."""
    requirement(project, "REQ-001", "Login", "Users log in with a password.\n")
    requirement(project, "REQ-002", "Logout")
    commit_all(project, "requirements")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_all(project, "approve REQ-001", CUSTOMER)
    propose(project)
    edit_login(project)
    assess_and_approve(project)
    return project


def fail_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    from reqctl.errors import GitError
    from reqctl.gitio.repo import GitRepo

    def broken(self: GitRepo, message: str) -> str:
        raise GitError("git commit failed: injected failure")

    monkeypatch.setattr(GitRepo, "commit_index", broken)


def test_a_failure_midway_through_change_merge_leaves_nothing_behind(
    ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(ready)
    fail_the_commit(monkeypatch)
    result = run_reqctl(ready, "change", "merge", "CR-001")
    assert result.code == 2 and "injected failure" in result.err
    assert_unchanged(before, ready, rewritten=True)
    assert not (Path(git(ready, "rev-parse", "--absolute-git-dir").strip()) / "MERGE_HEAD").exists()


def test_a_failure_finishing_a_resolved_merge_keeps_the_resolution(
    ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(ready, "switch", "-q", "main")
    requirement(ready, "REQ-002", "Logout", "Logout after 30 minutes.\n")
    commit_all(ready, "main edits the draft")
    git(ready, "switch", "-q", BRANCH)
    requirement(ready, "REQ-002", "Logout", "Logout after 10 minutes.\n")
    commit_all(ready, "branch edits the draft")
    assess_and_approve(ready)
    assert run_reqctl(ready, "change", "merge", "CR-001").code == 2  # stops on the conflict
    git(ready, "checkout", "--theirs", "--", "requirements/REQ-002.md")
    git(ready, "add", "requirements/REQ-002.md")
    before = snapshot(ready)
    fail_the_commit(monkeypatch)
    result = run_reqctl(ready, "change", "merge", "CR-001")
    assert result.code == 2 and "injected failure" in result.err
    assert_unchanged(before, ready, rewritten=True)
    monkeypatch.undo()
    done = run_reqctl(ready, "change", "merge", "CR-001")
    assert done.code == 0, done.err


def test_finishing_a_merge_refuses_markers_left_in_a_staged_file(ready: Path) -> None:
    git(ready, "switch", "-q", "main")
    requirement(ready, "REQ-002", "Logout", "Logout after 30 minutes.\n")
    commit_all(ready, "main edits the draft")
    git(ready, "switch", "-q", BRANCH)
    requirement(ready, "REQ-002", "Logout", "Logout after 10 minutes.\n")
    commit_all(ready, "branch edits the draft")
    assess_and_approve(ready)
    assert run_reqctl(ready, "change", "merge", "CR-001").code == 2
    git(ready, "add", "requirements/REQ-002.md")  # 'resolved' without removing the markers
    before = snapshot(ready)
    result = run_reqctl(ready, "change", "merge", "CR-001")
    assert result.code == 2 and "requirements/REQ-002.md:" in result.err and "conflict marker" in result.err
    assert_unchanged(before, ready)


def test_a_failure_completing_an_in_place_change_leaves_nothing_behind(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirement(project, "REQ-001", "Login", "Users log in with a password.\n")
    commit_all(project, "requirements")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_all(project, "approve REQ-001", CUSTOMER)
    propose(project, "--no-branch")
    edit_login(project)
    assess_and_approve(project)
    before = snapshot(project)
    fail_the_commit(monkeypatch)
    result = run_reqctl(project, "change", "merge", "CR-001")
    assert result.code == 2 and "injected failure" in result.err
    assert_unchanged(before, project, rewritten=True)


# ------------------------------------------------------------------ req edit ----


def test_edit_never_overwrites_an_approval_made_while_the_editor_was_open(project: Path, tmp_path: Path) -> None:
    requirement(project, "REQ-001", "Login")
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'reqctl', 'approve', 'REQ-001', '--by', '{CUSTOMER}'], check=True)\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text(encoding='utf-8').replace('Login', 'Sign in'), encoding='utf-8')\n",
        encoding="utf-8",
    )
    path = project / "requirements" / "REQ-001.md"
    result = run_reqctl(project, "req", "edit", "REQ-001", env={"EDITOR": f"{sys.executable} {script}", "VISUAL": ""})
    assert result.code == 2
    assert "changed while it was being edited" in result.err and "rejected-edits/REQ-001.md" in result.err
    assert [r["by"] for r in front(path)["approvals"]] == [CUSTOMER] and front(path)["title"] == "Login"
    assert "Sign in" in (state_dir(project) / "rejected-edits" / "REQ-001.md").read_text(encoding="utf-8")


def test_edit_refuses_to_save_conflict_markers(project: Path, tmp_path: Path) -> None:
    requirement(project, "REQ-001", "Login")
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "conflict = '<<<<<<< HEAD\\nA\\n=======\\nB\\n>>>>>>> x\\n'\n"
        "p.write_text(p.read_text(encoding='utf-8') + conflict, encoding='utf-8')\n",
        encoding="utf-8",
    )
    path = project / "requirements" / "REQ-001.md"
    before = path.read_bytes()
    result = run_reqctl(project, "req", "edit", "REQ-001", env={"EDITOR": f"{sys.executable} {script}", "VISUAL": ""})
    assert result.code == 2 and "conflict marker" in result.err
    assert path.read_bytes() == before


def test_change_approve_refuses_committed_conflict_markers_in_what_it_covers(project: Path) -> None:
    requirement(project, "REQ-001", "Login", "Users log in with a password.\n")
    commit_all(project, "requirements")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_all(project, "approve REQ-001", CUSTOMER)
    propose(project, "--no-branch")
    edit_login(project, "<<<<<<< HEAD\nUsers log in with SSO.\n=======\nUsers log in.\n>>>>>>> other\n")
    assert run_reqctl(project, "change", "assess", "CR-001", "--risk", "low").code == 0
    before = snapshot(project)
    result = run_reqctl(project, "change", "approve", "CR-001")
    assert result.code == 2
    assert result.err.startswith("error: requirements/REQ-001.md:13: merge conflict marker '<<<<<<< HEAD'")
    assert_unchanged(before, project)


# --------------------------------------------------------- marker detection ----

_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30)


_MARKERS = st.sampled_from(["<<<<<<< HEAD", ">>>>>>> b", "|||||||"])


@given(st.lists(_LINE, max_size=12), st.integers(min_value=0), _MARKERS)
def test_an_opening_or_closing_marker_is_found_on_its_line(lines: list[str], where: int, marker: str) -> None:
    from reqctl.store.conflicts import conflict_marker

    clean = [line for line in lines if not line.startswith(("<<<<<<<", ">>>>>>>", "|||||||", "======="))]
    position = where % (len(clean) + 1)
    text = "\n".join([*clean[:position], marker, *clean[position:]]) + "\n"
    assert conflict_marker(text, body_only=True) == (position + 1, marker)
    assert conflict_marker("\n".join(clean) + "\n", body_only=True) is None


def test_a_separator_counts_alone_only_in_the_front_matter() -> None:
    from reqctl.store.conflicts import conflict_marker

    assert conflict_marker("---\nid: REQ-001\n=======\n---\nBody\n") == (3, "=======")
    assert conflict_marker("---\nid: REQ-001\n---\nSummary\n=======\n") is None
    assert conflict_marker("---\nid: REQ-001\n---\nA\n=======\nB\n>>>>>>> x\n") == (5, "=======")
    assert conflict_marker("---\nid: REQ-001\n---\n<<<<<<<< eight is not a marker\n") is None


def fail_git(monkeypatch: pytest.MonkeyPatch, subcommand: str) -> None:
    """Make one git subcommand fail the way a full disk or a held index.lock would."""
    from reqctl.errors import GitError
    from reqctl.gitio.repo import GitRepo

    real_run = GitRepo.run

    def run(self: GitRepo, *args: str, **options: Any) -> bytes:
        if args[0] == subcommand:
            raise GitError(f"git {subcommand} failed: injected failure")
        return real_run(self, *args, **options)

    monkeypatch.setattr(GitRepo, "run", run)


@pytest.mark.parametrize(
    "command",
    [
        ("change", "assess", "CR-001", "--risk", "low"),
        ("change", "propose", "Y", "--affects", "REQ-001", "--no-branch"),
        ("change", "propose", "Y", "--affects", "REQ-001"),
    ],
    ids=["assess", "propose-here", "propose-on-a-branch"],
)
def test_a_failing_commit_leaves_everything_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    propose(project, "--no-branch")
    before = snapshot(project)
    fail_git(monkeypatch, "commit")
    result = run_reqctl(project, *command)
    assert result.code == 2 and "injected failure" in result.err
    # assess put the CR file back, propose switched back from its new branch: stat data in the index differs
    assert_unchanged(before, project, rewritten="--no-branch" not in command)


def test_an_index_that_cannot_be_updated_after_the_commit_is_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    propose(project, "--no-branch")
    fail_git(monkeypatch, "update-index")
    result = run_reqctl(project, "change", "assess", "CR-001", "--risk", "low")
    assert result.code == 2
    assert "committed" in result.err and "git reset -q -- changes/CR-001.md" in result.err
    committed = git(project, "show", "HEAD:changes/CR-001.md")
    assert "status: assessed" in committed
    assert (project / "changes" / "CR-001.md").read_text(encoding="utf-8") == committed
