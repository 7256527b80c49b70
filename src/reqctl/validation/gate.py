"""The merge gate: ``reqctl check --base REF`` and ``reqctl check --verify-approvals``.

These checks need git (a base revision, the history of approvals), so they are
not registered rule functions; their descriptions (``GATE_RULES``) live in the
registry so ``check.severity`` can re-rate them, and ``reqctl check`` adds their
findings to the registry's.  Codes: G001 approved content changed without an approved change
request, G002 a change request's approval is stale, G003 an approval was not
committed by the approver.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reqctl.changes.approvals import REMOVED, covering_change, requirement_approved, role_approvals
from reqctl.errors import GitError
from reqctl.gitio.objects import kind_of_path
from reqctl.history.snapshots import HistoryReader
from reqctl.model.config import Config
from reqctl.model.fingerprint import fingerprint
from reqctl.model.ids import Kind
from reqctl.model.items import Change, Item, Requirement
from reqctl.model.project import Project, load_project, validate_item
from reqctl.store.reader import ItemFile
from reqctl.validation.check import apply_severities, severity_overrides
from reqctl.validation.findings import CheckResult, Finding, Severity

ITEM_FOLDERS = [kind.folder for kind in Kind]


def _model(item_file: ItemFile | None) -> Item | None:
    if item_file is None or item_file.data is None:
        return None
    model, _problems = validate_item(item_file)
    return model


def approved_content(req: Requirement, config: Config) -> bool:
    """Every role ``approvals.requirement`` names approved exactly the current content."""
    return requirement_approved(req, config)


@dataclass(frozen=True, slots=True)
class Touched:
    """A requirement whose approved content the branch changes."""

    item_id: str
    path: str
    value: str  # the new fingerprint, or REMOVED


def touched_approved(
    old_files: Mapping[str, ItemFile], new_models: Mapping[str, Item | None], config: Config
) -> list[Touched]:
    """Requirements fully approved at the base (per ``config``'s roles) whose normative content differs now."""
    found = []
    for path, old_file in sorted(old_files.items()):
        if kind_of_path(path) is not Kind.REQUIREMENT:
            continue
        old = _model(old_file)
        if not isinstance(old, Requirement) or not approved_content(old, config):
            continue
        new = new_models.get(path)
        if path in new_models and new is None:
            continue  # present but invalid: 'check' reports it on its own
        value = REMOVED if new is None else fingerprint(new)
        if value != fingerprint(old):
            found.append(Touched(old.id, path, value))
    return found


def gate_problems(
    config: Config,
    changes: Iterable[Change],
    touched: list[Touched],
    changed_items: Mapping[str, str],
    change_paths: Mapping[str, str],
) -> list[Finding]:
    """Findings for one branch: ``changes`` are the CRs on it, ``changed_items`` ID -> fingerprint."""
    changes = list(changes)
    findings = []
    for item in touched:
        if covering_change(config, changes, item.item_id, item.value) is not None:
            continue
        listing = [c for c in changes if item.item_id in c.affects and c.status == "approved"]
        what = "removes" if item.value == REMOVED else "changes"
        if listing:
            reason = _stale_reason(config, listing[0], {item.item_id: item.value})
            message = (
                f"{what} approved content of {item.item_id}; {listing[0].id} lists it but its "
                f"approval does not cover this content ({reason})"
            )
        else:
            message = (
                f"{what} approved content of {item.item_id} but no approved change request on "
                "this branch lists it in affects"
            )
        findings.append(Finding("G001", Severity.ERROR, message, item.path, None, item.item_id))
    for change in changes:
        if change.status != "approved":
            continue
        recorded = {i for record in change.approvals for i in record.items}
        current = {i: changed_items.get(i, REMOVED) for i in recorded if i in changed_items}
        for state in role_approvals(change, config, current):
            if state.state in ("stale", "not-allowed"):
                findings.append(
                    Finding(
                        "G002",
                        Severity.ERROR,
                        f"approval by {state.by} as {state.role} is stale: {state.reason}",
                        change_paths.get(change.id),
                        None,
                        change.id,
                    )
                )
    return findings


def _stale_reason(config: Config, change: Change, current: Mapping[str, str]) -> str:
    states = [s for s in role_approvals(change, config, current) if not s.ok]
    return "; ".join(s.describe() for s in states) or "not approved"


def check_base(project: Project, base_ref: str, reader: HistoryReader | None = None) -> list[Finding]:
    """G001/G002 findings for the working tree against its merge base with ``base_ref``."""
    reader = reader or HistoryReader(project.root)
    repo = reader.repo
    base_sha = repo.resolve(base_ref)
    head = repo.try_resolve("HEAD")
    fork = repo.merge_base(head, base_sha) if head else None
    if fork is None:
        raise GitError(f"HEAD and {base_ref} share no history; cannot compare against it")
    paths = [p for p in repo.changed_paths(fork, None, ITEM_FOLDERS) if kind_of_path(p)]
    old_files = reader.files_by_path(fork, paths)
    present = {f.path for f in project.files}
    # Present paths map to their model (None when invalid); removed paths are absent.
    new_models: dict[str, Item | None] = {path: project.models.get(path) for path in paths if path in present}
    changed_items = {}
    for path in paths:
        model = project.models.get(path)
        if model is not None:
            changed_items[model.id] = fingerprint(model)
        elif kind_of_path(path) is not None and path not in new_models:
            changed_items[path.rsplit("/", 1)[-1].removesuffix(".md")] = REMOVED
    changes = [c for c in project.of_kind(Kind.CHANGE) if isinstance(c, Change)]
    change_paths = {c.id: project.file_of(c.id).path for c in changes}
    touched = touched_approved(old_files, new_models, project.config)
    return gate_problems(project.config, changes, touched, changed_items, change_paths)


# ------------------------------------------------------- verify approvals ----

ApprovalKey = tuple[str, ...]


def approval_keys(item_file: ItemFile) -> dict[ApprovalKey, str]:
    """Each approval record in a file (raw front matter) -> the person it names."""
    data = item_file.data or {}
    item_id = str(data.get("id", item_file.stem))
    keys: dict[ApprovalKey, str] = {}
    if item_file.kind is Kind.REQUIREMENT and isinstance(data.get("approval"), dict):
        record = data["approval"]
        by = str(record.get("by", ""))
        keys[("req", item_id, by.lower(), str(record.get("at")), str(record.get("fingerprint")))] = by
    if item_file.kind is Kind.CHANGE and isinstance(data.get("approvals"), list):
        for record in data["approvals"]:
            if isinstance(record, dict):
                by = str(record.get("by", ""))
                key = (
                    "cr",
                    item_id,
                    by.lower(),
                    str(record.get("role")),
                    str(record.get("at")),
                    str(record.get("decision", "approved")),
                    str(record.get("fingerprint")),
                )
                keys[key] = by
    return keys


@dataclass(frozen=True, slots=True)
class Author:
    sha: str
    email: str
    signature: str
    signer: str

    def is_person(self, email: str, *, signatures: bool) -> bool:
        if signatures:
            return self.signature in ("G", "U") and email.lower() in self.signer.lower()
        return self.email.lower() == email.lower()


def _introductions(reader: HistoryReader, signatures: bool) -> dict[ApprovalKey, list[Author]]:
    from reqctl.gitio.objects import TreeFile
    from reqctl.history.log import commits

    folders = [Kind.REQUIREMENT.folder + "/", Kind.CHANGE.folder + "/"]
    log = commits(
        reader.root,
        paths=folders,
        reverse=True,
        topo_order=True,
        merge_diffs=True,
        signatures=signatures,
        repo=reader.repo,
    )
    wanted = []
    for commit in log:
        for change in commit.files:
            kind = kind_of_path(change.path)
            if kind in (Kind.REQUIREMENT, Kind.CHANGE):
                wanted += [TreeFile(kind, change.path, sha) for sha in (change.old_sha, change.new_sha) if sha]
    parsed = reader.parse_map(wanted)
    found: dict[ApprovalKey, list[Author]] = {}
    for commit in log:
        author = Author(commit.sha, commit.author_email, commit.signature, commit.signer)
        for change in commit.files:
            if change.new_sha is None or (change.path, change.new_sha) not in parsed:
                continue
            new = approval_keys(parsed[(change.path, change.new_sha)])
            old_file = parsed.get((change.path, change.old_sha or ""))
            old = approval_keys(old_file) if old_file is not None else {}
            for key in new.keys() - old.keys():
                authors = found.setdefault(key, [])
                if commit.is_merge and authors:
                    continue  # came in with the merged branch, already attributed
                authors.append(author)
    return found


def verify_approvals(project: Project, reader: HistoryReader | None = None) -> list[Finding]:
    """G003: every approval record was added by a commit authored (or signed) by the approver."""
    reader = reader or HistoryReader(project.root)
    signatures = project.config.check.verify_signatures
    introduced = _introductions(reader, signatures)
    verified: set[ApprovalKey] = set()
    findings: list[Finding] = []
    pending: list[tuple[ItemFile, ApprovalKey, str]] = []
    for item_file in project.files:
        for key, by in approval_keys(item_file).items():
            pending.append((item_file, key, by))
    # Change requests first: requirement approvals that cite a CR rely on its records.
    pending.sort(key=lambda entry: entry[1][0] != "cr")
    for item_file, key, by in pending:
        field_name = "approvals" if key[0] == "cr" else "approval"
        line = item_file.line_of(field_name)
        authors = introduced.get(key, [])
        if any(a.is_person(by, signatures=signatures) for a in authors):
            verified.add(key)
            continue
        if key[0] == "req" and _cited_change_ok(project, item_file, by, verified):
            continue
        what = "signed" if signatures else "authored"
        if not authors:
            message = f"approval by {by} is not in any commit yet (commit it, then check again)"
            findings.append(Finding("G003", Severity.WARNING, message, item_file.path, line, key[1]))
            continue
        first = authors[0]
        who = first.signer or "nobody" if signatures else first.email
        message = f"approval by {by} was added in commit {first.sha[:10]} {what} by {who}, not by the approver"
        findings.append(Finding("G003", Severity.ERROR, message, item_file.path, line, key[1]))
    return findings


def _cited_change_ok(project: Project, item_file: ItemFile, by: str, verified: set[ApprovalKey]) -> bool:
    """A requirement approval written by ``change merge`` cites a CR the same person approved."""
    record = (item_file.data or {}).get("approval") or {}
    cited = record.get("change") if isinstance(record, dict) else None
    if not isinstance(cited, str) or cited not in project.files_by_id:
        return False
    cr_file = project.files_by_id[cited][0]
    return any(
        key[0] == "cr" and key[2] == by.lower() and key[5] == "approved" and key in verified
        for key in approval_keys(cr_file)
    )


def add_gate_findings(
    root: Path,
    project: Project | None,
    result: CheckResult,
    *,
    base: str | None,
    verify: bool,
    use_cache: bool = True,
) -> CheckResult:
    """``result`` with the findings of ``--base`` and ``--verify-approvals`` added."""
    if project is None:
        project = load_project(root, use_cache=use_cache)
    reader = HistoryReader(project.root)
    extra: list[Finding] = []
    if base is not None:
        extra += check_base(project, base, reader)
    if verify:
        extra += verify_approvals(project, reader)
    extra = apply_severities(extra, severity_overrides(project.config))
    findings = sorted(
        [*result.findings, *extra], key=lambda f: (f.path or "", f.line or 0, f.code, f.message)
    )
    return CheckResult(tuple(findings), result.files_checked)
