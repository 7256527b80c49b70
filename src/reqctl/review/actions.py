"""What the review server writes: approvals and review records, committed as the customer.

Approvals go through the same ops functions as ``reqctl approve`` and
``reqctl change approve`` (so the records are identical), with ``via: review
link`` and the invitation id added.  Every commit has the customer as author,
the ``review.recorder`` identity as committer and a ``Reviewed-via:
reqctl-serve`` trailer.  The PM's checkout is never switched: a CR kept on a
branch that is not checked out is approved in a temporary git worktree in
reqctl's state folder, removed afterwards.  Every write holds the project
lock, so two reviewers clicking at once both land, one after the other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reqctl.errors import ConfigError, GitError, PermissionDeniedError, ReqctlError
from reqctl.gitio.repo import COMMIT_AS, CommitAs, GitRepo
from reqctl.history.snapshots import open_git
from reqctl.messages import Word, lazy
from reqctl.model.config import Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind
from reqctl.store.atomic import write_atomic
from reqctl.store.lock import project_lock
from reqctl.store.statedir import ensure_state_dir
from reqctl.store.store import Store

VIA = "review link"
TRAILER = "Reviewed-via: reqctl-serve"
REVIEWS_FOLDER = "reviews"


def _stale(item_id: str) -> str:
    return lazy("{id} changed since you opened it — reload", id=item_id)


_DETACHED = lazy("the project's checkout is on a detached HEAD; the project manager must switch to a branch")


class StaleContentError(ReqctlError):
    """The content differs from what the reviewer's page showed: nothing is written."""


@dataclass(frozen=True)
class Reviewer:
    email: str
    invitation: str
    roles: tuple[str, ...]


def commit_identity(config: Config, reviewer: Reviewer) -> CommitAs:
    recorder = config.review.recorder
    if not recorder:
        raise ConfigError(lazy("set {setting} in reqctl.yaml: the identity the server commits as",
                                setting="review: {recorder: EMAIL}"))
    return CommitAs(reviewer.email.split("@", 1)[0], reviewer.email, config.review.recorder_name, recorder, TRAILER)


@contextlib.contextmanager
def committing_as(config: Config, reviewer: Reviewer) -> Iterator[None]:
    token = COMMIT_AS.set(commit_identity(config, reviewer))
    try:
        yield
    finally:
        COMMIT_AS.reset(token)


def _provenance(reviewer: Reviewer) -> dict[str, str]:
    return {"via": VIA, "invitation": reviewer.invitation}


def _role_allowed(reviewer: Reviewer, role: str) -> None:
    if role not in reviewer.roles:
        raise PermissionDeniedError(lazy("your review link is not for the role {role}", role=Word(role)))


def main_branch(root: Path) -> str | None:
    """The local main-line branch when the project's checkout is on another branch, else None.

    Requirements and review records are recorded on the main line: while the
    project manager works on a CR branch, the server writes in a temporary
    worktree of the main line instead of in their checkout.
    """
    from reqctl.changes.branches import main_line

    repo = open_git(root)
    try:
        main = main_line(repo, Store.open(root).config())
    except ReqctlError:
        return None
    if main == repo.current_branch() or not repo.try_resolve(f"refs/heads/{main}"):
        return None
    return main


@contextlib.contextmanager
def on_main_line(root: Path) -> Iterator[Path]:
    """The project root to write the main line in: the checkout itself, or a temporary worktree (under the lock)."""
    main = main_branch(root)
    if main is None:
        yield root
        return
    with project_lock(root), _worktree(root, open_git(root), main) as other_root:
        yield other_root


def approve_requirement(root: Path, reviewer: Reviewer, item_id: str, role: str, seen: str) -> str:
    """Approve ``item_id`` in ``role`` when its fingerprint is still ``seen``; commit; return the commit."""
    _role_allowed(reviewer, role)
    config = Store.open(root).config()
    with committing_as(config, reviewer), on_main_line(root) as target:
        return _approve_requirement_in(target, reviewer, item_id, role, seen)


def _approve_requirement_in(root: Path, reviewer: Reviewer, item_id: str, role: str, seen: str) -> str:
    from reqctl.ops.items import approve_requirement as record
    from reqctl.ops.writeguard import item_write, restored_on_failure

    project = Store.open(root).project_with(item_id, Kind.REQUIREMENT)
    with item_write(project, item_id, Kind.REQUIREMENT) as fresh:
        item = fresh.get(item_id, Kind.REQUIREMENT)
        if fingerprint(item) != seen:
            raise StaleContentError(_stale(item.id))
        repo = open_git(fresh.root)
        rel = fresh.file_of(item.id).path
        _refuse_dirty(repo, rel)
        with restored_on_failure(fresh.root, [rel], repo):
            result = record(fresh, item.id, reviewer.email, role=role, provenance=_provenance(reviewer))
            if result.unchanged:
                return repo.resolve("HEAD")
            moved = ""
            if result.new_status != result.old_status:
                moved = f"; status {result.old_status} → {result.new_status}"
            message = f"approve {item.id} as {role} ({reviewer.email}, via review link){moved}\n"
            return repo.commit_files([rel], message)


