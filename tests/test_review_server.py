"""The review server through Starlette's TestClient: link exchange, the page, approvals, comments, attacks."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, PM, git, run_reqctl
from tests.review_fixtures import RECORDER, invite, review_project

pytest.importorskip("starlette")
from starlette.testclient import TestClient

from reqctl.review.app import COOKIE, create_app

TOKEN = re.compile(r'name="token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _client(root: Path, **options: object) -> TestClient:
    return TestClient(create_app(root, **options), follow_redirects=False)  # type: ignore[arg-type]


def _login(client: TestClient, secret: str) -> str:
    response = client.get(f"/r/{secret}")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    page = client.get("/")
    assert page.status_code == 200, page.text
    return page.text


def _form(page: str, item_id: str, role: str = "customer") -> dict[str, str]:
    section = page.split(f'id="requirement-{item_id}-{role}"', 1)[-1] if f"requirement-{item_id}-{role}" in page \
        else page.split(f'id="change-{item_id}-{role}"', 1)[1]
    kind = "requirement" if f'id="requirement-{item_id}-{role}"' in page else "change"
    return {"csrf": CSRF.search(page).group(1), "kind": kind, "id": item_id, "role": role,  # type: ignore[union-attr]
            "token": TOKEN.search(section).group(1)}  # type: ignore[union-attr]


def _head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(project: Path) -> Path:
    return review_project(project)


def test_serve_refuses_to_start_without_a_recorder(project: Path) -> None:
    from reqctl.errors import ConfigError

    with pytest.raises(ConfigError, match="recorder"):
        create_app(project)
    result = run_reqctl(project, "serve", "--port", "0")
    assert result.code == 2 and "review: {recorder: EMAIL}" in result.err


def test_link_exchange_page_and_approval_of_a_requirement(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    assert "Export orders" in page and "<strong>nightly</strong>" in page  # Markdown rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page  # escaped like the site
    assert "CR-001" in page and "one more job" in page and "800" in page  # the CR with its impact
    assert ">Approve<" in page and ">Request changes<" in page
    before = _head(repo)
    response = client.post("/approve", data=_form(page, "REQ-001"))
    assert response.status_code == 303, response.text
    assert _head(repo) != before
    text = (repo / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert f"by: {CUSTOMER}" in text and "via: review link" in text and "invitation: INV-" in text
    assert "status: approved" in text
    log = git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B")
    author, committer, body = log.split("|", 2)
    assert f"<{CUSTOMER}>" in author and f"<{RECORDER}>" in committer
    assert "Reviewed-via: reqctl-serve" in body
    assert git(repo, "status", "--porcelain") == ""
    again = client.get("/")
    assert 'id="requirement-REQ-001-customer"' not in again.text
    assert "Approved REQ-001 as customer." in again.text
    assert "Approved REQ-001" not in client.get("/").text  # shown once
    assert "Call +1 555" not in client.get("/?done=Call+%2B1+555").text  # a URL cannot put words on the page
    check = run_reqctl(repo, "check")
    assert check.code == 0, check.out + check.err


def test_approving_a_change_request_on_its_branch_never_touches_the_checkout(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    main_before = _head(repo)
    response = client.post("/approve", data=_form(page, "CR-001"))
    assert response.status_code == 303, response.text
    assert _head(repo) == main_before and git(repo, "branch", "--show-current").strip() == "main"
    branch = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/").strip()
    text = git(repo, "show", f"{branch}:changes/CR-001.md")
    assert f"by: {CUSTOMER}" in text and "role: customer" in text and "via: review link" in text
    log = git(repo, "log", "-1", "--format=%ae|%ce|%B", branch)
    assert log.startswith(f"{CUSTOMER}|{RECORDER}|") and "Reviewed-via: reqctl-serve" in log
    assert "Change-Request: CR-001" in log
    assert git(repo, "worktree", "list").count("\n") == 1  # the temporary worktree is gone
    listed = run_reqctl(repo, "change", "list")
    assert "customer✓" in listed.out, listed.out


def test_request_changes_writes_a_review_record(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    data = {**_form(page, "REQ-002"), "comment": "Please add <b>SSO</b> as well."}
    response = client.post("/request-changes", data=data)
    assert response.status_code == 303, response.text
    record = (repo / "reviews" / "REV-001.md").read_text(encoding="utf-8")
    assert "item: REQ-002" in record and f"by: {CUSTOMER}" in record and "decision: changes requested" in record
    assert "Please add <b>SSO</b> as well." in record and "fingerprint: sha256:" in record
    assert git(repo, "log", "-1", "--format=%ae|%ce").strip() == f"{CUSTOMER}|{RECORDER}"
    shown = client.get("/")
    assert "Please add &lt;b&gt;SSO&lt;/b&gt; as well." in shown.text
    listed = run_reqctl(repo, "req", "show", "REQ-002")
    assert f"review REV-001: changes requested by {CUSTOMER}" in listed.out and "SSO" in listed.out
    head = _head(repo)
    bogus = client.post("/request-changes", data={**data, "id": "REQ-999"})
    assert bogus.status_code == 400 and _head(repo) == head
    assert git(repo, "status", "--porcelain") == ""


def test_chinese_labels(project: Path) -> None:
    repo = review_project(project, language="zh", change=False)
    page = _login(_client(repo), invite(repo))
    assert ">批准<" in page and ">要求修改<" in page


def test_security_headers(repo: Path) -> None:
    client = _client(repo)
    for response in (client.get("/"), client.get(f"/r/{invite(repo)}"), client.get("/assets/review.css")):
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def _nothing_written(repo: Path, head: str) -> None:
    """No commit since ``head`` but the recorder's invitation ledger commits (invite, revoke)."""
    touched = git(repo, "log", "--format=", "--name-only", f"{head}..HEAD").split()
    assert all(path.startswith("reviews/invitations/") for path in touched), touched
    assert git(repo, "status", "--porcelain") == ""


