"""The merge gate: ``reqctl check --base REF`` and ``reqctl check --verify-approvals``.

These checks need git (a base revision, the history of approvals), so they are
not registered rule functions; their descriptions (``GATE_RULES``) live in the
registry so ``check.severity`` can re-rate them, and ``reqctl check`` adds their
findings to the registry's.  Codes: G001 approved content changed without an approved change
request, G002 a change request's approval is stale, G003 an approval was not
committed by the approver, G004 the branch changes the approval policy without
an approved change request.

With ``--base`` the policy (roles, approvals, check settings) comes from the
base revision (``Store.use_policy_from``): the branch under review cannot
switch rules off, make its author an approver or approve itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reqctl.changes.approvals import (
    REMOVED,
    covering_change,
    fully_approved,
    holds,
    requirement_approved,
    role_approvals,
)
from reqctl.errors import ConfigError, GitError
from reqctl.gitio.objects import kind_of_path
from reqctl.history.snapshots import HistoryReader
from reqctl.messages import Word, joined, lazy
from reqctl.model.config import Config
from reqctl.model.fingerprint import POLICY_KEY, fingerprint, policy_fingerprint
from reqctl.model.ids import Kind
from reqctl.model.items import Change, Item, Requirement
from reqctl.model.project import Project, validate_item
from reqctl.store.reader import ItemFile
from reqctl.validation.check import apply_severities, severity_overrides
from reqctl.validation.findings import CheckResult, Finding, Severity
from reqctl.validation.signers import Signers, read_signers_file, signers_from

if TYPE_CHECKING:
    from reqctl.review.ledger import Ledger
    from reqctl.store.store import Store

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
        what = lazy("removes") if item.value == REMOVED else lazy("changes")
        if listing:
            reason = _stale_reason(config, listing[0], {item.item_id: item.value})
            message = lazy(
                "{what} approved content of {id}; {change} lists it but its approval does not cover this "
                "content ({reason})", what=what, id=item.item_id, change=listing[0].id, reason=reason,
            )
        else:
            message = lazy(
                "{what} approved content of {id} but no approved change request on this branch lists it in affects",
                what=what, id=item.item_id,
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
                        lazy("approval by {by} as {role} is stale: {reason}", by=state.by, role=Word(state.role),
                             reason=state.reason),
                        change_paths.get(change.id),
                        None,
                        change.id,
                    )
                )
    return findings


def _stale_reason(config: Config, change: Change, current: Mapping[str, str]) -> str:
    states = [s for s in role_approvals(change, config, current) if not s.ok]
    return joined([s.describe() for s in states]) or lazy("not approved")  # each reason translated when shown


def policy_problems(store: Store, changes: list[Change]) -> list[Finding]:
    """G004: the branch changes roles, approvals or check settings without an approved CR.

    The CR must be approved, under the base's policy, by the roles the base
    names, with an approval record covering exactly this policy (``change
    approve`` records it under ``reqctl.yaml`` when the branch changes it).
    """
    changed = store.policy_changed()
    base_config = store.base_config()
    if not changed or base_config is None:
        return []
    current = {POLICY_KEY: policy_fingerprint(store.branch_config())}
    for change in changes:
        if change.status == "approved" and fully_approved(change, base_config, current):
            return []
    message = lazy(
        "changes the approval policy ({settings}) without an approved change request covering reqctl.yaml; "
        "the policy of the base stays in force", settings=", ".join(changed),
    )
    return [Finding("G004", Severity.ERROR, message, None, None, None)]


def check_base(
    store: Store, project: Project, base_ref: str, reader: HistoryReader | None = None
) -> list[Finding]:
    """G001/G002/G004 findings for the working tree against its merge base with ``base_ref``."""
    reader = reader or HistoryReader(project.root)
    repo = reader.repo
    base_sha = repo.resolve(base_ref)
    head = repo.try_resolve("HEAD")
    fork = repo.merge_base(head, base_sha) if head else None
    if fork is None:
        raise GitError(lazy("HEAD and {ref} share no history; cannot compare against it", ref=base_ref))
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
    findings = gate_problems(project.config, changes, touched, changed_items, change_paths)
    return findings + policy_problems(store, changes)


# ------------------------------------------------------- verify approvals ----

ApprovalKey = tuple[str, ...]
SHALLOW = (
    "shallow clone: approvals cannot be verified; fetch full history "
    "(actions/checkout with fetch-depth: 0, GitLab GIT_DEPTH: 0)"
)


def _record_role(config: Config, by: str, role: object) -> str:
    """A requirement record's role; a legacy record's is the first required role its approver holds."""
    if isinstance(role, str) and role:
        return role
    return next((r for r in config.approver_roles(Kind.REQUIREMENT) if holds(config, by, r)), "")


def _requirement_records(data: Mapping[str, object]) -> list[dict[str, object]]:
    legacy = data.get("approval")
    records = [legacy] if isinstance(legacy, dict) else []
    listed = data.get("approvals")
    if isinstance(listed, list):
        records += [r for r in listed if isinstance(r, dict)]
    return records


def approval_keys(item_file: ItemFile, config: Config) -> dict[ApprovalKey, str]:
    """Each approval record in a file (raw front matter) -> the person it names (see ``keyed_records``)."""
    return {key: by for key, (by, _record) in keyed_records(item_file, config).items()}


def keyed_records(item_file: ItemFile, config: Config) -> dict[ApprovalKey, tuple[str, Mapping[str, object]]]:
    """Each approval record in a file (raw front matter) -> the person it names and the record itself.

    A key is everything the record asserts (who, role, when, what), so a
    record whose role or fingerprint is rewritten counts as a new record; a
    legacy ``approval:`` record and its migrated form in ``approvals:`` share a key.
    """
    data = item_file.data or {}
    item_id = str(data.get("id", item_file.stem))
    keys: dict[ApprovalKey, tuple[str, Mapping[str, object]]] = {}
    if item_file.kind is Kind.REQUIREMENT:
        for record in _requirement_records(data):
            by = str(record.get("by", ""))
            role = _record_role(config, by, record.get("role"))
            fields = (by.strip().lower(), role, str(record.get("at")), str(record.get("fingerprint")))
            keys[("req", item_id, *fields, str(record.get("change") or ""))] = (by, record)
    if item_file.kind is Kind.CHANGE and isinstance(data.get("approvals"), list):
        for record in data["approvals"]:
            if isinstance(record, dict):
                by = str(record.get("by", ""))
                key = (
                    "cr",
                    item_id,
                    by.strip().lower(),
                    str(record.get("role")),
                    str(record.get("at")),
                    str(record.get("decision", "approved")),
                    str(record.get("fingerprint")),
                )
                keys[key] = (by, record)
    return keys


@dataclass(frozen=True, slots=True)
class Author:
    """Who made the commit that added an approval record, as git records it."""

    sha: str
    email: str
    committer: str
    signature: str = "N"
    signer: str = ""
    keys: tuple[str, ...] = ()
    committed: dt.datetime | None = None
    reviewed_via: tuple[str, ...] = ()  # 'Reviewed-via:' trailers (reqctl serve writes 'reqctl-serve')

    def is_person(self, email: str, signers: Signers | None) -> bool:
        """Authored and committed under exactly ``email``; with ``signers``, also signed by their key."""
        wanted = email.strip().lower()
        if self.email.strip().lower() != wanted or self.committer.strip().lower() != wanted:
            return False
        return signers is None or signers.binds(wanted, self.signature, self.keys)

    def describe(self, signers: Signers | None) -> str:
        who = (lazy("authored by {email}", email=self.email) if self.committer == self.email
               else lazy("authored by {email}, committed by {committer}", email=self.email, committer=self.committer))
        if signers is None:
            return who
        if self.signature == "N":
            return lazy("{who}, not signed", who=who)
        key = next((k for k in self.keys if k), lazy("an unknown key"))
        return lazy("{who}, signed (git status {status}) with {key}, which no allowed signer entry binds to",
                    who=who, status=self.signature, key=key)


def _introductions(
    reader: HistoryReader, config: Config, signers: Signers | None, signers_file: Path | None
) -> dict[ApprovalKey, list[Author]]:
    from reqctl.gitio.objects import TreeFile
    from reqctl.history.log import commits

    folders = [Kind.REQUIREMENT.folder + "/", Kind.CHANGE.folder + "/"]
    log = commits(
        reader.root,
        paths=folders,
        reverse=True,
        topo_order=True,
        merge_diffs=True,
        signatures=signers is not None,
        repo=reader.repo,
        allowed_signers=signers_file,
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
        author = Author(
            commit.sha, commit.author_email, commit.committer_email, commit.signature, commit.signer,
            (commit.signing_key, commit.primary_key), commit.committed, commit.trailers.get("reviewed-via", ()),
        )
        for change in commit.files:
            if change.new_sha is None or (change.path, change.new_sha) not in parsed:
                continue
            new = approval_keys(parsed[(change.path, change.new_sha)], config)
            old_file = parsed.get((change.path, change.old_sha or ""))
            old = approval_keys(old_file, config) if old_file is not None else {}
            for key in new.keys() - old.keys():
                authors = found.setdefault(key, [])
                if commit.is_merge and authors:
                    continue  # came in with the merged branch, already attributed
                authors.append(author)
    return found


def signers_at(reader: HistoryReader, config: Config, rev: str) -> Signers:
    """The signers a policy names, with its allowed-signers file read from revision ``rev`` (e.g. the base)."""
    rel = config.check.allowed_signers
    data = reader.repo.regular_file_at(rev, rel) if rel else None
    if rel and data is None:
        raise ConfigError(lazy("check.allowed_signers: {file} is not in {commit}", file=rel, commit=rev[:10]),
                          path="reqctl.yaml")
    return signers_from(config, data)


def verify_approvals(
    project: Project,
    reader: HistoryReader | None = None,
    *,
    config: Config | None = None,
    signers: Signers | None = None,
    ledger_revs: tuple[str, ...] = ("HEAD",),
) -> list[Finding]:
    """G003: the commit that last added each approval record was made by the approver.

    Author and committer e-mail must both equal the approver's; with
    ``check.verify_signatures`` the commit must also be signed by a key bound
    to that e-mail.  ``config`` is the policy (roles, signature settings;
    default: the working tree's) and ``signers`` its keys (default: read from
    the working tree) — ``check --base`` passes the base revision's, e.g.
    ``signers_at(reader, base_config, base_sha)``.  A shallow clone is an
    error: its oldest commit seems to add every record.  ``ledger_revs`` are
    the revisions whose history holds the invitation ledger (HEAD, and the
    base with ``--base``: an invitation made after a CR branch forked).
    """
    reader = reader or HistoryReader(project.root)
    if reader.repo.is_shallow():
        raise GitError(SHALLOW)
    config = config or project.config
    if config.check.verify_signatures:
        if signers is None:
            signers = signers_from(config, read_signers_file(project.root, config))
        if signers.empty:
            raise ConfigError(
                lazy("check.verify_signatures is on but no signer is listed: set check.allowed_signers "
                     "(a file in git's allowed signers format) or check.signers (fingerprints per e-mail)"),
                path="reqctl.yaml",
            )
    else:
        signers = None
    with contextlib.ExitStack() as stack:  # the signers file lives until the ledger is read (if it is)
        signers_file = stack.enter_context(_signers_file(signers))
        introduced = _introductions(reader, config, signers, signers_file)
        ledger = _LazyLedger(project.root, config, signers, signers_file, ledger_revs)
        return _verify_records(project, config, signers, introduced, ledger)


def _verify_records(
    project: Project, config: Config, signers: Signers | None, introduced: dict[ApprovalKey, list[Author]],
    ledger: _LazyLedger,
) -> list[Finding]:
    verified: set[ApprovalKey] = set()
    findings: list[Finding] = []
    pending: list[tuple[ItemFile, ApprovalKey, str]] = []
    records: dict[tuple[str, ApprovalKey], Mapping[str, object]] = {}
    for item_file in project.files:
        for key, (by, record) in keyed_records(item_file, config).items():
            pending.append((item_file, key, by))
            records[(item_file.path, key)] = record
    # Change requests first: requirement approvals that cite a CR rely on its records.
    pending.sort(key=lambda entry: entry[1][0] != "cr")
    for item_file, key, by in pending:
        field_name = "approvals" if key[0] == "cr" or "approvals" in (item_file.data or {}) else "approval"
        line = item_file.line_of(field_name)
        authors = introduced.get(key, [])
        # The commit that last added the record speaks for it (a re-added record is a new claim).
        if authors and authors[-1].is_person(by, signers):
            verified.add(key)
            continue
        record = records[(item_file.path, key)]
        if authors and record.get("via") == REVIEW_LINK:
            problem = review_link_problem(project.root, config, signers, authors[-1], by, key[3], record, ledger)
            if not problem:
                verified.add(key)
                continue
            message = lazy("approval by {by} via review link (commit {commit}): {problem}", by=by,
                           commit=authors[-1].sha[:10], problem=problem)
            findings.append(Finding("G003", Severity.ERROR, message, item_file.path, line, key[1]))
            continue
        if key[0] == "req" and key[-1] and authors:
            problem = _cited_change_problem(project, key, by, verified)
            if not problem:
                continue
            message = lazy("approval by {by} cites {change}, but {problem}", by=by, change=key[-1], problem=problem)
            findings.append(Finding("G003", Severity.ERROR, message, item_file.path, line, key[1]))
            continue
        if not authors:
            message = lazy("approval by {by} is not in any commit yet (commit it, then check again)", by=by)
            findings.append(Finding("G003", Severity.WARNING, message, item_file.path, line, key[1]))
            continue
        last = authors[-1]
        message = lazy(
            "approval by {by} was added in commit {commit} {how}, not by the approver", by=by,
            commit=last.sha[:10], how=last.describe(signers),
        )
        findings.append(Finding("G003", Severity.ERROR, message, item_file.path, line, key[1]))
    return findings


REVIEW_LINK = "review link"


class _LazyLedger:
    """The invitation ledger's history, read only when a review-link record needs it."""

    def __init__(self, root: Path, config: Config, signers: Signers | None, signers_file: Path | None,
                 revs: tuple[str, ...]) -> None:
        self._args = (root, config, signers, signers_file, revs)
        self._ledger: Ledger | None = None

    def problem(self, invitation_id: str, by: str, role: str, when: dt.datetime | None) -> str:
        if self._ledger is None:
            from reqctl.review.ledger import Ledger

            self._ledger = Ledger(*self._args)
        return self._ledger.problem(invitation_id, by, role, when)


