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
from reqctl.messages import lazy
from reqctl.model.config import Config
from reqctl.model.fingerprint import normative_content
from reqctl.model.items import MODELS, Item, Requirement
from reqctl.model.project import FieldProblem, Project, validate_item
from reqctl.store.reader import ItemFile, parse_bytes
from reqctl.store.store import Store
from reqctl.validation.findings import Finding, Severity
from reqctl.validation.registry import Rule

# Approval findings an edit causes by design (the requirement becomes suspect); reported, not refused.
APPROVAL_CONSEQUENCES = frozenset({"R010", "R011"})


def _errors(project: Project, rules: tuple[Rule, ...]) -> list[Finding]:
    from reqctl.validation.check import run_checks

    return [f for f in run_checks(project, rules=rules).findings if f.severity is Severity.ERROR]


def _new(before: Project, after: Project, rules: tuple[Rule, ...]) -> list[Finding]:
    old = {(f.code, f.path, f.message) for f in _errors(before, rules)}
    return [
        f for f in _errors(after, rules)
        if f.code not in APPROVAL_CONSEQUENCES and (f.code, f.path, f.message) not in old
    ]


def _links(item_file: ItemFile) -> tuple[object, ...]:
    data = item_file.data or {}
    return tuple(data.get(name) for name in ("id", *MODELS[item_file.kind].reference_fields()))


def new_errors(store: Store, old: ItemFile, text: str) -> list[Finding]:
    """Errors ``check`` would report once ``old``'s file holds ``text`` and did not report before.

    Rules that look at one file run on that file alone.  The cross-file
    rules (references, cycles, duplicates) need the rest of the project only
    when the edit changes the item's ID or links; otherwise they run on the
    file alone too and cannot find anything new.  So most edits stay instant
    on projects with thousands of items.
    """
    from reqctl.validation.rules import RULES

    edited = parse_bytes(old.kind, old.path, text.encode("utf-8"))
    config = store.config()
    alone_before = Project(root=store.root, config=config, files=[old])
    alone_after = Project(root=store.root, config=config, files=[edited])
    if _links(old) == _links(edited):
        return _new(alone_before, alone_after, RULES)
    cross = tuple(r for r in RULES if r.cross_file)
    errors = _new(alone_before, alone_after, tuple(r for r in RULES if not r.cross_file))
    full = store.project()

    def known(item_file: ItemFile) -> tuple[Item | None, list[FieldProblem]]:
        if item_file.path == old.path:
            return validate_item(item_file)
        return full.models.get(item_file.path), full.problems.get(item_file.path, [])

    files = [item_file for item_file in full.files if item_file.path != old.path] + [edited]
    after = Project(root=store.root, config=config, files=files, validate=known)
    return errors + _new(full, after, cross)


def refuse_rule_errors(store: Store, old: ItemFile, text: str) -> None:
    """Raise the first new error as one line (``path:line: R009 …``)."""
    errors = new_errors(store, old, text)
    if errors:
        first = errors[0]
        raise UsageError(lazy("{code} {message}", code=first.code, message=first.message),
                         path=first.path or old.path, line=first.line)


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
