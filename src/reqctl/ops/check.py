"""``check`` as a use-case: every rule, the merge gate, and an incremental result cache.

The last result is kept in the cache database with the stat key and the
"facts" of every file (what other files' findings depend on: ID, kind,
references, milestone, key lines).  The next run compares stat keys:

- nothing changed: the stored findings are the answer (no model is imported);
- some files changed but none of their facts, and no change request did:
  only those files are parsed and only the single-file rules run on them
  (plus the change requests, which approvals may cite); the cross-file
  findings stand;
- anything else (a file added or removed, an ID or reference changed, a
  change request edited, another ``reqctl.yaml``, options or day): a full run.

The context key covers reqctl's version, the options, today's date and the
bytes of ``reqctl.yaml``; with ``--base`` or ``--verify-approvals`` the
result depends on git history and is never taken from the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reqctl import __version__
from reqctl.messages import decode, encode
from reqctl.store.reader import FileEntry
from reqctl.validation.findings import CheckResult, Finding, Severity
from reqctl.validation.registry import CheckOptions

if TYPE_CHECKING:
    from reqctl.model.project import Project
    from reqctl.store.reader import ItemFile
    from reqctl.store.store import Store

_RESULT = "check"
_ROW_FORMAT = 2  # 2: messages kept as template + parameters (results stored before are not reused)
_KEYS = "check-keys"
_FACTS = "check-facts"


@dataclass(frozen=True, slots=True)
class CheckRun:
    """What ``check`` found, and warnings about the checkout itself (stderr lines)."""

    result: CheckResult
    notices: tuple[str, ...] = ()


def run_check(store: Store, options: CheckOptions, *, base: str | None = None, verify: bool = False) -> CheckRun:
    """Validate the project; with ``base``, policy comes from that revision and the gate rules run."""
    notices = tuple(filter(None, [store.legacy_state_warning()]))
    if base is not None or verify:
        from reqctl.validation.gate import add_gate_findings

        if base is not None:
            store.use_policy_from(base)
        project = store.project()
        result = _full(project, options)
        return CheckRun(add_gate_findings(store, project, result, base=base, verify=verify), notices)
    return CheckRun(_cached_check(store, options), notices)


def _full(project: Project, options: CheckOptions) -> CheckResult:
    from reqctl.validation.check import run_checks

    return run_checks(project, options)


def _context_key(store: Store, options: CheckOptions) -> str:
    digest = hashlib.sha256()
    digest.update(repr((__version__, _ROW_FORMAT, options, options.today or dt.date.today())).encode())
    digest.update(store.config_bytes())
    return digest.hexdigest()


def _cached_check(store: Store, options: CheckOptions) -> CheckResult:
    entries = store.scan()
    if not store.use_cache:
        return _full(store.project(entries), options)
    context = _context_key(store, options)
    previous = store.cache.value(_RESULT)
    digest = _keys_digest(entries)
    if isinstance(previous, dict) and previous.get("context") == context and previous.get("digest") == digest:
        return _result_from(previous)
    keys = {entry.rel: list(entry.key) for entry in entries}
    if isinstance(previous, dict) and previous.get("context") == context:
        old_keys = store.cache.value(_KEYS)
        if isinstance(old_keys, dict):
            incremental = _incremental(store, options, entries, previous, old_keys, keys, digest)
            if incremental is not None:
                return incremental
    project = store.project(entries)
    result = _full(project, options)
    facts = {f.path: file_facts(project, f) for f in project.files}
    _save(store, context, keys, result, facts, digest)
    return result


def _keys_digest(entries: list[FileEntry]) -> str:
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(f"\0{entry.rel}\0{entry.key}".encode())
    return digest.hexdigest()


def _incremental(
    store: Store,
    options: CheckOptions,
    entries: list[FileEntry],
    previous: dict[str, Any],
    old_keys: dict[str, Any],
    keys: dict[str, list[int]],
    digest: str,
) -> CheckResult | None:
    """Re-check only the changed files when no fact other files depend on changed; else None."""
    from reqctl.model.ids import Kind
    from reqctl.model.project import Project
    from reqctl.validation.check import run_checks
    from reqctl.validation.rules import RULES

    if old_keys.keys() != keys.keys():
        return None  # a file was added or removed
    dirty = [entry for entry in entries if old_keys[entry.rel] != keys[entry.rel]]
    if any(entry.kind is Kind.CHANGE or entry.symlink for entry in dirty):
        return None
    facts = store.cache.value(_FACTS)
    if not isinstance(facts, dict):
        return None
    changes = [entry for entry in entries if entry.kind is Kind.CHANGE]
    project = Project(root=store.root, config=store.config(), files=store.read_all([*dirty, *changes], subset=True))
    dirty_paths = {entry.rel for entry in dirty}
    new_facts = {f.path: file_facts(project, f) for f in project.files if f.path in dirty_paths}
    if any(facts.get(path) != value for path, value in new_facts.items()):
        return None
    single_file = tuple(r for r in RULES if not r.cross_file)
    fresh = [f for f in run_checks(project, options, single_file).findings if f.path in dirty_paths]
    single_codes = {r.info.code for r in single_file}
    kept = [
        f for f in _result_from(previous).findings
        if f.path not in dirty_paths or f.code not in single_codes
    ]
    findings = sorted([*kept, *fresh], key=lambda f: (f.path or "", f.line or 0, f.code, f.message))
    result = CheckResult(tuple(findings), len(entries))
    _save(store, previous["context"], keys, result, None, digest)
    return result


def file_facts(project: Project, item_file: ItemFile) -> str:
    """A digest of what other files' findings may depend on in this file (compared, never interpreted)."""
    data = item_file.data or {}
    model = project.models.get(item_file.path)
    refs: list[Any] = []
    if model is not None:
        refs = [[name, list(getattr(model, name))] for name in model.reference_fields()]
        refs.append(["source", getattr(model, "source", None)])
        refs.append(["milestone", getattr(model, "milestone", None)])
    item_id = data.get("id")
    facts = [
        item_file.kind.value,
        item_id if isinstance(item_id, str) else None,
        item_file.error is None,
        model is not None,
        item_file.key_lines,
        refs,
    ]
    text = json.dumps(facts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


def _save(
    store: Store,
    context: str,
    keys: dict[str, Any],
    result: CheckResult,
    facts: dict[str, Any] | None,
    digest: str | None = None,
) -> None:
    """Keep the result; ``facts`` only after a full run (an incremental one leaves them as they were)."""
    store.cache.store_value(_KEYS, keys)
    store.cache.store_value(
        _RESULT,
        {
            "context": context,
            "digest": digest,
            "files_checked": result.files_checked,
            "findings": [_finding_row(f) for f in result.findings],
        },
    )
    if facts is not None:
        store.cache.store_value(_FACTS, facts)


def _finding_row(found: Finding) -> list[Any]:
    """The message is kept as template and parameters (``messages.encode``): shown later in any language."""
    return [found.code, found.severity.value, encode(found.message), found.path, found.line, found.item_id]


def _result_from(saved: dict[str, Any]) -> CheckResult:
    rows: Iterable[list[Any]] = saved.get("findings", [])
    findings = tuple(
        Finding(code, Severity(sev), decode(msg), path, line, item) for code, sev, msg, path, line, item in rows
    )
    return CheckResult(findings, int(saved.get("files_checked", 0)))