def _refuse_dirty(repo: GitRepo, rel: str) -> None:
    if repo.current_branch() is None:
        raise GitError(_DETACHED)
    if repo.dirty_paths([rel]):
        raise GitError(lazy("{path} has uncommitted changes in the project's checkout; try again later", path=rel))


def approve_change(root: Path, reviewer: Reviewer, change_id: str, role: str, seen: str) -> str:
    """Approve a CR in ``role`` on its branch when its content is still ``seen``; return the commit."""
    from reqctl.ops import changes
    from reqctl.ops.change_list import show_change
    from reqctl.review.pending import change_token

    _role_allowed(reviewer, role)
    store = Store.open(root)
    config = store.config()

    def expect(ws: changes.Workspace) -> None:
        affected = {i: fingerprint(ws.project.items[i]) for i in ws.change.affects if i in ws.project.items}
        if change_token(ws.change, affected) != seen:
            raise StaleContentError(_stale(ws.change.id))

    row = show_change(store.root, change_id)
    branch = row.change.branch
    repo = open_git(store.root)
    with committing_as(config, reviewer):
        if not branch or branch == repo.current_branch():
            result = changes.approve(store.root, row.change.id, by=reviewer.email, role=role,
                                     provenance=_provenance(reviewer), expect=expect)
            return result.commit
        with project_lock(store.root), _worktree(store.root, repo, branch) as other_root:
            result = changes.approve(other_root, row.change.id, by=reviewer.email, role=role,
                                     provenance=_provenance(reviewer), expect=expect)
            return result.commit


@contextlib.contextmanager
def _worktree(root: Path, repo: GitRepo, branch: str) -> Iterator[Path]:
    """A temporary checkout of ``branch`` in reqctl's state folder (the PM's checkout stays as it is)."""
    folder = ensure_state_dir(root)
    if folder is None:
        raise ReqctlError(lazy("cannot create reqctl's state folder"))
    path = folder / "review-worktrees" / secrets.token_hex(6)
    path.parent.mkdir(exist_ok=True, mode=0o700)
    if not repo.try_resolve(f"refs/heads/{branch}"):
        raise GitError(lazy("branch {branch} is not in this repository; the project manager must fetch it",
                            branch=branch))
    repo.run("worktree", "add", "--quiet", str(path), branch)
    try:
        yield path / repo.project_prefix if repo.project_prefix else path
    finally:
        with contextlib.suppress(GitError):
            repo.run("worktree", "remove", "--force", str(path))
        with contextlib.suppress(GitError):
            repo.run("worktree", "prune")


# --------------------------------------------------------------- reviews ----

_REV = re.compile(r"REV-(\d+)\.md")


def request_changes(
    root: Path, reviewer: Reviewer, item_id: str, role: str, seen: str, comment: str, *, today: dt.date | None = None
) -> tuple[str, str]:
    """Write ``reviews/REV-NNN.md`` (who, when, item, fingerprint seen, decision, comment) and commit it."""
    from reqctl.ops.writeguard import project_write, restored_on_failure
    from reqctl.store import roundtrip

    _role_allowed(reviewer, role)
    from reqctl.model.ids import normalize_id_argument

    item_id = normalize_id_argument(item_id)
    if len(seen) > 100:
        raise ReqctlError(lazy("the form's fingerprint is not valid; reload the page"))
    text = comment.strip()
    if not text:
        raise ReqctlError(lazy("say what should change in the comment box"))
    if len(text) > 20000:
        raise ReqctlError(lazy("the comment is too long (at most {n} characters)", n=20000))
    store = Store.open(root)
    config = store.config()
    store.project_with(item_id).get(item_id)  # an item that exists (NotFoundError otherwise)
    with committing_as(config, reviewer), on_main_line(store.root) as target, project_write(target) as project_root:
        repo = open_git(project_root)
        folder = project_root / REVIEWS_FOLDER
        if folder.is_symlink():
            raise ReqctlError(lazy("{path} is a symbolic link; not writing through it", path=REVIEWS_FOLDER + "/"))
        folder.mkdir(exist_ok=True)
        numbers = [int(m.group(1)) for p in folder.iterdir() if (m := _REV.fullmatch(p.name))]
        review_id = f"REV-{max(numbers, default=0) + 1:03d}"
        rel = f"{REVIEWS_FOLDER}/{review_id}.md"
        data = {
            "id": review_id,
            "item": item_id,
            "by": reviewer.email,
            "role": role,
            "date": today or dt.date.today(),
            "decision": "changes requested",
            "fingerprint": seen,
            "via": VIA,
            "invitation": reviewer.invitation,
        }
        if repo.current_branch() is None:
            raise GitError(_DETACHED)
        with restored_on_failure(project_root, [rel], repo):
            write_atomic(project_root / rel, roundtrip.render_new(data, text + "\n").encode("utf-8"), exclusive=True)
            commit = repo.commit_files([rel], f"{item_id}: changes requested by {reviewer.email} ({review_id})\n")
    return review_id, commit


def reviews_of(root: Path, item_id: str) -> list[dict[str, object]]:
    """The review records about ``item_id`` (for ``req show`` and the review page), oldest first."""
    from reqctl.review.records import review_files

    return [record for record in review_files(root) if record.get("item") == item_id]