def review_link_problem(
    root: Path, config: Config, signers: Signers | None, author: Author, by: str, role: str,
    record: Mapping[str, object], ledger: _LazyLedger | None = None,
) -> str:
    """Why an approval recorded by ``reqctl serve`` does not hold ("" when it does).

    It holds when the commit that added it was authored under the approver's
    e-mail, committed by ``review.recorder`` (of the policy: the base's with
    ``--base``) with the ``Reviewed-via: reqctl-serve`` trailer, signed by the
    recorder's key when signatures are required, and the record names an
    invitation for exactly that person and role that was valid (not revoked,
    not expired) when the commit was made: as this repository's state folder
    keeps it (where the server runs), else as the invitation ledger in git
    says, counting only what the recorder's own commits wrote
    (``review/ledger.py``: what a CI runner's fresh clone checks).
    """
    from reqctl.review import invitations

    recorder = (config.review.recorder or "").strip().lower()
    if not recorder:
        return lazy("reqctl.yaml names no review.recorder")
    if author.email.strip().lower() != by.strip().lower():
        return lazy("authored by {email}, not by the approver", email=author.email)
    if author.committer.strip().lower() != recorder:
        return lazy("committed by {committer}, not by the review recorder {recorder}", committer=author.committer,
                    recorder=config.review.recorder)
    if "reqctl-serve" not in author.reviewed_via:
        return lazy("the commit lacks the 'Reviewed-via: reqctl-serve' trailer")
    if signers is not None and not signers.binds(recorder, author.signature, author.keys):
        return lazy("not signed by a key bound to the review recorder {recorder}", recorder=config.review.recorder)
    invitation_id = str(record.get("invitation") or "")
    if not invitation_id:
        return lazy("the record names no invitation")
    found = invitations.find_by_id(root, invitation_id)
    if found is None:
        if ledger is None:
            return lazy("invitation {id} is not known here (invitations are kept where 'reqctl serve' runs)",
                        id=invitation_id)
        return ledger.problem(invitation_id, by, role, author.committed)
    if found.email.strip().lower() != by.strip().lower():
        return lazy("invitation {id} was made for {email}", id=invitation_id, email=found.email)
    if role not in found.roles:
        return lazy("invitation {id} does not cover the role {role}", id=invitation_id, role=role)
    if author.committed is None or not found.valid_at(author.committed):
        return lazy("invitation {id} was not valid (revoked or expired) when the commit was made", id=invitation_id)
    return ""


