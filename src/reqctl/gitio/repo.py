"""Thin wrapper over GitPython; no other module imports ``git``.

Only non-destructive operations live here: reads, ``git init``, commits
of files reqctl itself wrote, and putting git's index back after a failed write.
"""

from __future__ import annotations

import contextlib
import contextvars
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqctl.errors import GitError
from reqctl.messages import N_, lazy, os_reason

# Files in git's directory that mark an unfinished operation, and what they mean.
_OPERATIONS = (
    ("MERGE_HEAD", N_("a merge is in progress; finish or abort it first")),
    ("rebase-merge", N_("a rebase is in progress; finish or abort it first")),
    ("rebase-apply", N_("a rebase or am is in progress; finish or abort it first")),
    ("CHERRY_PICK_HEAD", N_("a cherry-pick is in progress; finish or abort it first")),
    ("REVERT_HEAD", N_("a revert is in progress; finish or abort it first")),
)


@dataclass(frozen=True)
class CommitAs:
    """Who a commit is made as, and a trailer it carries: ``reqctl serve`` records a customer's approval
    with the customer as author and its recorder identity as committer."""

    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    trailer: str = ""

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.author_name,
            "GIT_AUTHOR_EMAIL": self.author_email,
            "GIT_COMMITTER_NAME": self.committer_name,
            "GIT_COMMITTER_EMAIL": self.committer_email,
        }


# Set (for one request) by the review server; every ``commit_files`` inside commits as it says.
COMMIT_AS: contextvars.ContextVar[CommitAs | None] = contextvars.ContextVar("reqctl_commit_as", default=None)


