"""Atomic file replacement: write a temp file beside the target, fsync, rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from reqctl.errors import ReqctlError
from reqctl.messages import lazy, os_reason


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never half.

    With ``exclusive`` the target must not exist yet (used for new items); the
    final step is then a hard link, which fails instead of overwriting.
    """
    directory = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ReqctlError(lazy("cannot write in {folder}: {reason}", folder=str(directory), reason=os_reason(exc)),
                          path=path) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            tmp.chmod(path.stat().st_mode & 0o7777)
        else:
            tmp.chmod(0o666 & ~_umask())
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise ReqctlError("file already exists; not overwriting it", path=path) from None
        else:
            tmp.replace(path)
    except OSError as exc:
        raise ReqctlError(lazy("cannot write file: {reason}", reason=os_reason(exc)), path=path) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
