"""``check --verify-approvals`` and review-link approvals: accepted only as the server records them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, PM, git, run_reqctl
from tests.review_fixtures import RECORDER, invite, review_project

pytest.importorskip("starlette")
from starlette.testclient import TestClient
from tests.test_review_server import _form, _login

from reqctl.review import invitations
from reqctl.review.app import create_app


def _approve(repo: Path, item_id: str) -> None:
    client = TestClient(create_app(repo), follow_redirects=False)
    page = _login(client, invite(repo))
    response = client.post("/approve", data=_form(page, item_id))
    assert response.status_code == 303, response.text


def _verify(repo: Path) -> tuple[int, str]:
    result = run_reqctl(repo, "check", "--verify-approvals")
    return result.code, result.out + result.err


def test_review_link_approvals_verify(project: Path) -> None:
    repo = review_project(project)
    _approve(repo, "REQ-001")
    code, out = _verify(repo)
    assert code == 0, out
    _approve(repo, "CR-001")
    branch = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/").strip()
    git(repo, "switch", "-q", branch)
    code, out = _verify(repo)
    assert "G003" not in out, out


def test_a_forged_review_link_record_is_refused(project: Path) -> None:
    repo = review_project(project, change=False)
    invite(repo)  # a real invitation id exists, but the PM writes the record by hand
    inv = invitations.load(repo)[0]
    path = repo / "requirements" / "REQ-001.md"
    run_reqctl(repo, "approve", "REQ-001", "--by", CUSTOMER)
    text = path.read_text(encoding="utf-8").replace(
        "fingerprint:", f"via: review link\n    invitation: {inv.id}\n    fingerprint:", 1)
    path.write_text(text, encoding="utf-8")
    env = {"GIT_AUTHOR_EMAIL": CUSTOMER, "GIT_COMMITTER_EMAIL": PM}
    git(repo, "commit", "-q", "-am", "approve REQ-001\n\nReviewed-via: reqctl-serve", env=env)
    code, out = _verify(repo)
    assert code == 1 and "G003" in out and f"not by the review recorder {RECORDER}" in out, out


def test_revoked_or_unknown_invitations_do_not_verify(project: Path) -> None:
    repo = review_project(project, change=False)
    _approve(repo, "REQ-001")
    assert _verify(repo)[0] == 0
    stored = invitations.load(repo)
    # The invitation was revoked before the commit was made: refused.
    early = stored[0].created - dt.timedelta(seconds=1)
    invitations._save(repo, [dataclasses.replace(stored[0], revoked=True, revoked_at=early)])
    code, out = _verify(repo)
    assert code == 1 and "was not valid (revoked or expired) when the commit was made" in out, out
    # Revoked after the approval: still valid at the time, accepted.
    later = invitations.now() + dt.timedelta(minutes=5)
    invitations._save(repo, [dataclasses.replace(stored[0], revoked=True, revoked_at=later)])
    assert _verify(repo)[0] == 0
    # Without the state folder (as on a CI runner) the ledger committed by the recorder vouches for it.
    invitations.store_path(repo).unlink()
    code, out = _verify(repo)
    assert code == 0, out


def test_the_recorder_comes_from_the_base_policy(project: Path) -> None:
    repo = review_project(project, change=False)
    git(repo, "switch", "-q", "-c", "feature")
    text = (repo / "reqctl.yaml").read_text(encoding="utf-8").replace(RECORDER, "mallory@example.com")
    (repo / "reqctl.yaml").write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "recorder is me now")
    result = run_reqctl(repo, "check", "--base", "main")
    assert result.code == 1 and "G004" in result.out, result.out
