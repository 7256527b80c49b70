"""Personal review links: a random secret per invitation, only its hash kept, outside the working tree.

The link is a bearer credential, so the repository never holds it: a pull
request could otherwise add an invitation for anyone.  The invitations live
in the project's state folder inside git's own directory
(``.git/reqctl/.../review-invitations.json``), written atomically under the
project lock, and hold only the SHA-256 of each secret; the secret itself is
printed once, by ``reqctl review invite``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from reqctl.errors import NotFoundError, PermissionDeniedError, ReqctlError, UsageError
from reqctl.messages import lazy, os_reason
from reqctl.model.config import Config
from reqctl.store.atomic import write_atomic
from reqctl.store.lock import project_lock
from reqctl.store.statedir import ensure_state_dir, state_dir

FILE_NAME = "review-invitations.json"
DEFAULT_BASE_URL = "http://127.0.0.1:8765"
LINK_PATH = "/r/"
_DURATION = re.compile(r"(\d+)([dhm])")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def parse_duration(text: str) -> dt.timedelta:
    """``14d``, ``12h``, ``30m`` → a positive timedelta (at most a year)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or int(match.group(1)) <= 0:
        raise UsageError(lazy("--expires {value}: give a duration like 14d, 12h or 30m", value=text))
    number, unit = int(match.group(1)), match.group(2)
    delta = {"d": dt.timedelta(days=number), "h": dt.timedelta(hours=number), "m": dt.timedelta(minutes=number)}[unit]
    if delta > dt.timedelta(days=366):
        raise UsageError(lazy("--expires {value}: at most 366 days", value=text))
    return delta


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Invitation:
    id: str
    email: str
    roles: tuple[str, ...]
    secret_sha256: str
    created: dt.datetime
    expires: dt.datetime
    revoked: bool = False
    revoked_at: dt.datetime | None = None
    used_at: dt.datetime | None = None  # when the link was exchanged for a session (links are single-use)

    def valid_at(self, when: dt.datetime) -> bool:
        """Not revoked (or revoked only after ``when``), created before and not expired at ``when``."""
        if self.revoked and (self.revoked_at is None or self.revoked_at <= when):
            return False
        return self.created <= when < self.expires

    def open_now(self) -> bool:
        return self.valid_at(now())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["roles"] = list(self.roles)
        for key in ("created", "expires", "revoked_at", "used_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Invitation:
        def when(value: Any) -> dt.datetime | None:
            return dt.datetime.fromisoformat(value) if value else None

        return cls(
            id=str(data["id"]),
            email=str(data["email"]),
            roles=tuple(str(r) for r in data.get("roles", [])),
            secret_sha256=str(data["secret_sha256"]),
            created=dt.datetime.fromisoformat(data["created"]),
            expires=dt.datetime.fromisoformat(data["expires"]),
            revoked=bool(data.get("revoked", False)),
            revoked_at=when(data.get("revoked_at")),
            used_at=when(data.get("used_at")),
        )


def store_path(root: Path) -> Path:
    return state_dir(root) / FILE_NAME


def load(root: Path) -> list[Invitation]:
    """Every invitation ever made for this project (none when the file does not exist)."""
    path = store_path(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ReqctlError(lazy("cannot read the review invitations: {reason}", reason=os_reason(exc)),
                          path=path) from None
    try:
        data = json.loads(raw)
        return [Invitation.from_json(entry) for entry in data.get("invitations", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ReqctlError(lazy("the review invitations file is damaged; delete it and invite again"),
                          path=path) from None


def _save(root: Path, invitations: list[Invitation]) -> None:
    folder = ensure_state_dir(root)
    if folder is None:
        raise ReqctlError(lazy("cannot create reqctl's state folder {path}", path=str(state_dir(root))))
    data = {"version": 1, "invitations": [inv.to_json() for inv in invitations]}
    write_atomic(folder / FILE_NAME, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
    (folder / FILE_NAME).chmod(0o600)


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    link: str
    recorded: str | None = None  # the commit that put its ledger entry in git (None without a recorder)


def invite(
    root: Path, config: Config, email: str, *, expires: str = "14d", base_url: str = DEFAULT_BASE_URL
) -> NewInvitation:
    """A new invitation for someone holding a role; the link (with the secret) is returned once, never stored."""
    person = email.strip()
    roles = tuple(config.roles_of(person))
    if not roles:
        raise PermissionDeniedError(
            lazy("{person} holds no role in reqctl.yaml; add them under roles first", person=person))
    lifetime = parse_duration(expires)
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base_url):
        raise UsageError(lazy("--base-url {url}: give an http(s) URL such as https://review.example.com", url=base_url))
    secret = secrets.token_urlsafe(32)  # 256 bits
    created = now()
    with _ledger_writing(root, config) as commit_ledger:
        existing = load(root)
        invitation = Invitation(
            id=f"INV-{secrets.token_hex(6)}",
            email=person,
            roles=roles,
            secret_sha256=secret_hash(secret),
            created=created,
            expires=created + lifetime,
        )
        recorded = _save_then(root, existing, [*existing, invitation],
                   lambda: commit_ledger([invitation], f"review: invite {person} ({invitation.id})\n"))
    return NewInvitation(invitation, f"{base_url.rstrip('/')}{LINK_PATH}{secret}",
                         recorded if isinstance(recorded, str) else None)


LedgerCommit = Callable[[list[Invitation], str], object]


@contextlib.contextmanager
def _ledger_writing(root: Path, config: Config) -> Iterator[LedgerCommit]:
    """Hold the project lock; yield a function committing ledger entries as the recorder on the main line.

    Without ``review.recorder`` there is no ledger (the server cannot run
    either): the function does nothing, as before.
    """
    if not config.review.recorder:
        with project_lock(root):
            yield lambda _invitations, _message: None
        return
    from reqctl.gitio.repo import COMMIT_AS
    from reqctl.ops.writeguard import project_write
    from reqctl.review import ledger
    from reqctl.review.actions import on_main_line

    token = COMMIT_AS.set(ledger.recorder_identity(config))
    try:
        # on_main_line locks root when it uses a worktree; project_write locks the root it writes in.
        with on_main_line(root) as target, project_write(target) as project_root:
            yield lambda invitations, message: ledger.commit_entries(project_root, invitations, message)
    finally:
        COMMIT_AS.reset(token)


def _save_then(
    root: Path, before: list[Invitation], after: list[Invitation], commit: Callable[[], object]
) -> object:
    """Save ``after``, then commit the ledger; when the commit fails the state file says ``before`` again."""
    _save(root, after)
    try:
        return commit()
    except BaseException:
        _save(root, before)
        raise


def open_invitations(root: Path) -> list[Invitation]:
    return [inv for inv in load(root) if inv.open_now()]


def revoke(root: Path, email: str, config: Config | None = None) -> list[Invitation]:
    """End every open invitation of ``email`` at once (sessions opened with them end too).

    With ``config`` naming a recorder, the revocation is committed to the ledger as well.
    """
    wanted = email.strip().lower()
    when = now()
    writing = _ledger_writing(root, config) if config is not None else _no_ledger(root)
    with writing as commit_ledger:
        invitations = load(root)
        ended = [inv for inv in invitations if inv.email.lower() == wanted and inv.valid_at(when)]
        if not ended:
            raise NotFoundError(lazy("{email} has no open review invitation", email=email.strip()))
        ids = {inv.id for inv in ended}
        after = [replace(inv, revoked=True, revoked_at=when) if inv.id in ids else inv for inv in invitations]
        revoked = [inv for inv in after if inv.id in ids]
        message = f"review: revoke {', '.join(sorted(ids))} of {ended[0].email}\n"
        _save(root, after)  # in force at once, whatever happens to the ledger commit
        try:
            commit_ledger(revoked, message)
        except ReqctlError as exc:
            raise ReqctlError(lazy(
                "revoked {ids} (the links and their sessions no longer work), but the "
                "revocation is not in the ledger: {problem}", ids=", ".join(sorted(ids)), problem=exc.message,
            )) from None
    return ended


@contextlib.contextmanager
def _no_ledger(root: Path) -> Iterator[LedgerCommit]:
    with project_lock(root):
        yield lambda _invitations, _message: None


def find_by_id(root: Path, invitation_id: str) -> Invitation | None:
    return next((inv for inv in load(root) if inv.id == invitation_id), None)


def _matching(invitations: list[Invitation], secret: str) -> Iterator[Invitation]:
    digest = secret_hash(secret)
    for inv in invitations:
        if hmac.compare_digest(inv.secret_sha256, digest):
            yield inv


def redeem(root: Path, secret: str) -> Invitation:
    """Exchange a link's secret for its invitation, once: forged, revoked, expired or used links are refused."""
    if not secret or len(secret) > 200:
        raise PermissionDeniedError(lazy("this review link is not valid"))
    when = now()
    with project_lock(root):
        invitations = load(root)
        found = next(_matching(invitations, secret), None)
        if found is None:
            raise PermissionDeniedError(lazy("this review link is not valid"))
        if found.revoked:
            raise PermissionDeniedError(
                lazy("this review link was revoked; ask the project manager for a new one"))
        if not found.valid_at(when):
            raise PermissionDeniedError(
                lazy("this review link has expired; ask the project manager for a new one"))
        if found.used_at is not None:
            raise PermissionDeniedError(
                lazy("this review link was already used; ask the project manager for a new one"))
        used = replace(found, used_at=when)
        _save(root, [used if inv.id == found.id else inv for inv in invitations])
    return used
