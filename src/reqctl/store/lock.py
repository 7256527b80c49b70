"""The project lock: serializes every reqctl command that writes an item file.

The lock file lives in the project's state folder (inside git's directory),
never in the working tree, where a checkout could plant a symlink to make
reqctl create or truncate a file elsewhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from reqctl.errors import ReqctlError
from reqctl.messages import lazy, os_reason
from reqctl.store.statedir import ensure_state_dir, state_dir


@contextlib.contextmanager
def project_lock(root: Path) -> Iterator[None]:
    folder = ensure_state_dir(root)
    if folder is None:
        raise ReqctlError(f"cannot create reqctl's state folder {state_dir(root)}")
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(folder / "lock", flags, 0o600)
    except OSError as exc:
        raise ReqctlError(lazy("cannot create the lock file: {reason}", reason=os_reason(exc)),
                          path=folder / "lock") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
