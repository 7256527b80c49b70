"""Reading the files an import is given: size-capped, decoded as UTF-8, one clear error each."""

from __future__ import annotations

import os
from pathlib import Path

from reqctl.errors import UsageError
from reqctl.messages import lazy, os_reason


def read_capped(path: Path, limit: int, where: Path | str, *, follow: bool = True) -> bytes:
    """At most ``limit`` bytes of ``path``; a larger file is refused (``where`` names it in errors).

    ``follow=False`` refuses a symbolic link (files found by walking a tree,
    as opposed to the file the user named).
    """
    flags = os.O_RDONLY | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UsageError(lazy("cannot read file: {error}", error=os_reason(exc)), path=where) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(lazy("cannot read file: {error}", error=os_reason(exc)), path=where) from None
    if len(raw) > limit:
        raise UsageError(lazy("file larger than {size} MB", size=limit // (1024 * 1024)), path=where)
    return raw


def decode_utf8(raw: bytes, where: Path | str) -> str:
    """The text of ``raw`` (a UTF-8 BOM is dropped); ``UsageError`` naming the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(lazy("not UTF-8 (byte {byte})", byte=exc.start), path=where) from None
