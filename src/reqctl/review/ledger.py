"""The invitation ledger in git: what CI needs to verify a review-link approval, without the secret.

The secrets' hashes stay in the server's state folder (``invitations.py``);
a fresh clone, such as a CI runner, has no state folder.  So ``review
invite`` and ``review revoke`` also write ``reviews/invitations/INV-….yaml``
(id, e-mail, roles, issued, expires, revoked-at — never the secret or its
hash) and commit it with the review recorder as author and committer, on the
main line, signed when the server's git configuration signs.

A pull request can add or edit such a file, so the file alone proves
nothing: ``entry_problem`` trusts an entry only as the recorder's own
commits wrote it (``verify``).  A commit by anyone else that adds or changes
it makes the entry fail; a merge may only bring in a version the recorder
wrote; and a revocation, once the recorder committed it, stays (the earliest
recorded ``revoked-at`` counts, so a later revert does not lift it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reqctl.errors import ConfigError, ReqctlError
from reqctl.messages import Word, lazy

if TYPE_CHECKING:
    from reqctl.history.log import CommitInfo
    from reqctl.model.config import Config
    from reqctl.review.invitations import Invitation
    from reqctl.validation.signers import Signers

FOLDER = "reviews/invitations"
HEADER = (
    "# Written by 'reqctl review invite/revoke' and committed by the review recorder; "
    "edits by anyone else make it void.\n"
)


def rel_path(invitation_id: str) -> str:
    return f"{FOLDER}/{invitation_id}.yaml"


def _when(value: dt.datetime | None) -> str:
    return json.dumps(value.isoformat() if value is not None else None)


def render(invitation: Invitation) -> bytes:
    """The entry's bytes: the same invitation always gives the same file (so the same git blob)."""
    lines = [
        HEADER,
        f"id: {json.dumps(invitation.id)}\n",
        f"email: {json.dumps(invitation.email)}\n",
        f"roles: {json.dumps(list(invitation.roles))}\n",
        f"issued: {_when(invitation.created)}\n",
        f"expires: {_when(invitation.expires)}\n",
        f"revoked-at: {_when(invitation.revoked_at if invitation.revoked else None)}\n",
    ]
    return "".join(lines).encode("utf-8")


@dataclass(frozen=True)
class Entry:
    id: str
    email: str
    roles: tuple[str, ...]
    issued: dt.datetime
    expires: dt.datetime
    revoked_at: dt.datetime | None

    def valid_at(self, when: dt.datetime, revoked_at: dt.datetime | None) -> bool:
        if revoked_at is not None and revoked_at <= when:
            return False
        return self.issued <= when < self.expires


def parse(data: bytes) -> Entry | None:
    """An entry from a file's bytes; None for anything that is not one (never an exception)."""
    import yaml

    try:
        raw: Any = yaml.safe_load(data.decode("utf-8"))
        if not isinstance(raw, dict):
            return None

        def when(value: Any) -> dt.datetime | None:
            if value is None:
                return None
            moment = dt.datetime.fromisoformat(str(value))
            if moment.tzinfo is None:
                raise ValueError("no time zone")
            return moment

        issued, expires = when(raw["issued"]), when(raw["expires"])
        if issued is None or expires is None or not isinstance(raw["roles"], list):
            return None
        return Entry(str(raw["id"]), str(raw["email"]), tuple(str(r) for r in raw["roles"]), issued, expires,
                     when(raw.get("revoked-at")))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, yaml.YAMLError):
        return None


# ------------------------------------------------------------------ write ----


def recorder_identity(config: Config) -> Any:
    """Author and committer both the recorder: the ledger is the server's word, not the customer's."""
    from reqctl.gitio.repo import CommitAs

    recorder = config.review.recorder
    if not recorder:
        raise ConfigError(lazy("set {setting} in reqctl.yaml: the identity the server commits as",
                                setting="review: {recorder: EMAIL}"))
    return CommitAs(config.review.recorder_name, recorder, config.review.recorder_name, recorder)


def commit_entries(project_root: Path, invitations: Iterable[Invitation], message: str) -> str | None:
    """Write these entries and commit them (the caller holds the lock and sets ``COMMIT_AS``).

    Returns the commit, or None when every file already says exactly this.
    On failure every file and git's index are as they were.
    """
    from reqctl.errors import GitError
    from reqctl.history.snapshots import open_git
    from reqctl.ops.writeguard import restored_on_failure
    from reqctl.store.atomic import write_atomic

    repo = open_git(project_root)
    if repo.current_branch() is None:
        raise GitError(lazy("the project's checkout is on a detached HEAD; switch to a branch first"))
    folder = project_root / FOLDER
    for part in (project_root / "reviews", folder):
        if part.is_symlink():
            raise ReqctlError(lazy("{path} is a symbolic link; not writing through it",
                                   path=part.relative_to(project_root).as_posix()))
    wanted = {rel_path(inv.id): render(inv) for inv in invitations}
    changed = []
    for rel, data in wanted.items():
        path = project_root / rel
        if path.is_symlink():
            raise ReqctlError(lazy("{path} is a symbolic link; not writing through it", path=rel))
        if not path.is_file() or path.read_bytes() != data or repo.dirty_paths([rel]):
            changed.append(rel)
    if not changed:
        return None
    with restored_on_failure(project_root, changed, repo):
        folder.mkdir(parents=True, exist_ok=True)
        for rel in changed:
            write_atomic(project_root / rel, wanted[rel])
        return repo.commit_files(changed, message)