def test_forged_revoked_expired_and_replayed_links_are_refused(repo: Path) -> None:
    head = _head(repo)
    client = _client(repo)
    assert client.get("/r/" + "A" * 43).status_code == 403
    secret = invite(repo)
    _login(client, secret)
    other = _client(repo)
    replay = other.get(f"/r/{secret}")
    assert replay.status_code == 403 and "already used" in replay.text and COOKIE not in replay.headers.get(
        "set-cookie", "")
    revoked = invite(repo, PM)
    run_reqctl(repo, "review", "revoke", PM)
    assert "revoked" in _client(repo).get(f"/r/{revoked}").text
    short = invite(repo, PM, "--expires", "1m")
    import datetime as dt

    from reqctl.review import invitations

    real_now = invitations.now
    invitations.now = lambda: real_now() + dt.timedelta(minutes=2)  # type: ignore[assignment]
    try:
        assert "expired" in _client(repo).get(f"/r/{short}").text
    finally:
        invitations.now = real_now  # type: ignore[assignment]
    _nothing_written(repo, head)


def test_revocation_ends_an_open_session_at_once(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    head = _head(repo)
    assert run_reqctl(repo, "review", "revoke", CUSTOMER).code == 0
    assert client.get("/").status_code == 401
    response = client.post("/approve", data=_form(page, "REQ-001"))
    assert response.status_code == 401
    _nothing_written(repo, head)


def test_sessions_expire(repo: Path) -> None:
    now = [1_000_000_000.0]
    import time

    now[0] = time.time()
    client = _client(repo, clock=lambda: now[0], session_hours=1)
    _login(client, invite(repo))
    now[0] += 3601
    assert client.get("/").status_code == 401


def test_missing_or_wrong_csrf_token_and_foreign_origin_are_refused(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    head = _head(repo)
    data = _form(page, "REQ-001")
    assert client.post("/approve", data={k: v for k, v in data.items() if k != "csrf"}).status_code == 403
    assert client.post("/approve", data={**data, "csrf": "x" * 43}).status_code == 403
    foreign = client.post("/approve", data=data, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert client.post("/approve", data=data, headers={"origin": "null"}).status_code == 403
    assert client.post("/request-changes", data={**data, "csrf": "", "comment": "x"}).status_code == 403
    _nothing_written(repo, head)


def test_stale_content_is_refused(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    path = repo / "requirements" / "REQ-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("nightly", "hourly"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "PM edits REQ-001")
    head = _head(repo)
    response = client.post("/approve", data=_form(page, "REQ-001"))
    assert response.status_code == 409 and "changed since you opened it — reload" in response.text
    _nothing_written(repo, head)
    assert "approvals" not in path.read_text(encoding="utf-8")


def test_stale_change_request_is_refused(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    branch = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/").strip()
    git(repo, "switch", "-q", branch)
    path = repo / "requirements" / "REQ-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("weekly", "monthly"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "CR-001: monthly instead")
    git(repo, "switch", "-q", "main")
    tip = git(repo, "rev-parse", branch).strip()
    response = client.post("/approve", data=_form(page, "CR-001"))
    assert response.status_code == 409 and "changed since you opened it" in response.text
    assert git(repo, "rev-parse", branch).strip() == tip


def test_failed_link_attempts_are_rate_limited(repo: Path) -> None:
    client = _client(repo, max_failures=3)
    for _ in range(3):
        assert client.get("/r/" + "B" * 43).status_code == 403
    secret = invite(repo)
    assert client.get(f"/r/{secret}").status_code == 429  # even a good link waits
    assert _client(repo).get(f"/r/{secret}").status_code == 303  # the link was not spent


def test_secrets_never_reach_the_log(repo: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="reqctl.serve")
    secret = invite(repo)
    client = _client(repo)
    _login(client, secret)
    client.get(f"/r/{secret}")  # a replay is logged too
    client.get("/r/" + "C" * 43)
    assert "/r/<secret>" in caplog.text
    assert secret not in caplog.text and "C" * 43 not in caplog.text


def test_an_invalid_item_shows_a_clear_page(repo: Path) -> None:
    client = _client(repo)
    _login(client, invite(repo))
    (repo / "requirements" / "REQ-003.md").write_text("---\nid: REQ-003\ntitle: [broken\n---\n", encoding="utf-8")
    response = client.get("/")
    assert response.status_code in (200, 500)
    assert "Traceback" not in response.text


def test_concurrent_approvals_both_land(project: Path) -> None:
    repo = review_project(project, change=False)
    text = (repo / "reqctl.yaml").read_text(encoding="utf-8")
    (repo / "reqctl.yaml").write_text(text.replace("requirement: [customer]", "requirement: [customer, pm]"),
                                      encoding="utf-8")
    git(repo, "commit", "-q", "-am", "pm approves requirements too")
    customer, pm = _client(repo), _client(repo)
    forms = [_form(_login(customer, invite(repo)), "REQ-001"), _form(_login(pm, invite(repo, PM)), "REQ-001", "pm")]
    results: list[int] = []

    def post(client: TestClient, data: dict[str, str]) -> None:
        results.append(client.post("/approve", data=data).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip((customer, pm), forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303, 303]
    text = (repo / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert f"by: {CUSTOMER}" in text and f"by: {PM}" in text and "status: approved" in text
    assert git(repo, "status", "--porcelain") == ""


def test_serve_without_the_extra_says_how_to_install_it(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "uvicorn" else real(name, *a))
    result = run_reqctl(repo, "serve")
    assert result.code == 2
    assert result.err.strip() == "error: reqctl serve needs the 'serve' extra: pip install 'reqctl[serve]'"


def test_check_passes_with_review_records(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    client.post("/request-changes", data={**_form(page, "REQ-002"), "comment": "more detail"})
    assert (repo / "reviews" / "REV-001.md").is_file()
    result = run_reqctl(repo, "check")
    assert result.code == 0, result.out + result.err


def test_the_published_site_is_browsable_read_only(repo: Path) -> None:
    client = _client(repo)
    assert client.get("/site/index.html").status_code == 401  # only with a session
    page = _login(client, invite(repo))
    assert 'href="/site/index.html"' in page
    index = client.get("/site/index.html")
    assert index.status_code == 200 and "Test project" in index.text
    csp = index.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "<script>" not in index.text
    item = client.get("/site/items/REQ-001.html")
    assert item.status_code == 200 and "Export orders" in item.text
    assert client.get("/site/assets/style.css").headers["content-type"].startswith("text/css")
    for bad in ("/site/..%2F..%2Freqctl.yaml", "/site/items/..%2F..%2F..%2Flock", "/site/.reqctl-site-marker",
                "/site/nothing.html"):
        assert client.get(bad).status_code == 404, bad
    assert client.post("/site/index.html").status_code == 405


def test_while_the_pm_works_on_a_branch_reviews_land_on_the_main_line(repo: Path) -> None:
    client = _client(repo)
    page = _login(client, invite(repo))
    branch = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/").strip()
    git(repo, "switch", "-q", branch)
    (repo / "notes.txt").write_text("the PM's own unfinished work\n", encoding="utf-8")
    tip = git(repo, "rev-parse", "HEAD").strip()
    page = client.get("/").text
    assert 'id="requirement-REQ-002-customer"' in page
    assert client.post("/approve", data=_form(page, "REQ-002")).status_code == 303
    data = {**_form(page, "REQ-001"), "comment": "weekly is not enough"}
    assert client.post("/request-changes", data=data).status_code == 303
    assert git(repo, "rev-parse", "HEAD").strip() == tip and git(repo, "branch", "--show-current").strip() == branch
    assert git(repo, "status", "--porcelain") == "?? notes.txt\n"
    assert "via: review link" in git(repo, "show", "main:requirements/REQ-002.md")
    assert "weekly is not enough" in git(repo, "show", "main:reviews/REV-001.md")
    assert git(repo, "worktree", "list").count("\n") == 1


def test_concurrent_change_request_approvals_both_land(repo: Path) -> None:
    customer, pm = _client(repo), _client(repo)
    forms = [_form(_login(customer, invite(repo)), "CR-001"), _form(_login(pm, invite(repo, PM)), "CR-001", "pm")]
    results: list[int] = []

    def post(client: TestClient, data: dict[str, str]) -> None:
        results.append(client.post("/approve", data=data).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip((customer, pm), forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303, 303]
    branch = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/").strip()
    text = git(repo, "show", f"{branch}:changes/CR-001.md")
    assert f"by: {CUSTOMER}" in text and f"by: {PM}" in text and "status: approved" in text
    assert git(repo, "worktree", "list").count("\n") == 1
