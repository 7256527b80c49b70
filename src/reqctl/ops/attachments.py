"""Images and attachments an item body references by a relative path (``![](../attachments/login.png)``).

Item bodies come from pull requests, so a reference is a path chosen by
whoever wrote the file. A reference is used only when it names a regular
file inside the project, reached without any symbolic link, in no hidden
folder (``.git``, ``.reqctl``), tracked by git (when the project is in a
repository), and no larger than ``MAX_BYTES``; the copy in
the site is written under ``files/`` at the same project-relative path (the
caller checks that it lands inside the output folder). Anything else is left
in the body as plain text, with a warning.
"""

from __future__ import annotations

import base64
import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from reqctl.messages import Message, lazy, os_reason

MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}  # no SVG: it can carry scripts
SITE_FOLDER = "files"
# An inline link or image: [text](target "title") / ![alt](<target>)
_LINK = re.compile(r"(!?)\[((?:[^\[\]\\\n]|\\.)*)\]\(\s*(<[^<>\n]*>|[^\s()<>]+)(\s+\"[^\"\n]*\")?\s*\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|()!])")


@dataclass
class Attachments:
    """What publishing found: the files to copy (project-relative path → bytes) and warnings."""

    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class Refused(Exception):
    """A reference that is not used; the message says why (a lazy message, shown in the run's language)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def _is_local(target: str) -> bool:
    """A relative path: no scheme, not absolute, not only an anchor; other items' ``.md`` files are links."""
    if not target or target.startswith(("#", "/", "\\")) or _SCHEME.match(target):
        return False
    return not target.split("#", 1)[0].split("?", 1)[0].endswith(".md")


def project_path(item_rel: str, target: str) -> str:
    """The project-relative path a reference in ``item_rel`` names; ``Refused`` when it leaves the project."""
    raw = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not raw or "\\" in raw or "\0" in raw or raw.startswith("/"):
        raise Refused(lazy("not a relative path inside the project"))
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(item_rel), raw))
    parts = joined.split("/")
    if joined.startswith("/") or ".." in parts or joined == ".":
        raise Refused(lazy("outside the project"))
    if any(part.startswith(".") for part in parts):
        raise Refused(lazy("in a hidden folder"))
    return joined


def read_attachment(root: Path, rel: str) -> bytes:
    """The bytes of ``root/rel``: a regular file, no symbolic link on the way, at most ``MAX_BYTES``.

    Like ``store.reader.read_no_follow`` (``O_NOFOLLOW``), plus a check of every
    folder on the way, ``O_NONBLOCK`` (a FIFO swapped in cannot hang the
    build), ``fstat`` on the opened file and a bounded read.
    """
    current = root
    for part in rel.split("/"):
        current = current / part
        try:
            info = current.lstat()
        except OSError:
            raise Refused(lazy("no such file")) from None
        if stat.S_ISLNK(info.st_mode):
            raise Refused(lazy("is a symbolic link (links are never followed)"))
    real_root = Path(os.path.realpath(root))
    if not Path(os.path.realpath(current)).is_relative_to(real_root):
        raise Refused(lazy("outside the project"))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not stat.S_ISREG(info.st_mode):
        raise Refused(lazy("not a regular file"))
    if not _committable(root, rel):
        raise Refused(lazy("is not tracked by git ('git add' it)"))
    try:
        fd = os.open(current, flags)
    except OSError as exc:
        raise Refused(lazy("cannot be read ({reason})", reason=os_reason(exc))) from None
    info = os.fstat(fd)  # what was opened, in case the path changed since lstat
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise Refused(lazy("not a regular file"))
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAX_BYTES:
            raise Refused(lazy("larger than {mb} MB", mb=MAX_BYTES // (1024 * 1024)))
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Refused(lazy("larger than {mb} MB", mb=MAX_BYTES // (1024 * 1024)))
    return data


def _committable(root: Path, rel: str) -> bool:
    """In a git repository only tracked files are used: a pull request cannot make CI publish an
    untracked local file (credentials, build output) by naming it. Outside git every file may be."""
    import subprocess

    from reqctl.gitio.repo import open_repo

    if open_repo(root) is None:
        return True
    try:
        proc = subprocess.run(["git", "ls-files", "-z", "--", rel], cwd=root, capture_output=True, check=False,
                              timeout=30, env={**os.environ, "GIT_LITERAL_PATHSPECS": "1"})
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and rel.encode("utf-8", "surrogateescape") in proc.stdout.split(b"\0")


def _as_text(bang: str, text: str, target: str) -> str:
    shown = target[1:-1] if target.startswith("<") else target
    label = f"{text} " if text else ""
    escaped = _MD_SPECIAL.sub(r"\\\1", shown)
    return f"{label}({escaped})"


def rewrite_body(root: Path, item_rel: str, body: str, found: Attachments, *, inline: bool,
                 prefix: str = f"../{SITE_FOLDER}/") -> str:
    """``body`` with each usable local reference pointing at its copy (``prefix`` + path) or, with
    ``inline``, an image embedded as a ``data:`` URI; refused references become plain text."""

    def replace(match: re.Match[str]) -> str:
        bang, text, target, title = match.group(1), match.group(2), match.group(3), match.group(4) or ""
        bare = target[1:-1] if target.startswith("<") else target
        if not _is_local(bare):
            return match.group(0)
        try:
            rel = project_path(item_rel, bare)
            data = found.files.get(rel)
            if data is None:
                data = read_attachment(root, rel)
            kind = IMAGE_TYPES.get(posixpath.splitext(rel)[1].lower())
            if inline:
                if kind is None:
                    raise Refused(lazy("is not an image and cannot be embedded in one HTML file; publish the site"))
                url = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
            else:
                url = prefix + quote(rel)
            found.files[rel] = data
        except Refused as why:
            found.warnings.append(lazy("{file}: {target}: {why}; left as text", file=item_rel, target=bare,
                                       why=why.message))
            return _as_text(bang, text, target)
        return f"{bang}[{text}]({url}{title})"

    return _LINK.sub(replace, body)


def rewrite_context(root: Path, context: Any, found: Attachments, *, inline: bool) -> Any:
    """Every row in a report context that has a ``body`` and a ``path`` gets its references rewritten.

    Rows, not items: an item's body is part of its approval fingerprint, so the
    items themselves stay exactly as read.
    """
    if isinstance(context, list):
        return [rewrite_context(root, value, found, inline=inline) for value in context]
    if not isinstance(context, dict):
        return context
    rewritten = {key: rewrite_context(root, value, found, inline=inline) for key, value in context.items()}
    body, path = context.get("body"), context.get("path")
    if isinstance(body, str) and isinstance(path, str) and "](" in body:
        rewritten["body"] = rewrite_body(root, path, body, found, inline=inline)
    return rewritten
