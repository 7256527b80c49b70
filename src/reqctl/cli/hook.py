"""The pre-commit hook (``.pre-commit-hooks.yaml``): ``reqctl check`` for each project a commit touches.

pre-commit runs hooks from the top of the repository, where a project in a
subfolder has no ``reqctl.yaml``; so the hook finds the projects from the
file names pre-commit passes (the nearest ``reqctl.yaml`` above each file)
and checks each once.  ``-C FOLDER`` in the hook's ``args`` names the
projects instead.  A plain argparse shell: it only dispatches to
``reqctl.cli.main.main``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reqctl.locate import CONFIG_FILE


def project_of(path: Path, top: Path) -> Path | None:
    """The nearest folder at or above ``path`` (never above ``top``) holding reqctl.yaml."""
    top = top.resolve()
    folder = (top / path).resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if candidate != top and top not in candidate.parents:
            return None
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reqctl-check (pre-commit hook)")
    parser.add_argument("-C", dest="folders", action="append", default=[], help="check the project in FOLDER")
    parser.add_argument("files", nargs="*", help="the files pre-commit passes")
    args = parser.parse_args(argv)
    top = Path.cwd()
    projects: list[Path] = [top / folder for folder in args.folders]
    if not projects:
        for name in args.files:
            root = project_of(Path(name), top)
            if root is not None and root not in projects:
                projects.append(root)
    from reqctl.cli.main import main as reqctl_main

    code = 0
    for root in projects:
        if len(projects) > 1:
            print(f"reqctl check: {os.path.relpath(root, top)}", flush=True)
        code = max(code, reqctl_main(["-C", str(root), "check"]))
    return code


if __name__ == "__main__":
    sys.exit(main())
