"""Open the published site in headless Chromium (Debian's chromium driven by playwright).

Checks: no console errors, no broken internal links, the list filter works,
and a click from the dashboard to an item and back. Saves screenshots to docs/.
Skips (with the reason) only when chromium or the playwright package is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import run_reqctl
from tests.report_fixtures import build_history

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parent.parent / "docs"


def _browser_or_skip():  # type: ignore[no-untyped-def]
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    return sync_playwright


def test_site_in_chromium(tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    root = tmp_path / "proj"
    root.mkdir()
    build_history(root)
    assert run_reqctl(root, "publish", "site").code == 0
    site = root / "site"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("requestfailed", lambda req: errors.append(f"failed: {req.url}"))

        visited: set[str] = set()
        todo = [(site / "index.html").as_uri()]
        while todo:
            url = todo.pop()
            if url in visited:
                continue
            visited.add(url)
            page.goto(url)
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            for href in hrefs:
                target = href.split("#")[0]
                assert target.startswith("file://"), f"{url} links outside the site: {href}"
                assert Path(target.removeprefix("file://")).is_file(), f"{url}: broken link {href}"
                todo.append(target)
        assert len(visited) >= 15
        assert errors == []

        page.goto((site / "index.html").as_uri())
        page.screenshot(path=str(DOCS / "site-dashboard.png"), full_page=True)
        page.click("text=REQ-003")
        assert page.url.endswith("items/REQ-003.html")
        assert page.locator("h1").inner_text().startswith("REQ-003")
        page.go_back()
        assert page.url.endswith("index.html")

        page.goto((site / "requirements.html").as_uri())
        page.fill("#filter", "invoices")
        assert page.locator("#count").inner_text() == "1"
        assert page.locator("#items tbody tr:not([hidden])").count() == 1

        page.goto((site / "reports" / "weekly.html").as_uri())
        assert page.locator("svg").count() >= 2

        # The README's picture: the standalone HTML report of a week with activity.
        weekly = run_reqctl(root, "report", "weekly", "--since", "2026-11-09", "--until", "2026-11-15",
                            "--format", "html", "-o", "weekly.html")
        assert weekly.code == 0, weekly.err
        page.goto((root / "weekly.html").as_uri())
        assert "REQ-001" in page.content() and page.locator("svg").count() >= 2
        page.screenshot(path=str(DOCS / "weekly-report.png"), full_page=True)
        assert errors == []
        browser.close()
