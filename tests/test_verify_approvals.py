"""``check --verify-approvals`` attacked the way a contributor without a role would.

Three real repositories per test: the upstream project, a contributor's clone
that pushes a branch to it, and CI's fresh clone of that branch, where the
gate runs.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import CUSTOMER, PM, git, run_reqctl, write_item
from test_gitio import commit_all, person, requirement

EVE = "eve@contractor.example"  # a contributor holding no role


def clone(upstream: Path, where: Path, email: str) -> Path:
    git(upstream.parent, "clone", "-q", str(upstream), str(where))
    git(where, "config", "user.email", email)
    git(where, "config", "user.name", email.split("@", maxsplit=1)[0])
    return where


def push(contributor: Path, branch: str) -> None:
    git(contributor, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")


def ci_clone(upstream: Path, tmp_path: Path, branch: str, *extra: str) -> Path:
    where = tmp_path / "ci"
    args = ["clone", "-q", "--branch", branch, *extra]
    source = f"file://{upstream}" if extra else str(upstream)
    git(tmp_path, *args, source, str(where))
    return where


@pytest.fixture
def upstream(project: Path) -> Path:
    """REQ-001 proposed, REQ-002 proposed, committed by the PM."""
    requirement(project, "REQ-001", "Login", extra="status: proposed\n")
    requirement(project, "REQ-002", "Logout", extra="status: proposed\n")
    commit_all(project, "requirements", PM)
    return project


def g003(out: str) -> list[str]:
    return [line for line in out.splitlines() if "G003" in line]


def test_approval_typed_under_the_customers_email_by_a_contributor_fails(upstream: Path, tmp_path: Path) -> None:
    eve = clone(upstream, tmp_path / "eve", EVE)
    assert run_reqctl(eve, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    git(eve, "add", "-A")
    git(eve, "commit", "-q", "-m", "approve REQ-001", f"--author=Customer <{CUSTOMER}>")  # committer stays Eve
    sha = git(eve, "rev-parse", "HEAD").strip()
    push(eve, "pr-1")

    ci = ci_clone(upstream, tmp_path, "pr-1")
    assert run_reqctl(ci, "check").code == 0  # the record itself is well-formed: a claim
    result = run_reqctl(ci, "check", "--verify-approvals")
    assert result.code == 1, result.out
    [line] = g003(result.out)
    assert line.startswith("requirements/REQ-001.md:")
    assert sha[:10] in line and f"committed by {EVE}" in line and "not by the approver" in line


def test_approval_committed_by_the_customer_passes(upstream: Path, tmp_path: Path) -> None:
    bob = clone(upstream, tmp_path / "bob", CUSTOMER)
    assert run_reqctl(bob, "approve", "REQ-001").code == 0
    git(bob, "commit", "-qam", "approve REQ-001")
    push(bob, "pr-2")
    ci = ci_clone(upstream, tmp_path, "pr-2")
    result = run_reqctl(ci, "check", "--verify-approvals")
    assert result.code == 0, result.out


def test_committer_substring_of_the_approver_fails(upstream: Path, tmp_path: Path) -> None:
    """Author and committer must equal the e-mail exactly, not contain it."""
    assert run_reqctl(upstream, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    git(upstream, "add", "-A")
    env = person(CUSTOMER) | {"GIT_COMMITTER_EMAIL": f"x{CUSTOMER}"}
    git(upstream, "commit", "-q", "-m", "approve", env=env)
    result = run_reqctl(upstream, "check", "--verify-approvals")
    assert result.code == 1 and len(g003(result.out)) == 1, result.out


def test_rewriting_the_role_of_a_record_is_a_new_unverified_record(upstream: Path) -> None:
    config = upstream / "reqctl.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(f"pm: [{PM}]", f"pm: [{PM}, {CUSTOMER}]"), encoding="utf-8"
    )
    commit_all(upstream, "customer also holds pm", PM)
    assert run_reqctl(upstream, "approve", "REQ-001", "--by", CUSTOMER, "--role", "customer").code == 0
    commit_all(upstream, "approve", CUSTOMER)
    assert run_reqctl(upstream, "check", "--verify-approvals").code == 0
    path = upstream / "requirements" / "REQ-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("role: customer", "role: pm"), encoding="utf-8")
    commit_all(upstream, "relabel", PM)
    result = run_reqctl(upstream, "check", "--verify-approvals")
    assert result.code == 1 and "added in commit" in g003(result.out)[0], result.out


def _change(root: Path, affects: str, approved_affects: str | None = None) -> None:
    """CR-001 approved by the customer and the PM, for the content with ``approved_affects``."""
    today = dt.date.today().isoformat()
    head = f"title: Reword\nstatus: approved\naffects: [{approved_affects or affects}]\n"
    write_item(root, "changes", "CR-001", head)
    from reqctl.model.fingerprint import fingerprint
    from reqctl.store.store import Store

    cr_fingerprint = fingerprint(Store.open(root).project().items["CR-001"])
    write_item(
        root, "changes", "CR-001",
        head.replace(f"[{approved_affects or affects}]", f"[{affects}]") + "approvals:\n"
        f"  - {{by: {CUSTOMER}, role: customer, at: {today}, fingerprint: '{cr_fingerprint}'}}\n"
        f"  - {{by: {PM}, role: pm, at: {today}, fingerprint: '{cr_fingerprint}'}}\n",
    )


@pytest.mark.parametrize(
    ("affects", "approved_affects"), [("REQ-002", None), ("REQ-001", None), ("REQ-001, REQ-002", "REQ-002")],
    ids=["other-requirement", "affects-it", "affects-widened-after-approval"],
)
def test_a_cited_change_request_must_affect_the_requirement(
    upstream: Path, tmp_path: Path, affects: str, approved_affects: str | None
) -> None:
    _change(upstream, affects, approved_affects)
    commit_all(upstream, "CR-001 approved by the customer", CUSTOMER)
    eve = clone(upstream, tmp_path / "eve", EVE)
    path = eve / "requirements" / "REQ-001.md"
    from test_approve import fingerprint_now

    record = (
        f"approvals:\n  - by: {CUSTOMER}\n    role: customer\n    at: {dt.date.today().isoformat()}\n"
        f"    fingerprint: {fingerprint_now(eve, 'REQ-001')}\n    change: CR-001\n"
    )
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", "\n" + record + "---\n", 1), encoding="utf-8")
    git(eve, "commit", "-qam", "re-approve after CR-001")
    push(eve, "pr-3")
    ci = ci_clone(upstream, tmp_path, "pr-3")
    result = run_reqctl(ci, "check", "--verify-approvals")
    lines = [line for line in g003(result.out) if "REQ-001" in line]
    if affects == "REQ-002":
        assert result.code == 1 and len(lines) == 1, result.out
        assert "cites CR-001, but CR-001 does not affect REQ-001" in lines[0]
    elif approved_affects:
        assert result.code == 1 and len(lines) == 1, result.out
        assert f"cites CR-001, but CR-001 changed after {CUSTOMER} approved it" in lines[0]
    else:
        assert lines == [], result.out


def test_shallow_clone_is_an_error_naming_fetch_depth(upstream: Path, tmp_path: Path) -> None:
    assert run_reqctl(upstream, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_all(upstream, "approve", CUSTOMER)
    requirement(upstream, "REQ-003", "Later")
    commit_all(upstream, "later", PM)
    ci = ci_clone(upstream, tmp_path, "main", "--depth", "1")
    assert git(ci, "rev-parse", "--is-shallow-repository").strip() == "true"
    result = run_reqctl(ci, "check", "--verify-approvals")
    assert result.code == 2, (result.out, result.err)
    assert result.err.strip() == (
        "error: shallow clone: approvals cannot be verified; fetch full history "
        "(actions/checkout with fetch-depth: 0, GitLab GIT_DEPTH: 0)"
    )
    assert "Traceback" not in result.err and result.out == ""


def test_legacy_record_stays_verified_after_migration(upstream: Path) -> None:
    """A single 'approval:' record checks clean; approving in another role migrates it in place."""
    from test_approve import fingerprint_now

    path = upstream / "requirements" / "REQ-001.md"
    legacy = (
        f"approval:   # written by reqctl\n  by: {CUSTOMER}\n  at: 2026-11-01\n"
        f"  fingerprint: {fingerprint_now(upstream, 'REQ-001')}\n"
    )
    text = path.read_text(encoding="utf-8").replace("status: proposed", "status: approved")
    path.write_text(text.replace("\n---\n", "\n" + legacy + "---\n", 1), encoding="utf-8")
    commit_all(upstream, "legacy approval", CUSTOMER)
    assert run_reqctl(upstream, "check", "--verify-approvals").code == 0

    config = upstream / "reqctl.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("requirement: [customer]", "requirement: [customer, pm]"),
        encoding="utf-8",
    )
    commit_all(upstream, "PM approves requirements too", PM)
    shown = json.loads(run_reqctl(upstream, "req", "show", "REQ-001", "--json").out)
    assert shown["approval_state"] == "partial" and shown["awaiting_roles"] == ["pm"]
    assert run_reqctl(upstream, "approve", "REQ-001", "--by", PM).code == 0
    after = path.read_text(encoding="utf-8")
    assert "\napproval:" not in after
    assert [line for line in after.splitlines() if "approvals:" in line] == ["approvals:  # written by reqctl"]
    assert f"\n- by: {CUSTOMER}\n  role: customer\n  at: 2026-11-01\n" in after
    commit_all(upstream, "PM approves", PM)
    result = run_reqctl(upstream, "check", "--verify-approvals")
    assert result.code == 0, result.out  # the customer's record kept its key through the migration


# ---------------------------------------------------------------- allowed signers file ----

KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIEj4Tz1xWv0pqcaYVbPJ0A8u4JbRsF9P2GZ8jwYlvgnn"


def test_allowed_signers_bind_exact_principals_only() -> None:
    from reqctl.validation.signers import parse_allowed_signers, ssh_fingerprint

    text = (
        "# comment\n\n"
        f"{CUSTOMER},Pat@Example.com ssh-ed25519 {KEY} laptop\n"
        f'*@example.com ssh-ed25519 {KEY}\n'
        f'x{CUSTOMER} ssh-ed25519 {KEY}\n'
        f'ca@example.com cert-authority ssh-ed25519 {KEY}\n'
        f'file@example.com namespaces="file" ssh-ed25519 {KEY}\n'
        f'git@example.com namespaces="file,git",valid-after="20260101" ssh-ed25519 {KEY}\n'
    )
    bound = parse_allowed_signers(text.encode())
    fingerprint = ssh_fingerprint(KEY)
    assert fingerprint is not None and fingerprint.startswith("SHA256:")
    assert bound == {
        CUSTOMER: frozenset({fingerprint}),
        "pat@example.com": frozenset({fingerprint}),
        f"x{CUSTOMER}": frozenset({fingerprint}),
        "git@example.com": frozenset({fingerprint}),
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"a@b.example ssh-ed25519\n", "expected"),
        (b"a@b.example ssh-unknown AAAA\n", "unknown key type"),
        (b"a@b.example ssh-ed25519 not*base64\n", "not base64"),
        (b'a@b.example namespaces="git ssh-ed25519 AAAA\n', "unbalanced quotes"),
    ],
)
def test_unreadable_allowed_signers_lines_are_config_errors(data: bytes, message: str) -> None:
    from reqctl.errors import ConfigError
    from reqctl.validation.signers import parse_allowed_signers

    with pytest.raises(ConfigError, match=message):
        parse_allowed_signers(data)


def test_allowed_signers_parser_never_crashes() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from reqctl.errors import ConfigError
    from reqctl.validation.signers import parse_allowed_signers

    token = st.sampled_from(["a@b.example", "*", "ssh-ed25519", KEY, 'namespaces="git"', "cert-authority", "#", ","])
    lines = st.lists(st.lists(st.one_of(token, st.text(max_size=8)), max_size=5).map(" ".join), max_size=6)

    @settings(max_examples=200, deadline=None)
    @given(st.one_of(st.binary(max_size=64), lines.map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))))
    def check(data: bytes) -> None:
        try:
            bound = parse_allowed_signers(data)
        except ConfigError:
            return
        for email, keys in bound.items():
            assert "@" in email and "*" not in email and email == email.lower()
            assert all(key.startswith("SHA256:") for key in keys)

    check()


def test_change_merge_writes_one_record_per_role_and_they_verify(upstream: Path) -> None:
    """Requirements need customer and pm: a merged CR re-approves REQ-001 in both roles, citing it."""
    config = upstream / "reqctl.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("requirement: [customer]", "requirement: [customer, pm]"),
        encoding="utf-8",
    )
    commit_all(upstream, "two roles", PM)
    assert run_reqctl(upstream, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_all(upstream, "customer approves", CUSTOMER)
    assert run_reqctl(upstream, "approve", "REQ-001", "--by", PM).code == 0
    commit_all(upstream, "pm approves", PM)
    proposed = run_reqctl(upstream, "change", "propose", "Reword", "--affects", "REQ-001")
    assert proposed.code == 0, proposed.err
    path = upstream / "requirements" / "REQ-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Login", "title: Log in"), encoding="utf-8")
    commit_all(upstream, "reword", PM)
    assessed = run_reqctl(upstream, "change", "assess", "CR-001", "--schedule-days", "1", "--summary", "wording")
    assert assessed.code == 0, assessed.err
    assert run_reqctl(upstream, "change", "approve", "CR-001").code == 0  # the PM, as pm
    customer = run_reqctl(upstream, "change", "approve", "CR-001", "--by", CUSTOMER, env=person(CUSTOMER))
    assert customer.code == 0, customer.err
    merged = run_reqctl(upstream, "change", "merge", "CR-001")
    assert merged.code == 0, merged.err

    shown = json.loads(run_reqctl(upstream, "req", "show", "REQ-001", "--json").out)
    assert shown["approval_state"] == "approved" and shown["awaiting_roles"] == []
    assert sorted((a["by"], a["role"], a.get("change")) for a in shown["approvals"]) == [
        (CUSTOMER, "customer", "CR-001"), (PM, "pm", "CR-001")
    ]
    assert run_reqctl(upstream, "check").code == 0
    verify = run_reqctl(upstream, "check", "--verify-approvals")
    assert verify.code == 0, verify.out


def test_change_merge_refuses_when_a_requirement_role_did_not_approve_the_cr(upstream: Path) -> None:
    config = upstream / "reqctl.yaml"
    text = config.read_text(encoding="utf-8").replace("requirement: [customer]", "requirement: [customer, pm]")
    config.write_text(text.replace("change: [customer, pm]", "change: [customer]"), encoding="utf-8")
    commit_all(upstream, "pm approves requirements but not changes", PM)
    assert run_reqctl(upstream, "change", "propose", "Reword", "--affects", "REQ-001").code == 0
    assert run_reqctl(upstream, "change", "assess", "CR-001", "--summary", "wording").code == 0
    assert run_reqctl(upstream, "change", "approve", "CR-001", "--by", CUSTOMER, env=person(CUSTOMER)).code == 0
    before = git(upstream, "rev-parse", "HEAD")
    merged = run_reqctl(upstream, "change", "merge", "CR-001")
    assert merged.code == 2 and "requirements need approval by pm" in merged.err, merged.err
    assert git(upstream, "rev-parse", "HEAD") == before and git(upstream, "status", "--porcelain") == ""