@contextlib.contextmanager
def _signers_file(signers: Signers | None) -> Iterator[Path | None]:
    """The allowed-signers bytes as a private temporary file for git, removed afterwards.

    Without a file (fingerprints pinned in reqctl.yaml only) git still gets an
    empty one: it then checks an SSH signature against the key it carries
    (``%G?`` U) and reports that key's fingerprint, which ``Signers.binds``
    compares with the pinned ones.
    """
    if signers is None:
        yield None
        return
    import os
    import tempfile

    handle, name = tempfile.mkstemp(prefix="reqctl-signers-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(signers.file_bytes or b"")
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            Path(name).unlink()


def _cited_change_problem(project: Project, key: ApprovalKey, by: str, verified: set[ApprovalKey]) -> str:
    """Why a requirement approval written by ``change merge`` is not backed by its CR ("" when it is).

    The cited CR must list the requirement in ``affects``, and the same
    person must have approved that CR, in the record's role, in a verified
    commit, with the CR as it is now (so ``affects`` cannot be widened after
    the approval); when the CR approval fingerprinted the requirement, it
    must be this record's content.
    """
    _, req_id, person, role, _at, content, cited = key
    change = project.items.get(cited)
    if not isinstance(change, Change):
        return lazy("{id} is not a change request here", id=cited)
    if req_id not in change.affects:
        return lazy("{change} does not affect {id}", change=cited, id=req_id)
    current = fingerprint(change)
    stale = False
    for record in change.approvals:
        cr_key = (
            "cr", change.id, record.by.strip().lower(), record.role, str(record.at), record.decision,
            str(record.fingerprint),
        )
        if cr_key not in verified or record.decision != "approved" or cr_key[2] != person:
            continue
        if role and record.role != role:
            continue
        if req_id in record.items and record.items[req_id] != content:
            continue
        if record.fingerprint != current:
            stale = True
            continue
        return ""
    if stale:
        return lazy("{change} changed after {by} approved it", change=cited, by=by)
    return lazy("{by}'s approval of {change} as {role} is not verified", by=by, change=cited,
                role=Word(role) if role else lazy("an approver"))


def add_gate_findings(
    store: Store, project: Project, result: CheckResult, *, base: str | None, verify: bool
) -> CheckResult:
    """``result`` with the findings of ``--base`` and ``--verify-approvals`` added.

    ``project`` was loaded from ``store``, whose policy is the base's when ``base`` is given.
    """
    reader = HistoryReader(project.root)
    extra: list[Finding] = []
    if base is not None:
        extra += check_base(store, project, base, reader)
    if verify:
        signers = None
        if store.policy_rev is not None and store.base_config() is not None and project.config.check.verify_signatures:
            signers = signers_at(reader, project.config, store.policy_rev)  # the base's keys, not the branch's
        revs = ("HEAD", store.policy_rev) if store.policy_rev is not None else ("HEAD",)
        extra += verify_approvals(project, reader, config=project.config, signers=signers, ledger_revs=revs)
    extra = apply_severities(extra, severity_overrides(project.config))
    findings = sorted(
        [*result.findings, *extra], key=lambda f: (f.path or "", f.line or 0, f.code, f.message)
    )
    return CheckResult(tuple(findings), result.files_checked)
