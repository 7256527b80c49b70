"""The README's picture of a Chinese weekly report: the zh example project in a fresh repository, week 2026-W48.

Shows the overall status (with the PM's override and its reason) and the PM's
note at the top of the HTML report, in headless Chromium; saves
docs/weekly-report-zh.png. Skips like test_site_browser when Chromium or
playwright is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import git, run_reqctl
from tests.report_fixtures import commit_at
from tests.test_site_browser import ARGS, CHROMIUM, DOCS, _browser_or_skip

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "zh-erp"


def test_zh_weekly_report_screenshot(tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    root = tmp_path / "zh-erp"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q", "-b", "main")
    commit_at(root, "2026-11-24", "项目资料")
    result = run_reqctl(root, "report", "weekly", "--week", "2026-W48", "--format", "html", "-o", "weekly.html")
    assert result.code == 0, result.err
    html = (root / "weekly.html").read_text(encoding="utf-8")
    assert "总体状态：黄" in html and "按规则计算为：红" in html
    assert "<h2>本周总结（项目经理）</h2>" in html and "<h2>需要客户支持</h2>" in html
    assert "2026年11月23日至11月29日" in html
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((root / "weekly.html").as_uri())
        assert page.locator(".rag-title").inner_text() == "总体状态：黄"
        page.screenshot(path=str(DOCS / "weekly-report-zh.png"))
        browser.close()
    assert errors == []