@dataclass(frozen=True)
class GitRepo:
    """A git working tree and the path of a reqctl project inside it."""

    top: Path
    project_prefix: str  # project root relative to ``top`` ('' or 'sub/dir/')
    _repo: Any

    def git(self, *args: str) -> str:
        from git.exc import GitCommandError

        try:
            out = self._repo.git.execute(
                ["git", *args], stdout_as_string=True, strip_newline_in_stdout=False
            )
            return str(out)
        except GitCommandError as exc:
            detail = (exc.stderr or "").strip().splitlines()
            reason = detail[-1].removeprefix("stderr: ").strip("' ") if detail else str(exc)
            raise GitError(lazy("git {command} failed: {reason}", command=args[0], reason=reason)) from None

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

    def names_ever_added(self, folder: str) -> set[str]:
        """Names of every file ever added to ``folder`` (project-relative) on any branch, remote or tag.

        One path-limited ``git log --all`` instead of a tree listing per ref;
        ``--no-renames`` so a renamed file counts as added under its new name.
        """
        path = f"{self.project_prefix}{folder}/"
        out = self.git("log", "--all", "--no-renames", "--diff-filter=A", "--name-only", "--format=", "--", path)
        return {line.rsplit("/", 1)[-1] for line in out.splitlines() if line}

    # ------------------------------------------------------------ plumbing ----

    def run(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> bytes:
        """Run ``git`` in the working tree; raw stdout, ``GitError`` with git's last line."""
        import os
        import subprocess

        full_env = {**os.environ, **env} if env else None
        try:
            proc = subprocess.run(
                ["git", *args],
                cwd=self.top, input=stdin, capture_output=True, check=False, env=full_env,
            )
        except OSError as exc:
            raise GitError(lazy("cannot run git: {reason}", reason=os_reason(exc))) from None
        if proc.returncode != 0:
            lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = next((ln for ln in reversed(lines) if ln.strip()), f"exit {proc.returncode}")
            reason = reason.removeprefix("fatal: ").removeprefix("error: ")
            raise GitError(lazy("git {command} failed: {reason}", command=args[0], reason=reason))
        return proc.stdout

    def text(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> str:
        return self.run(*args, stdin=stdin, env=env).decode("utf-8", "replace")

    def project_path(self, rel: str) -> str:
        """A project-relative path as a path from the top of the working tree."""
        return f"{self.project_prefix}{rel}"

    def from_top(self, top_rel: str) -> str | None:
        """A top-relative path as project-relative, or None when it is outside the project."""
        if not top_rel.startswith(self.project_prefix):
            return None
        return top_rel[len(self.project_prefix) :]

    def resolve(self, rev: str) -> str:
        """The commit a revision names; a clear error for a name git does not know."""
        if not rev or rev.startswith("-"):
            raise GitError(lazy("'{rev}' is not a revision", rev=rev))
        try:
            out = self.text("rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}")
        except GitError:
            raise GitError(lazy("unknown revision '{rev}': not a branch, tag or commit here", rev=rev)) from None
        return out.strip()

    def try_resolve(self, rev: str) -> str | None:
        try:
            return self.resolve(rev)
        except GitError:
            return None

    def is_shallow(self) -> bool:
        """A shallow clone: history is cut off, so the oldest commit present seems to add everything."""
        return self.text("rev-parse", "--is-shallow-repository").strip() == "true"

    def has_commits(self) -> bool:
        return self.try_resolve("HEAD") is not None

    def current_branch(self) -> str | None:
        """The checked-out branch, or None with a detached HEAD."""
        try:
            ref = self.text("symbolic-ref", "--quiet", "HEAD").strip()
        except GitError:
            return None
        return ref.removeprefix("refs/heads/")

    def branch_exists(self, name: str) -> bool:
        return self.try_resolve(f"refs/heads/{name}") is not None

    def ls_tree(self, rev: str, folders: list[str]) -> list[tuple[str, str]]:
        """(project-relative path, blob sha) of every file under ``folders`` at ``rev``."""
        specs = [self.project_path(folder.rstrip("/") + "/") for folder in folders]
        out = self.run("ls-tree", "-r", "-z", "--full-tree", rev, "--", *specs)
        found: list[tuple[str, str]] = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            parts = meta.split()
            if len(parts) != 3 or parts[1] != b"blob":
                continue
            rel = self.from_top(path.decode("utf-8", "surrogateescape"))
            if rel is not None:
                found.append((rel, parts[2].decode()))
        return found

    def blob_at(self, rev: str, rel: str) -> str | None:
        """The blob sha of one project file at ``rev``, or None when it is not there."""
        entries = self.ls_tree_files(rev, [rel])
        return entries.get(rel)

    def regular_file_at(self, rev: str, rel: str) -> bytes | None:
        """The content of one project file at ``rev`` (None when absent); a symlink there is an error."""
        out = self.run("ls-tree", "-z", "--full-tree", rev, "--", self.project_path(rel))
        record = out.split(b"\0")[0]
        if not record:
            return None
        mode, kind, sha = record.partition(b"\t")[0].split()
        if kind != b"blob" or mode not in (b"100644", b"100755"):
            raise GitError(lazy("{file} at {commit} is not a regular file (a symlink?); reqctl does not follow it",
                                file=rel, commit=rev[:10]))
        return self.cat_blobs([sha.decode()]).get(sha.decode())

    def ls_tree_files(self, rev: str, rels: list[str]) -> dict[str, str]:
        if not rels:
            return {}
        specs = [self.project_path(r) for r in rels]
        out = self.run("ls-tree", "-z", "--full-tree", rev, "--", *specs)
        found: dict[str, str] = {}
        for record in out.split(b"\0"):
            meta, _, path = record.partition(b"\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == b"blob":
                rel = self.from_top(path.decode("utf-8", "surrogateescape"))
                if rel is not None:
                    found[rel] = parts[2].decode()
        return found

    def cat_blobs(self, shas: list[str]) -> dict[str, bytes]:
        """The contents of many blobs from one ``git cat-file --batch`` process."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", stdin=("\n".join(wanted) + "\n").encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            blobs[sha] = out[pos : pos + size]
            pos += size + 1
        return blobs

    def changed_paths(self, old: str, new: str | None, folders: list[str]) -> list[str]:
        """Project-relative paths under ``folders`` that differ between two commits.

        With ``new=None`` the working tree is compared (tracked changes and new,
        not ignored files), without touching the index or any file.
        """
        specs = [self.project_path(folder.rstrip("/") + "/") for folder in folders]
        args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", old]
        if new is not None:
            args.append(new)
        out = self.run(*args, "--", *specs)
        names = [name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]
        if new is None:
            extra = self.run("ls-files", "-z", "--others", "--exclude-standard", "--", *specs)
            untracked = extra.decode("utf-8", "surrogateescape").split("\0")
            names.extend(name for name in untracked if name)
        rels = (self.from_top(name) for name in names)
        return sorted({rel for rel in rels if rel is not None})

    def dirty_paths(self, paths: list[str] | None = None, *, untracked: bool = True) -> list[str]:
        """Uncommitted changes (staged, unstaged, untracked) as top-relative paths."""
        specs = [self.project_path(p) for p in paths] if paths else []
        mode = "--untracked-files=all" if untracked else "--untracked-files=no"
        out = self.run("status", "--porcelain=v1", "-z", mode, "--", *specs)
        found: list[str] = []
        records = out.decode("utf-8", "surrogateescape").split("\0")
        skip = False
        for record in records:
            if skip:
                skip = False
                continue
            if len(record) < 4:
                continue
            if record[0] in "RC":
                skip = True
            found.append(record[3:])
        return found

    def merge_base(self, left: str, right: str) -> str | None:
        try:
            return self.text("merge-base", left, right).strip() or None
        except GitError:
            return None

    def ahead_behind(self, ref: str, base: str) -> tuple[int, int]:
        """Commits on ``ref`` not on ``base``, and on ``base`` not on ``ref``."""
        out = self.text("rev-list", "--left-right", "--count", f"{ref}...{base}").split()
        return int(out[0]), int(out[1])

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self.run("merge-base", "--is-ancestor", ancestor, descendant)
        except GitError:
            return False
        return True

    def refs_with_sha(
        self, patterns: tuple[str, ...] = ("refs/heads", "refs/remotes")
    ) -> list[tuple[str, str]]:
        """(short ref name, commit sha) of branches; symbolic ``*/HEAD`` refs left out."""
        fmt = "--format=%(refname)%00%(refname:short)%00%(objectname)"
        out = self.text("for-each-ref", fmt, *patterns)
        found = []
        for line in out.splitlines():
            full, short_name, sha = line.split("\0")
            if full.endswith("/HEAD"):
                continue
            found.append((short_name, sha))
        return found

    def user_ident(self) -> tuple[str | None, str | None]:
        return self.config_value("user.name"), self.config_value("user.email")

    def state_blocker(self, *, merge_ok: bool = False) -> str | None:
        """Why the repository cannot take a new commit right now (merge, rebase in progress).

        ``git rev-parse --git-path`` names the files of this working tree (a
        linked worktree keeps its own MERGE_HEAD).  ``merge_ok`` lets a merge
        pass (``change merge`` finishing its own merge).
        """
        markers = [marker for marker, _what in _OPERATIONS if not (merge_ok and marker == "MERGE_HEAD")]
        args = [arg for marker in markers for arg in ("--git-path", marker)]
        paths = self.text("rev-parse", *args).splitlines()
        for marker, path in zip(markers, paths, strict=True):
            if (self.top / path).exists():
                return lazy(dict(_OPERATIONS)[marker])
        return None

    def require_identity(self) -> None:
        """Refuse before anything changes when git could not make a commit for want of a name or e-mail."""
        if COMMIT_AS.get() is not None:  # the review server names author and committer itself
            return
        for what in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            try:
                self.run("var", what)
            except GitError:
                raise GitError(lazy(
                    "git does not know who you are: set user.name and user.email "
                    "(git config --global user.email you@example.com)"
                )) from None

    # -------------------------------------------------------------- writes ----
    # Only additive, non-destructive operations: new branches, switching with a
    # clean tree (git itself refuses to overwrite changes), commits of named
    # files, merges that git can abort, annotated tags.

    def valid_branch_name(self, name: str) -> bool:
        try:
            self.run("check-ref-format", "--branch", name)
        except GitError:
            return False
        return True

    def create_branch(self, name: str, start: str) -> None:
        self.run("branch", "--no-track", name, start)

    def delete_new_branch(self, name: str, expected_sha: str) -> None:
        """Remove a branch reqctl just created, only if it still points where it was made."""
        self.run("update-ref", "-d", f"refs/heads/{name}", expected_sha)

    def switch(self, name: str) -> None:
        self.run("switch", "--quiet", name)

    def commit_files(self, rels: list[str], message: str) -> str:
        """Commit exactly these project files on top of HEAD; the user's staged work is never touched.

        The commit is built in a temporary index (HEAD plus these files), so a
        failing commit (no identity, a full disk) leaves the real index as it
        was; only after the commit succeeds are these paths updated in it.
        """
        specs = [self.project_path(rel) for rel in rels]
        with tempfile.TemporaryDirectory(prefix="reqctl-index-") as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            commit_as = COMMIT_AS.get()
            if commit_as is not None:
                env.update(commit_as.env())
                if commit_as.trailer:
                    message = message.rstrip("\n") + ("\n" if _ends_in_trailers(message) else "\n\n")
                    message += commit_as.trailer + "\n"
            self.run("read-tree", "HEAD", env=env)
            self.run("add", "--", *specs, env=env)
            self.run("commit", "--quiet", "--no-verify", "-m", message, env=env)
        sha = self.resolve("HEAD")
        try:
            self.run("update-index", "--add", "--remove", "--", *specs)
        except GitError as exc:  # e.g. another git command holds index.lock: say so, never hide it
            raise GitError(lazy(
                "committed {commit}, but {problem}; run 'git reset -q -- {files}' to bring git's index up to date",
                commit=sha[:10], problem=exc.message, files=" ".join(specs),
            )) from None
        return sha

    @contextlib.contextmanager
    def index_restored_on_failure(self) -> Iterator[None]:
        """On any exception inside, put git's index file back byte for byte."""
        index = self.top / self.text("rev-parse", "--git-path", "index").strip()
        try:
            saved: bytes | None = index.read_bytes()
        except FileNotFoundError:
            saved = None
        try:
            yield
        except BaseException:
            if saved is None:
                index.unlink(missing_ok=True)
            else:
                tmp = index.with_name(f"{index.name}.reqctl-restore")
                tmp.write_bytes(saved)
                tmp.replace(index)
            raise

    def stage(self, rels: list[str]) -> None:
        self.run("add", "--", *(self.project_path(rel) for rel in rels))

    def commit_index(self, message: str) -> str:
        self.run("commit", "--quiet", "--no-verify", "-m", message)
        return self.resolve("HEAD")

    def merge_no_commit(self, ref: str) -> list[str]:
        """Start a merge of ``ref``; return the conflicted files ([] when it applied cleanly)."""
        try:
            self.run("merge", "--no-ff", "--no-commit", "--no-edit", ref)
        except GitError:
            conflicted = self.unmerged_paths()
            if conflicted:
                return conflicted
            raise
        return []

    def unmerged_paths(self) -> list[str]:
        out = self.text("diff", "--name-only", "--diff-filter=U")
        return [line for line in out.splitlines() if line]

    def merge_head(self) -> str | None:
        return self.try_resolve("MERGE_HEAD")

    def merge_abort(self) -> None:
        self.run("merge", "--abort")

    def create_tag(self, name: str, message: str) -> None:
        self.run("tag", "--annotate", "--file=-", name, "HEAD", stdin=message.encode("utf-8"))

    def tags(self) -> list[tuple[str, str, str]]:
        """(name, commit sha, annotation) of every tag."""
        fmt = "--format=%(refname:short)%00%(objectname)%00%(*objectname)%00%(contents)%01"
        out = self.text("for-each-ref", fmt, "refs/tags")
        found = []
        for raw in out.split("\x01"):
            record = raw.strip("\n")
            if not record:
                continue
            name, sha, peeled, contents = record.split("\0", 3)
            found.append((name, peeled or sha, contents))
        return found


def _ends_in_trailers(message: str) -> bool:
    """Whether the message's last paragraph is a trailer block (``Key: value`` lines)."""
    paragraphs = message.strip().split("\n\n")
    if len(paragraphs) < 2:
        return False
    return all(": " in line and " " not in line.split(": ", 1)[0] for line in paragraphs[-1].splitlines())


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
        raise GitError(lazy("git init failed: {reason}", reason=exc.stderr.strip()), path=path) from None


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


def is_tracked(project_root: Path, rel: str) -> bool:
    """Whether git tracks anything at ``rel`` (project-relative), without loading GitPython.

    Runs on hot paths (every ``check``), so it starts one ``git ls-files`` and
    nothing else; False outside a repository or when git is missing.
    """
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--", rel], cwd=project_root, capture_output=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and bool(proc.stdout)
