"""Commits that touched a project's files, with authors, dates, trailers and changed items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from reqctl.gitio.objects import kind_of_path
from reqctl.gitio.repo import GitRepo
from reqctl.locate import find_root
from reqctl.model.config import CONFIG_FILE
from reqctl.model.ids import Kind

_ZERO = "0" * 40
_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%ce%x1f{sig}%x1f%s%x1f%(trailers:only,unfold)%x1f"
# %G? status, %GS signer name, %GF signing key fingerprint, %GP primary key fingerprint (GPG subkeys)
_SIGNED = "%G?%x1f%GS%x1f%GF%x1f%GP"
_UNSIGNED = "N%x1f%x1f%x1f"
_FIELDS = 14  # the fields above plus the raw diff after the last separator


@dataclass(frozen=True, slots=True)
class FileChange:
    """One changed file of a commit: status A/M/D, project path, blob before and after."""

    status: str
    path: str
    old_sha: str | None
    new_sha: str | None


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored: dt.datetime
    committed: dt.datetime
    subject: str
    trailers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    files: tuple[FileChange, ...] = ()
    signature: str = "N"  # git's %G?: G good, U good but untrusted signer, N none, ...
    signer: str = ""  # %GS: the principal or key name git found; a claim, never matched as a name
    committer_email: str = ""
    signing_key: str = ""  # %GF: fingerprint of the signing key (SSH: 'SHA256:...', GPG: hex)
    primary_key: str = ""  # %GP: fingerprint of the GPG primary key of a signing subkey

    @property
    def paths(self) -> tuple[str, ...]:
        """Changed item file paths (project-relative), sorted."""
        return tuple(sorted(f.path for f in self.files if kind_of_path(f.path) is not None))

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    def trailer(self, key: str) -> str | None:
        values = self.trailers.get(key.lower())
        return values[0] if values else None

    def to_json(self) -> dict[str, object]:
        return {
            "sha": self.sha,
            "parents": list(self.parents),
            "author": {"name": self.author_name, "email": self.author_email},
            "authored": self.authored.isoformat(),
            "committed": self.committed.isoformat(),
            "subject": self.subject,
            "trailers": {key: list(values) for key, values in self.trailers.items()},
            "paths": list(self.paths),
        }


def _trailers(text: str) -> Mapping[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            found.setdefault(key.strip().lower(), []).append(value.strip())
    return MappingProxyType({key: tuple(values) for key, values in found.items()})


def _raw_files(repo: GitRepo, tokens: list[str]) -> tuple[FileChange, ...]:
    files = []
    index = 0
    while index + 1 < len(tokens):
        meta, path = tokens[index], tokens[index + 1]
        index += 2
        parts = meta.lstrip(":").split()
        if len(parts) < 5:
            continue
        rel = repo.from_top(path)
        if rel is None:
            continue
        old, new, status = parts[2], parts[3], parts[4][0]
        files.append(
            FileChange(status, rel, None if old == _ZERO else old, None if new == _ZERO else new)
        )
    return tuple(files)


def parse_log(repo: GitRepo, out: str) -> list[CommitInfo]:
    commits = []
    for record in out.split("\x1e")[1:]:
        fields = record.split("\x1f")
        if len(fields) < _FIELDS:
            continue
        (sha, parents, name, email, authored, committed, committer, sig, signer, key, primary, subject,
         trailers, rest) = fields[:_FIELDS]
        tokens = [t.strip("\n") for t in rest.split("\0")]
        tokens = [t for t in tokens if t]
        commits.append(
            CommitInfo(
                sha=sha,
                parents=tuple(parents.split()),
                author_name=name,
                author_email=email,
                authored=dt.datetime.fromisoformat(authored),
                committed=dt.datetime.fromisoformat(committed),
                subject=subject,
                trailers=_trailers(trailers),
                files=_raw_files(repo, tokens),
                signature=sig or "N",
                signer=signer,
                committer_email=committer,
                signing_key=key,
                primary_key=primary,
            )
        )
    return commits


def _when(value: dt.datetime | dt.date | str) -> str:
    if isinstance(value, dt.datetime):
        return str(int(value.timestamp()))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def commits(
    root: Path,
    since: dt.datetime | dt.date | str | None = None,
    until: dt.datetime | dt.date | str | None = None,
    paths: list[str] | None = None,
    *,
    rev: str = "HEAD",
    first_parent: bool = False,
    reverse: bool = False,
    signatures: bool = False,
    merge_diffs: bool = False,
    topo_order: bool = False,
    repo: GitRepo | None = None,
    allowed_signers: Path | None = None,
) -> list[CommitInfo]:
    """Commits reachable from ``rev`` touching ``paths`` (default: item folders, reqctl.yaml).

    ``since``/``until`` compare git's committer date (a naive datetime is local
    time).  Newest first unless ``reverse``.  Merge commits list no files unless
    ``first_parent`` is set, in which case they list what the merge brought in
    relative to the first parent (the main line view).  ``signatures`` asks git
    to verify commit signatures (slower; fills ``signature``, ``signer`` and the key
    fingerprints), with ``allowed_signers`` as git's ``gpg.ssh.allowedSignersFile``
    when given (instead of whatever the user's git configuration names).
    ``merge_diffs`` lists, for merges, the files changed relative to the first
    parent while still walking every commit; ``topo_order`` puts parents
    before children when combined with ``reverse``.
    """
    from reqctl.history.snapshots import open_git

    root = find_root(root)
    repo = repo or open_git(root)
    if not repo.has_commits():
        return []
    sig = _SIGNED if signatures else _UNSIGNED
    args = [
        "log",
        f"--format={_FORMAT.format(sig=sig)}",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
    ]
    if first_parent:
        args += ["--first-parent", "--diff-merges=first-parent"]
    elif merge_diffs:
        args.append("--diff-merges=first-parent")
    if topo_order:
        args.append("--topo-order")
    if reverse:
        args.append("--reverse")
    if since is not None:
        args.append(f"--since={_when(since)}")
    if until is not None:
        args.append(f"--until={_when(until)}")
    wanted = paths if paths is not None else [*(kind.folder + "/" for kind in Kind), CONFIG_FILE]
    args += [repo.resolve(rev), "--", *(repo.project_path(p) for p in wanted)]
    env = None
    if signatures and allowed_signers is not None:
        # Passed through the environment (git >= 2.31) so only this one run sees it, after
        # any entries the caller's environment already passes the same way.
        import os

        count = os.environ.get("GIT_CONFIG_COUNT", "0")
        index = int(count) if count.isdigit() else 0
        env = {
            "GIT_CONFIG_COUNT": str(index + 1),
            f"GIT_CONFIG_KEY_{index}": "gpg.ssh.allowedSignersFile",
            f"GIT_CONFIG_VALUE_{index}": str(allowed_signers),
        }
    return parse_log(repo, repo.text(*args, env=env))
