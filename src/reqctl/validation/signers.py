"""Who may sign an approval: keys bound to exactly one e-mail address.

Two sources, both read from the policy (the lead's ``check --base`` feeds them
from the protected base revision, never from the branch under review):

- an allowed-signers file in git's ``gpg.ssh.allowedSignersFile`` format
  (``check.allowed_signers``), parsed from its bytes by ``parse_allowed_signers``;
- key fingerprints per person in ``reqctl.yaml`` (``check.signers``).

A key counts for a person only when a line names exactly that e-mail as a
principal (case-insensitive).  Wildcard principals, negations and
certificate authorities bind no one here: a signer's name that merely
*contains* an address proves nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reqctl.errors import ConfigError
from reqctl.messages import lazy, os_reason
from reqctl.model.config import CONFIG_FILE, Config

_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
MAX_FILE = 1_000_000


def ssh_fingerprint(blob_b64: str) -> str | None:
    """``ssh-keygen -lf``'s SHA256 fingerprint of a base64 public key blob (None when not base64)."""
    try:
        blob = base64.b64decode(blob_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def _normal(key: str) -> str:
    """Fingerprints compare exactly; GPG hex ones case-insensitively."""
    return key if key.startswith("SHA256:") else key.upper()


def parse_allowed_signers(data: bytes, source: str = ".reqctl-signers") -> dict[str, frozenset[str]]:
    """e-mail (lower case) -> fingerprints of the keys an allowed-signers file binds to it.

    Lines: ``principals [options] keytype base64key [comment]``.  Lines this
    check cannot honour exactly (wildcards, ``cert-authority``, a
    ``namespaces`` list without ``git``) bind nobody; an unreadable line is a
    configuration error naming it.
    """
    if len(data) > MAX_FILE:
        raise ConfigError(lazy("allowed signers file is larger than 1 MB"), path=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(lazy("allowed signers file is not UTF-8 text"), path=source) from None
    found: dict[str, set[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            tokens = _split(line, comma=False)
        except ValueError:
            raise ConfigError(lazy("unbalanced quotes"), path=source, line=number) from None
        if len(tokens) < 3:
            raise ConfigError(lazy("expected 'principals [options] keytype key'"), path=source, line=number)
        principals, rest = tokens[0], tokens[1:]
        options = ""
        if rest[0] not in _KEY_TYPES:
            options, rest = rest[0], rest[1:]
        if len(rest) < 2 or rest[0] not in _KEY_TYPES:
            raise ConfigError(lazy("unknown key type '{type}'", type=rest[0] if rest else ""), path=source, line=number)
        fingerprint = ssh_fingerprint(rest[1])
        if fingerprint is None:
            raise ConfigError(lazy("the key is not base64"), path=source, line=number)
        if not _binds_git(options):
            continue
        for principal in principals.replace('"', "").split(","):
            email = principal.strip().lower()
            if not email or any(ch in email for ch in "*?!") or "@" not in email:
                continue  # patterns and bare names bind no one exactly
            found.setdefault(email, set()).add(fingerprint)
    return {email: frozenset(keys) for email, keys in found.items()}


def _split(text: str, *, comma: bool) -> list[str]:
    """Split on blanks (or commas) outside double quotes, as ssh-keygen reads the file; quotes are kept."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and (char == "," if comma else char.isspace()):
            if current:
                parts.append("".join(current))
            current = []
            continue
        current.append(char)
    if quoted:
        raise ValueError("unbalanced quotes")
    if current:
        parts.append("".join(current))
    return parts


def _binds_git(options: str) -> bool:
    names = {}
    for option in _split(options, comma=True) if options else []:
        key, _, value = option.partition("=")
        names[key.strip().lower()] = value.strip().strip('"')
    if "cert-authority" in names:
        return False
    namespaces = names.get("namespaces")
    return namespaces is None or "git" in [n.strip() for n in namespaces.split(",")]


@dataclass(frozen=True)
class Signers:
    """The keys that may sign for each person, and the file git verifies SSH signatures with."""

    from_file: Mapping[str, frozenset[str]] = field(default_factory=dict)
    pinned: Mapping[str, frozenset[str]] = field(default_factory=dict)
    file_bytes: bytes | None = None

    @property
    def empty(self) -> bool:
        return not self.from_file and not self.pinned

    def binds(self, email: str, status: str, keys: tuple[str, ...]) -> bool:
        """Whether a signature (git's ``%G?`` and key fingerprints) is by a key bound to ``email``.

        A key from the allowed-signers file needs ``G``: git checked it
        against that same file.  A fingerprint pinned in ``reqctl.yaml`` is
        the trust anchor itself, so ``U`` (a cryptographically good signature
        by a key git does not otherwise trust) suffices for it.
        """
        wanted = email.strip().lower()
        given = {_normal(k) for k in keys if k}
        if status == "G" and given & {_normal(k) for k in self.from_file.get(wanted, ())}:
            return True
        return status in ("G", "U") and bool(given & {_normal(k) for k in self.pinned.get(wanted, ())})


def signers_from(config: Config, file_bytes: bytes | None) -> Signers:
    """Signers from a policy: ``file_bytes`` is the allowed-signers file's content (None: none)."""
    source = config.check.allowed_signers or CONFIG_FILE
    from_file = parse_allowed_signers(file_bytes, source) if file_bytes is not None else {}
    pinned = {email.strip().lower(): frozenset(keys) for email, keys in config.check.signers.items()}
    return Signers(from_file, pinned, file_bytes)


def read_signers_file(root: Path, config: Config) -> bytes | None:
    """The working tree's ``check.allowed_signers`` file; refused when it is a symlink or outside the project."""
    rel = config.check.allowed_signers
    if rel is None:
        return None
    path = root / rel
    if path.is_symlink():
        raise ConfigError("check.allowed_signers is a symlink; reqctl does not follow it", path=rel)
    try:
        resolved = path.resolve(strict=True)
    except OSError:
        raise ConfigError("check.allowed_signers: no such file", path=rel) from None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        raise ConfigError("check.allowed_signers must be a file inside the project", path=rel)
    try:
        return resolved.read_bytes()
    except OSError as exc:
        raise ConfigError(lazy("cannot read: {reason}", reason=os_reason(exc)), path=rel) from None
