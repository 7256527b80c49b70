"""What an edit would break, found before it is saved.

``req edit`` and ``req set`` run the same rules as ``check`` on the project
as it would be after the edit (the one file replaced, every other file as on
disk), so an unknown priority or a dependency cycle is refused before it
lands instead of failing CI later.  Only *new* errors refuse: a project that
already had problems elsewhere can still be edited.  Approval rules are not
refusals here: an edit that invalidates an approval is the "suspect" case,
which the commands ask about or report instead.
"""

from __future__ import annotations

from reqctl.errors import UsageError
from reqctl.model.config import Config
from reqctl.model.fingerprint import normative_content
from reqctl.model.ids import Kind
from reqctl.model.items import Item, Requirement
from reqctl.model.project import Project
from reqctl.store.reader import parse_bytes
from reqctl.store.store import Store
from reqctl.validation.findings import Finding, Severity

# Approval findings an edit causes by design (the requirement becomes suspect); reported, not refused.
APPROVAL_CONSEQUENCES = frozenset({"R010", "R011"})


def _errors(project: Project) -> list[Finding]:
    from reqctl.validation.check import run_checks

    return [f for f in run_checks(project).findings if f.severity is Severity.ERROR]


def new_errors(project: Project, kind: Kind, rel: str, text: str) -> list[Finding]:
    """Errors ``check`` would report once ``rel`` holds ``text`` and did not report before."""
    edited = parse_bytes(kind, rel, text.encode("utf-8"))
    files = [item_file for item_file in project.files if item_file.path != rel] + [edited]
    after = Project(root=project.root, config=project.config, files=files)
    before = {(f.code, f.path, f.message) for f in _errors(project)}
    return [
        f for f in _errors(after)
        if f.code not in APPROVAL_CONSEQUENCES and (f.code, f.path, f.message) not in before
    ]


def refuse_rule_errors(root: Project | Store, kind: Kind, rel: str, text: str) -> None:
    """Raise the first new error as one line (``path:line: R009 …``); pass a full project or a store."""
    project = root.project() if isinstance(root, Store) else root
    errors = new_errors(project, kind, rel, text)
    if errors:
        first = errors[0]
        raise UsageError(f"{first.code} {first.message}", path=first.path or rel, line=first.line)


def changed_normative(old: Item, new: Item) -> list[str]:
    """The normative fields (those an approval fingerprints) whose content differs."""
    before, after = normative_content(old), normative_content(new)
    return [name for name in old.normative if before.get(name) != after.get(name)]


def makes_suspect(old: Item, new: Item, config: Config) -> list[str]:
    """The normative fields changed when ``old`` carries a current approval; [] when no approval goes stale."""
    from reqctl.ops.items import approval_state

    if not isinstance(old, Requirement) or approval_state(old, config) not in ("approved", "partial"):
        return []
    return changed_normative(old, new)
