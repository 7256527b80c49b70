"""``check`` as a use-case, with a whole-result cache for the common "nothing changed" run.

The result is keyed on reqctl's version, the options, today's date, the bytes
of ``reqctl.yaml`` and the stat key of every item file, so any edit, added or
removed file, or new day recomputes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from reqctl import __version__
from reqctl.locate import CONFIG_FILE
from reqctl.store.cache import load_keyed, save_keyed
from reqctl.store.reader import FileEntry, read_all, scan
from reqctl.validation.findings import CheckResult
from reqctl.validation.registry import CheckOptions

if TYPE_CHECKING:
    from reqctl.model.project import Project

_RESULT_CACHE = "check-result.pickle"


def _result_key(root: Path, options: CheckOptions, entries: list[FileEntry]) -> str:
    digest = hashlib.sha256()
    digest.update(repr((__version__, options, options.today or dt.date.today())).encode())
    digest.update((root / CONFIG_FILE).read_bytes())
    for entry in entries:
        digest.update(f"\0{entry.rel}\0{entry.key}".encode())
    return digest.hexdigest()


def check_project(root: Path, options: CheckOptions, *, use_cache: bool = True) -> tuple[Project | None, CheckResult]:
    """Run every rule; the project is None when the result came from the cache.

    ``root`` is the project root (see ``find_root``).  The models and rules are
    imported only on a cache miss: a warm run stays well under half a second.
    """
    entries = scan(root)
    key = _result_key(root, options, entries) if use_cache else ""
    if use_cache:
        cached = load_keyed(root, _RESULT_CACHE, key)
        if isinstance(cached, CheckResult):
            return None, cached
    from reqctl.model.project import Project, load_config
    from reqctl.validation.check import run_checks

    config = load_config(root)
    project = Project(root=root, config=config, files=read_all(root, use_cache=use_cache, entries=entries))
    result = run_checks(project, options)
    if use_cache:
        save_keyed(root, _RESULT_CACHE, key, result)
    return project, result
