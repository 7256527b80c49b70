"""Thin wrapper over GitPython; no other module imports ``git``.

Only non-destructive operations live here: reads, ``git init``, and commits
of files reqctl itself wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.errors import GitError


@dataclass(frozen=True)
class GitRepo:
    """A git working tree and the path of a reqctl project inside it."""

    top: Path
    project_prefix: str  # project root relative to ``top`` ('' or 'sub/dir/')
    _repo: Any

    def git(self, *args: str) -> str:
        from git.exc import GitCommandError

        try:
            return str(self._repo.git.execute(["git", *args], stdout_as_string=True, strip_newline_in_stdout=False))
        except GitCommandError as exc:
            detail = (exc.stderr or "").strip().splitlines()
            reason = detail[-1].removeprefix("stderr: ").strip("' ") if detail else str(exc)
            raise GitError(f"git {args[0]} failed: {reason}") from None

    def config_value(self, key: str) -> str | None:
        try:
            value = self.git("config", "--get", key).strip()
        except GitError:
            return None
        return value or None

    def refs(self) -> list[str]:
        """Local branches and remote-tracking branches."""
        out = self.git("for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")
        return [line for line in out.splitlines() if line and not line.endswith("/HEAD")]

    def names_in_folder(self, ref: str, folder: str) -> list[str]:
        """File names directly inside ``folder`` (project-relative) at ``ref``."""
        path = f"{self.project_prefix}{folder}/"
        out = self.git("ls-tree", "--name-only", ref, "--", path)
        return [line.rsplit("/", 1)[-1] for line in out.splitlines() if line]


def open_repo(project_root: Path) -> GitRepo | None:
    """The git repository holding ``project_root``, or None when it is not in one."""
    import git

    try:
        repo = git.Repo(project_root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    if repo.working_tree_dir is None:
        return None
    top = Path(repo.working_tree_dir).resolve()
    rel = project_root.resolve().relative_to(top).as_posix()
    return GitRepo(top=top, project_prefix="" if rel == "." else f"{rel}/", _repo=repo)


def init_repo(path: Path) -> None:
    import git

    try:
        git.Repo.init(path, initial_branch="main")
    except git.GitCommandError as exc:
        raise GitError(f"git init failed: {exc.stderr.strip()}", path=path) from None


def user_email(project_root: Path) -> str | None:
    repo = open_repo(project_root)
    if repo is not None:
        return repo.config_value("user.email")
    import git

    try:
        value = git.Git(str(project_root)).execute(["git", "config", "--get", "user.email"])
    except git.GitCommandError:
        return None
    return str(value).strip() or None
