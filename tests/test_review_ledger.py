"""The invitation ledger: a fresh clone (a CI runner) verifies review-link approvals, and a PR cannot make one up.

Every test here is an attack (or the good path) in real repositories: the
server's repository, and a fresh ``git clone`` of it that has no state
folder, as a CI runner has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, PM, git, run_reqctl
from tests.review_fixtures import RECORDER, invite, review_project

pytest.importorskip("starlette")
from tests.test_review_verify import _approve

from reqctl.review import invitations, ledger
from reqctl.store.statedir import state_dir

AS_RECORDER = {"GIT_AUTHOR_EMAIL": RECORDER, "GIT_COMMITTER_EMAIL": RECORDER}
AS_SERVER = {"GIT_AUTHOR_EMAIL": CUSTOMER, "GIT_COMMITTER_EMAIL": RECORDER}
AS_PM = {"GIT_AUTHOR_EMAIL": PM, "GIT_COMMITTER_EMAIL": PM}


def _clone(repo: Path, tmp: Path) -> Path:
    target = tmp / "ci"
    git(tmp, "clone", "-q", str(repo), str(target))
    assert not (state_dir(target) / invitations.FILE_NAME).exists()
    return target


def _verify(repo: Path, *args: str) -> tuple[int, str]:
    result = run_reqctl(repo, "check", "--verify-approvals", *args)
    return result.code, result.out + result.err


def _forge_approval(repo: Path, invitation_id: str) -> None:
    """An approval record that looks as the server writes it, committed as the server commits it."""
    assert run_reqctl(repo, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    path = repo / "requirements" / "REQ-001.md"
    text = path.read_text(encoding="utf-8").replace(
        "fingerprint:", f"via: review link\n    invitation: {invitation_id}\n    fingerprint:", 1)
    path.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "approve REQ-001\n\nReviewed-via: reqctl-serve", env=AS_SERVER)


def test_invite_commits_a_ledger_entry_as_the_recorder_without_the_secret(project: Path) -> None:
    repo = review_project(project, change=False)
    result = run_reqctl(repo, "review", "invite", CUSTOMER)
    assert result.code == 0, result.err
    secret = result.out.splitlines()[1].rsplit("/", 1)[1]
    inv = invitations.load(repo)[0]
    rel = ledger.rel_path(inv.id)
    head = git(repo, "rev-parse", "HEAD").strip()
    assert f"recorded in {rel}, commit {head[:10]} by {RECORDER} (no secret in it)" in result.out
    text = (repo / rel).read_text(encoding="utf-8")
    assert f'email: "{CUSTOMER}"' in text and 'roles: ["customer"]' in text and "revoked-at: null" in text
    assert secret not in text and inv.secret_sha256 not in text
    assert git(repo, "log", "-1", "--format=%ae %ce %s").strip() == f"{RECORDER} {RECORDER} review: invite " \
        f"{CUSTOMER} ({inv.id})"
    assert git(repo, "status", "--porcelain") == ""
    assert run_reqctl(repo, "review", "revoke", CUSTOMER).code == 0
    assert "revoked-at: null" not in (repo / rel).read_text(encoding="utf-8")
    assert git(repo, "log", "-1", "--format=%ae %ce %s").strip().startswith(f"{RECORDER} {RECORDER} review: revoke")


def test_a_fresh_clone_verifies_review_link_approvals(project: Path, tmp_path: Path) -> None:
    repo = review_project(project)
    _approve(repo, "REQ-001")
    _approve(repo, "CR-001")
    ci = _clone(repo, tmp_path)
    code, out = _verify(ci)
    assert code == 0, out
    # The CR branch forked before the invitation: the base's history holds its ledger entry.
    branch = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/").strip()
    git(ci, "switch", "-q", branch)
    result = run_reqctl(ci, "check", "--base", "origin/main", "--verify-approvals")
    assert "G003" not in result.out, result.out


def test_a_ledger_entry_added_by_someone_else_is_refused(project: Path, tmp_path: Path) -> None:
    repo = review_project(project, change=False)
    now = invitations.now()
    made_up = invitations.Invitation("INV-0123456789ab", CUSTOMER, ("customer",), "", now - dt.timedelta(days=1),
                                     now + dt.timedelta(days=9))
    (repo / ledger.FOLDER).mkdir(parents=True)
    (repo / ledger.rel_path(made_up.id)).write_bytes(ledger.render(made_up))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "review: invite", env=AS_PM)
    _forge_approval(repo, made_up.id)
    code, out = _verify(_clone(repo, tmp_path))
    assert code == 1 and "G003" in out, out
    assert f"{ledger.rel_path(made_up.id)} was written in commit" in out and f"by {PM}, not by the review " \
        f"recorder {RECORDER}" in out, out
    # The server's own repository refuses it as well: the state folder does not know it.
    assert _verify(repo)[0] == 1


@pytest.mark.parametrize(("old", "new"), [
    (f'"{CUSTOMER}"', '"mallory@example.com"'),  # e-mail changed (the approval then names mallory)
    ("expires: \"", "expires: \"2099"),  # expiry extended
])
def test_an_edited_ledger_entry_is_refused(project: Path, tmp_path: Path, old: str, new: str) -> None:
    repo = review_project(project, change=False)
    _approve(repo, "REQ-001")
    inv = invitations.load(repo)[0]
    path = repo / ledger.rel_path(inv.id)
    text = path.read_text(encoding="utf-8")
    if new.startswith("expires"):
        start = text.index('expires: "') + len('expires: "')
        text = text[:start] + "2099" + text[start + 4:]
    else:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "review: fix invitation", env=AS_PM)
    code, out = _verify(_clone(repo, tmp_path))
    assert code == 1 and f"{ledger.rel_path(inv.id)} was changed in commit" in out, out
    assert f"committed by {PM}), not by the review recorder" in out, out


def test_a_rewrite_committed_as_the_recorder_still_cannot_widen_the_entry(project: Path, tmp_path: Path) -> None:
    repo = review_project(project, change=False)
    invite(repo)
    inv = invitations.load(repo)[0]
    longer = dataclasses.replace(inv, expires=inv.expires + dt.timedelta(days=300))
    (repo / ledger.rel_path(inv.id)).write_bytes(ledger.render(longer))
    git(repo, "commit", "-q", "-am", "review: longer", env=AS_RECORDER)
    _forge_approval(repo, inv.id)
    code, out = _verify(_clone(repo, tmp_path))
    assert code == 1 and "was rewritten after it was issued" in out, out


@pytest.mark.parametrize("revert_as", ["", "recorder", "pm"])
def test_revoked_then_approved_is_refused(project: Path, tmp_path: Path, revert_as: str) -> None:
    repo = review_project(project, change=False)
    invite(repo)
    inv = invitations.load(repo)[0]
    assert run_reqctl(repo, "review", "revoke", CUSTOMER).code == 0
    revocation = git(repo, "rev-parse", "HEAD").strip()
    if revert_as:  # lifting the revocation: by the recorder it still stands, by anyone else the entry is void
        git(repo, "revert", "--no-edit", revocation, env=AS_RECORDER if revert_as == "recorder" else AS_PM)
    _forge_approval(repo, inv.id)
    code, out = _verify(_clone(repo, tmp_path))
    assert code == 1 and "G003" in out, out
    if revert_as == "pm":
        assert f"{ledger.rel_path(inv.id)} was changed in commit" in out, out
    else:
        assert f"invitation {inv.id} was not valid (revoked or expired) when the commit was made" in out, out


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (OpenSSH) to make keys")
def test_with_signatures_the_ledger_counts_only_as_the_recorder_signed_it(project: Path, tmp_path: Path) -> None:
    from tests.test_change_signatures import public, signing_key

    folder = tmp_path / "keys"
    folder.mkdir()
    server_key, eve_key = signing_key(folder, "server"), signing_key(folder, "eve")
    repo = review_project(project, change=False)
    (repo / ".reqctl-signers").write_text(f"{RECORDER} {public(server_key)}\n", encoding="utf-8")
    with (repo / "reqctl.yaml").open("a", encoding="utf-8") as handle:
        handle.write("check:\n  verify_signatures: true\n  allowed_signers: .reqctl-signers\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "signatures required")
    # The server's own git configuration signs its commits (ledger and approvals) with its key.
    for key, value in (("gpg.format", "ssh"), ("user.signingkey", str(server_key)), ("commit.gpgsign", "true")):
        git(repo, "config", key, value)
    _approve(repo, "REQ-001")
    inv = invitations.load(repo)[0]
    code, out = _verify(_clone(repo, tmp_path))
    assert code == 0, out
    # Someone commits a change to the entry "as" the recorder, signed with a key not bound to it.
    path = repo / ledger.rel_path(inv.id)
    entry = path.read_text(encoding="utf-8")
    start = entry.index('expires: "') + len('expires: "')
    path.write_text(entry[:start] + "2099" + entry[start + 4:], encoding="utf-8")
    git(repo, "-c", f"user.signingkey={eve_key}", "commit", "-q", "-am", "review: longer", env=AS_RECORDER)
    (tmp_path / "ci").rename(tmp_path / "ci-before")
    code, out = _verify(_clone(repo, tmp_path))
    assert code == 1 and f"{ledger.rel_path(inv.id)} was changed in commit" in out, out
    assert "not by the review recorder reviews@example.com and signed by its key" in out, out


def test_an_invitation_that_cannot_be_recorded_is_not_made(project: Path, tmp_path: Path) -> None:
    repo = review_project(project, change=False)
    invite(repo)
    before = invitations.store_path(repo).read_bytes()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repo / "reviews" / "invitations").rename(outside / "invitations")
    (repo / "reviews" / "invitations").symlink_to(outside / "invitations")  # e.g. from a pull request
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    result = run_reqctl(repo, "review", "invite", PM)
    assert result.code == 2 and "reviews/invitations is a symbolic link" in result.err, result.err
    assert "Traceback" not in result.err and "/r/" not in result.out
    assert invitations.store_path(repo).read_bytes() == before
    assert git(repo, "status", "--porcelain") == "" and len(list((outside / "invitations").iterdir())) == 1
    # A revocation is in force at once even when the ledger cannot take it, and says so.
    revoked = run_reqctl(repo, "review", "revoke", CUSTOMER)
    assert revoked.code == 2 and "no longer work), but the revocation is not in the ledger" in revoked.err
    assert invitations.open_invitations(repo) == []
