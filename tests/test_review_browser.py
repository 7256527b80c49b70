"""End to end: a real 'reqctl serve' (uvicorn on 127.0.0.1) driven by headless Chromium (Debian's, via playwright).

Invite, open the link, approve a requirement and a change request, request
changes with a comment; filter a list of the read-only site (its script is a
static file the CSP allows); then the git log shows the customer's commits,
'reqctl check' passes, and Ctrl-C stops the server cleanly with no secret in
its output.  Saves docs/review-page.png for the README.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, git, run_reqctl
from tests.review_fixtures import RECORDER, invite, review_project
from tests.test_site_browser import ARGS, CHROMIUM, DOCS, _browser_or_skip

pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.communicate()}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error page means it is up
                return
            time.sleep(0.2)
    raise AssertionError("the server did not start")


@pytest.mark.slow
def test_customer_reviews_in_chromium(project: Path) -> None:
    sync_playwright = _browser_or_skip()
    repo = review_project(project)
    port = _free_port()
    secret = invite(repo, CUSTOMER, "--base-url", f"http://127.0.0.1:{port}")
    server = subprocess.Popen(
        [sys.executable, "-m", "reqctl", "serve", "--port", str(port)],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/", server)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(f"{base}/r/{secret}")
            assert page.url == f"{base}/"  # the secret left the address bar
            assert page.locator("section.review").count() == 3  # REQ-001, REQ-002, CR-001
            page.screenshot(path=str(DOCS / "review-page.png"), full_page=False)

            page.locator("#requirement-REQ-001-customer button.approve").click()
            assert "Approved REQ-001 as customer." in page.locator(".notice").inner_text()
            page.locator("#change-CR-001-customer button.approve").click()
            assert "Approved CR-001 as customer." in page.locator(".notice").inner_text()
            page.fill("#requirement-REQ-002-customer textarea", "Please support single sign-on too.")
            page.locator("#requirement-REQ-002-customer button.request").click()
            assert "REV-001" in page.locator(".notice").inner_text()
            assert "Please support single sign-on too." in page.content()

            # The published site under the server's CSP (script-src 'self'): the list filter runs.
            page.goto(f"{base}/site/requirements.html")
            rows = page.locator("#items tbody tr")
            assert rows.count() == 2
            page.fill("#filter", "export")
            assert page.locator("#items tbody tr:not([hidden])").count() == 1
            assert page.locator("#items tbody tr:not([hidden])").inner_text().startswith("REQ-001")
            assert page.locator("#count").inner_text() == "1"
            page.fill("#filter", "")
            assert page.locator("#items tbody tr:not([hidden])").count() == 2
            page.goto(f"{base}/site/reviews.html")
            assert "Please support single sign-on too." in page.locator("#items").inner_text()
            page.fill("#filter", "sign-on")
            assert page.locator("#items tbody tr:not([hidden])").count() == 1

            replay = browser.new_page()
            replay.goto(f"{base}/r/{secret}")
            assert "already used" in replay.content()
            assert errors == []
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            out, err = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            out, err = server.communicate()
    assert server.returncode == 0, err
    assert secret not in out + err and "Traceback" not in err
    assert "/r/<secret>" in err

    log = git(repo, "log", "--all", "--format=%ae %ce %s")
    assert f"{CUSTOMER} {RECORDER} approve REQ-001 as customer" in log
    assert f"{CUSTOMER} {RECORDER} CR-001: approved by {CUSTOMER} (customer)" in log
    assert f"{CUSTOMER} {RECORDER} REQ-002: changes requested" in log
    assert git(repo, "status", "--porcelain") == ""
    check = run_reqctl(repo, "check")
    assert check.code == 0, check.out + check.err
    verified = run_reqctl(repo, "check", "--verify-approvals")
    assert verified.code == 0, verified.out + verified.err
    git(repo, "switch", "-q", git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/").strip())
    on_branch = run_reqctl(repo, "check", "--verify-approvals")
    assert "G003" not in on_branch.out, on_branch.out
