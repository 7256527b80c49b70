"""The one guard around every write of an item file.

Two reqctl commands writing the same file at once (``approve`` and ``req
status``) must never lose a write, and nothing may be written into a
half-finished git operation or over a file git left with conflict markers
(an approval would fingerprint the markers).  So every writer:

1. takes the project lock (``project_lock``) for its whole read-modify-write,
2. refuses while a merge, rebase, cherry-pick or revert is unfinished,
3. reads the item again *under the lock* and computes its edit from that,
4. refuses a file holding conflict markers.

``item_write`` does this for one-item commands (``approve``, ``status``);
``project_write`` for the change-request commands, which load the project
themselves once they hold the lock.  ``restored_on_failure`` puts files and
git's index back when a multi-step write fails midway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from reqctl.errors import FileFormatError, GitError, ReqctlError
from reqctl.gitio.repo import GitRepo, open_repo
from reqctl.locate import find_root
from reqctl.messages import lazy, os_reason
from reqctl.model.ids import Kind, normalize_id_argument
from reqctl.model.project import Project
from reqctl.ops.allocate import project_lock
from reqctl.store.atomic import write_atomic
from reqctl.store.conflicts import conflict_marker
from reqctl.store.reader import read_no_follow
from reqctl.store.store import Store

P = ParamSpec("P")
R = TypeVar("R")


def refuse_git_operation(root: Path, *, merge_ok: bool = False) -> GitRepo | None:
    """The project's repository, refused while git is in the middle of a merge, rebase, cherry-pick or revert."""
    repo = open_repo(root)
    if repo is None:
        return None
    blocker = repo.state_blocker(merge_ok=merge_ok)
    if blocker:
        raise GitError(blocker)
    return repo


def refuse_conflict_markers(root: Path, rels: Iterable[str]) -> None:
    """Refuse when one of these project files holds merge conflict markers (missing files pass)."""
    for rel in rels:
        try:
            raw = read_no_follow(root / rel)
        except FileNotFoundError:
            continue
        except OSError as exc:
            if (root / rel).is_symlink():
                continue  # never followed; 'check' reports it
            raise ReqctlError(lazy("cannot read file: {reason}", reason=os_reason(exc)), path=rel) from None
        found = conflict_marker(raw.decode("utf-8", "replace"))
        if found is not None:
            line, marker = found
            raise FileFormatError(lazy("merge conflict marker '{marker}': resolve the conflict first",
                                       marker=marker[:20]), path=rel, line=line)


@contextlib.contextmanager
def item_write(project: Project, raw_id: str, kind: Kind | None = None) -> Iterator[Project]:
    """Hold the lock and yield the project re-read with this item's file as it is now.

    The caller computes its edit from the yielded project, never from the one
    it loaded before: a command that waited for the lock would otherwise
    overwrite what the previous holder wrote.
    """
    with project_lock(project.root):
        refuse_git_operation(project.root)
        fresh = Store.open(project.root).project_with(raw_id, kind)
        item_id = normalize_id_argument(raw_id)
        rels = [item_file.path for item_file in fresh.files_by_id.get(item_id, ())]
        if len(fresh.files) == 1:  # the file was found by name, maybe unreadable (conflicted front matter)
            rels.append(fresh.files[0].path)
        refuse_conflict_markers(fresh.root, dict.fromkeys(rels))
        yield fresh


def under_item_guard(write: Callable[Concatenate[Project, str, P], R]) -> Callable[Concatenate[Project, str, P], R]:
    """``write(project, raw_id, ...)`` run inside ``item_write`` on the freshly read project."""

    def guarded(project: Project, raw_id: str, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with item_write(project, raw_id) as fresh:
            return write(fresh, raw_id, *args, **kwargs)

    guarded.__doc__ = write.__doc__
    return guarded


@contextlib.contextmanager
def project_write(start: Path, *, merge_ok: bool = False, commits: bool = True) -> Iterator[Path]:
    """Hold the lock for a whole command that loads, writes and commits; yield the project root.

    With ``commits``, a repository that could not make the commit (no git
    identity) is refused before anything is touched.
    """
    root = find_root(start)
    with project_lock(root):
        repo = refuse_git_operation(root, merge_ok=merge_ok)
        if repo is not None and commits:
            repo.require_identity()
        yield root


def project_writer(
    *, merge_ok: bool = False
) -> Callable[[Callable[Concatenate[Path, P], R]], Callable[Concatenate[Path, P], R]]:
    """Run ``write(root, ...)`` inside ``project_write``; the command loads the project itself, under the lock."""

    def decorate(write: Callable[Concatenate[Path, P], R]) -> Callable[Concatenate[Path, P], R]:
        def guarded(start: Path, /, *args: P.args, **kwargs: P.kwargs) -> R:
            with project_write(start, merge_ok=merge_ok) as root:
                return write(root, *args, **kwargs)

        guarded.__doc__ = write.__doc__
        guarded.__name__ = write.__name__
        return guarded

    return decorate


@contextlib.contextmanager
def restored_on_failure(root: Path, rels: Iterable[str], repo: GitRepo | None = None) -> Iterator[None]:
    """On any exception inside: these files (and git's index) are put back exactly as they were."""
    saved: dict[str, bytes | None] = {}
    for rel in dict.fromkeys(rels):
        try:
            saved[rel] = (root / rel).read_bytes()
        except FileNotFoundError:
            saved[rel] = None
    index = repo.index_restored_on_failure() if repo is not None else contextlib.nullcontext()
    with index:
        try:
            yield
        except BaseException:
            for rel, data in saved.items():
                path = root / rel
                if data is None:
                    path.unlink(missing_ok=True)
                elif not path.is_file() or path.read_bytes() != data:  # untouched files keep their mtime
                    write_atomic(path, data)
            raise
