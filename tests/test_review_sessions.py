"""Review sessions survive a restart of 'reqctl serve' (only their ids' hashes are kept), and still end at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, run_reqctl
from tests.review_fixtures import invite, review_project

pytest.importorskip("starlette")
from starlette.testclient import TestClient
from tests.test_review_server import COOKIE, _form, _login

from reqctl.review.app import SESSIONS_FILE, create_app
from reqctl.store.statedir import state_dir


def _restarted(repo: Path, before: TestClient, **options: object) -> TestClient:
    """A new server process's app (nothing shared in memory) with the browser's cookie."""
    client = TestClient(create_app(repo, **options), follow_redirects=False)  # type: ignore[arg-type]
    client.cookies.set(COOKIE, before.cookies[COOKIE])
    return client


def test_a_session_survives_a_restart_and_keeps_only_a_hash(project: Path) -> None:
    repo = review_project(project, change=False)
    first = TestClient(create_app(repo), follow_redirects=False)
    page = _login(first, invite(repo))
    sid = first.cookies[COOKIE]
    stored = (state_dir(repo) / SESSIONS_FILE).read_text(encoding="utf-8")
    assert sid not in stored and CUSTOMER in stored
    assert oct((state_dir(repo) / SESSIONS_FILE).stat().st_mode & 0o777) == "0o600"
    second = _restarted(repo, first)
    shown = second.get("/")
    assert shown.status_code == 200 and "REQ-001" in shown.text
    # The page loaded before the restart still carries a valid CSRF token.
    response = second.post("/approve", data=_form(page, "REQ-001"))
    assert response.status_code == 303, response.text
    assert "Approved REQ-001" in second.get("/").text


def test_revocation_ends_a_restored_session_at_once(project: Path) -> None:
    repo = review_project(project, change=False)
    first = TestClient(create_app(repo), follow_redirects=False)
    _login(first, invite(repo))
    assert run_reqctl(repo, "review", "revoke", CUSTOMER).code == 0
    assert _restarted(repo, first).get("/").status_code == 401
    assert CUSTOMER not in (state_dir(repo) / SESSIONS_FILE).read_text(encoding="utf-8")


def test_expired_sessions_are_not_restored(project: Path) -> None:
    repo = review_project(project, change=False)
    now = [time.time()]
    first = TestClient(create_app(repo, clock=lambda: now[0], session_hours=1), follow_redirects=False)
    _login(first, invite(repo))
    now[0] += 3601
    assert _restarted(repo, first, clock=lambda: now[0]).get("/").status_code == 401


def test_a_damaged_sessions_file_only_signs_people_out(project: Path) -> None:
    repo = review_project(project, change=False)
    first = TestClient(create_app(repo), follow_redirects=False)
    _login(first, invite(repo))
    (state_dir(repo) / SESSIONS_FILE).write_text("{not json", encoding="utf-8")
    assert _restarted(repo, first).get("/").status_code == 401
    # and a forged cookie never matches
    forged = TestClient(create_app(repo), follow_redirects=False)
    forged.cookies.set(COOKIE, "x" * 43)
    assert forged.get("/").status_code == 401