# ----------------------------------------------------------------- verify ----


@dataclass
class _History:
    recorder_blobs: dict[str, set[str]]  # path -> blobs the recorder's own commits wrote
    foreign: dict[str, CommitInfo]  # path -> the first commit by someone else that changed it
    first_blob: dict[str, str]  # path -> the blob the recorder's first commit of it wrote


class Ledger:
    """The ledger's history, read once per check, answering for each invitation id."""

    def __init__(self, root: Path, config: Config, signers: Signers | None, signers_file: Path | None,
                 revs: Iterable[str] = ("HEAD",)) -> None:
        from reqctl.history.log import commits
        from reqctl.history.snapshots import open_git

        self._config = config
        self._repo = open_git(root)
        recorder = (config.review.recorder or "").strip().lower()
        seen: dict[str, CommitInfo] = {}
        for rev in dict.fromkeys(revs):
            if self._repo.try_resolve(rev) is None:
                continue
            for commit in commits(root, paths=[FOLDER + "/"], rev=rev, reverse=True, topo_order=True,
                                  merge_diffs=True, signatures=signers is not None, repo=self._repo,
                                  allowed_signers=signers_file):
                seen.setdefault(commit.sha, commit)
        history = _History({}, {}, {})
        merges: list[CommitInfo] = []
        for commit in seen.values():
            if commit.is_merge:
                merges.append(commit)
                continue
            by_recorder = bool(recorder) and _is(commit, recorder, signers)
            for change in commit.files:
                if not change.path.startswith(FOLDER + "/"):
                    continue
                if by_recorder:
                    if change.new_sha:
                        history.recorder_blobs.setdefault(change.path, set()).add(change.new_sha)
                        if change.status == "A":
                            history.first_blob.setdefault(change.path, change.new_sha)
                else:
                    history.foreign.setdefault(change.path, commit)
        for commit in merges:  # a merge may only bring in what the recorder wrote (or drop the file)
            for change in commit.files:
                if change.new_sha and change.new_sha not in history.recorder_blobs.get(change.path, set()):
                    history.foreign.setdefault(change.path, commit)
        self._history = history
        self._signed = signers is not None

    def problem(self, invitation_id: str, by: str, role: str, when: dt.datetime | None) -> str:
        """Why the ledger does not vouch for ``invitation_id`` for ``by`` in ``role`` at ``when`` ("" if it does)."""
        recorder = self._config.review.recorder
        rel = rel_path(invitation_id)
        history = self._history
        if "/" in invitation_id or rel not in history.recorder_blobs:
            foreign = history.foreign.get(rel)
            if foreign is not None:
                return lazy("{path} was written in commit {commit} by {author}, not by the review recorder {recorder}",
                            path=rel, commit=foreign.sha[:10], author=foreign.author_email, recorder=recorder)
            return lazy("invitation {id} is not in the ledger ({folder}/) nor known here", id=invitation_id,
                        folder=FOLDER)
        foreign = history.foreign.get(rel)
        if foreign is not None:
            facts = {"path": rel, "commit": foreign.sha[:10], "author": foreign.author_email,
                     "committer": foreign.committer_email, "recorder": recorder}
            if self._signed:
                return lazy("{path} was changed in commit {commit} (authored by {author}, committed by {committer}), "
                            "not by the review recorder {recorder} and signed by its key", **facts)
            return lazy("{path} was changed in commit {commit} (authored by {author}, committed by {committer}), "
                        "not by the review recorder {recorder}", **facts)
        blobs = self._repo.cat_blobs(sorted(history.recorder_blobs[rel]))
        entries = [e for e in (parse(b) for b in blobs.values()) if e is not None]
        first_sha = history.first_blob.get(rel)
        first = parse(blobs[first_sha]) if first_sha in blobs else None
        if first is None or first.id != invitation_id:
            return lazy("{path} is not a valid ledger entry for {id}", path=rel, id=invitation_id)
        if any((e.id, e.email, e.roles, e.issued, e.expires) != (first.id, first.email, first.roles, first.issued,
                                                                 first.expires) for e in entries):
            return lazy("{path} was rewritten after it was issued", path=rel)
        revoked = min((e.revoked_at for e in entries if e.revoked_at is not None), default=None)
        if first.email.strip().lower() != by.strip().lower():
            return lazy("invitation {id} was made for {email}", id=invitation_id, email=first.email)
        if role not in first.roles:
            return lazy("invitation {id} does not cover the role {role}", id=invitation_id, role=Word(role))
        if when is None or not first.valid_at(when, revoked):
            return lazy("invitation {id} was not valid (revoked or expired) when the commit was made",
                        id=invitation_id)
        return ""


def _is(commit: CommitInfo, email: str, signers: Signers | None) -> bool:
    if commit.author_email.strip().lower() != email or commit.committer_email.strip().lower() != email:
        return False
    return signers is None or signers.binds(email, commit.signature, (commit.signing_key, commit.primary_key))
