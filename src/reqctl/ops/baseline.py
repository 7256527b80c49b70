"""Baselines: annotated git tags that record a checked, approved state of the project."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reqctl.errors import GitError, ReqctlError, UsageError
from reqctl.history.snapshots import open_git
from reqctl.messages import lazy
from reqctl.model.config import CONFIG_FILE
from reqctl.model.ids import Kind
from reqctl.ops.changes import ITEM_FOLDERS, require_clean
from reqctl.ops.writeguard import project_writer
from reqctl.store.store import Store
from reqctl.validation.check import run_checks

MARKER = "Reqctl-Baseline"


class BaselineRefused(ReqctlError):
    """``check`` fails, so the state cannot become a baseline."""


@dataclass(frozen=True)
class Baseline:
    name: str
    commit: str
    counts: dict[str, int]
    statuses: dict[str, int]
    warnings: int = 0
    message: str = ""
    annotation: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "commit": self.commit,
            "counts": self.counts,
            "requirement_statuses": self.statuses,
            "warnings": self.warnings,
            "message": self.message,
        }


@project_writer()  # no write lands between the check and the tag; no identity, no half-done tag
def create_baseline(root: Path, name: str, message: str = "") -> Baseline:
    project = Store.open(root).project()
    repo = open_git(project.root)
    if not repo.has_commits():
        raise GitError(lazy("the repository has no commit yet; commit your items first"))
    try:
        repo.run("check-ref-format", f"refs/tags/{name}")
    except GitError:
        raise UsageError(lazy("'{name}' is not a valid tag name", name=name)) from None
    if repo.try_resolve(f"refs/tags/{name}") is not None:
        raise UsageError(lazy("a tag named {name} already exists", name=name))
    require_clean(repo, lazy("create a baseline"), [*ITEM_FOLDERS, CONFIG_FILE])
    result = run_checks(project)
    if result.errors:
        raise BaselineRefused(lazy(
            "check found {n} error(s); fix them (run 'reqctl check') before creating a baseline", n=result.errors
        ))
    counts = {kind.value: sum(1 for _ in project.of_kind(kind)) for kind in Kind}
    counts = {kind: n for kind, n in counts.items() if n}
    statuses = dict(
        sorted(Counter(str(getattr(item, "status", "")) for item in project.of_kind(Kind.REQUIREMENT)).items())
    )
    lines = [f"Baseline {name}", ""]
    if message.strip():
        lines += [message.strip(), ""]
    lines += [f"{kind}: {n}" for kind, n in counts.items()]
    lines.append("requirement statuses: " + ", ".join(f"{s} {n}" for s, n in statuses.items()))
    lines.append(f"check: passed (0 errors, {result.warnings} warnings)")
    lines += ["", f"{MARKER}: {name}"]
    annotation = "\n".join(lines) + "\n"
    repo.create_tag(name, annotation)
    return Baseline(
        name, repo.resolve(f"refs/tags/{name}"), counts, statuses, result.warnings, message.strip(), annotation
    )


def list_baselines(root: Path) -> list[Baseline]:
    project = Store.open(root).project()
    repo = open_git(project.root)
    found = []
    for name, sha, contents in repo.tags():
        if f"{MARKER}:" not in contents:
            continue
        # Paragraphs: subject, the optional message, the recorded figures, the marker.
        paragraphs = [p.strip() for p in contents.strip().split("\n\n")]
        text = paragraphs[1] if len(paragraphs) >= 4 else ""
        counts: dict[str, int] = {}
        for line in paragraphs[-2].splitlines() if len(paragraphs) >= 3 else []:
            key, _, value = line.partition(": ")
            if value.isdigit():
                counts[key] = int(value)
        found.append(Baseline(name, sha, counts, {}, 0, text, contents))
    return found
