"""``reqctl publish``: the static site on disk (the browser test is tests/test_site_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import run_reqctl
from tests.report_fixtures import build_history


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    build_history(root)
    return root


def internal_links(site: Path) -> list[tuple[Path, str]]:
    found = []
    for page in site.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"#]+)', page.read_text(encoding="utf-8")):
            if not href.startswith(("http:", "https:", "mailto:")):
                found.append((page, href))
    return found


def test_publish_writes_a_linked_site(repo: Path) -> None:
    result = run_reqctl(repo, "publish", "site")
    assert result.code == 0, result.err
    site = repo / "site"
    for rel in ("index.html", "requirements.html", "items/REQ-001.html", "items/CR-001.html",
                "reports/weekly.html", "reports/srs.html", "reports/risk-register.html", "assets/style.css"):
        assert (site / rel).is_file(), rel
    broken = [(p, h) for p, h in internal_links(site) if not (p.parent / h).resolve().is_file()]
    assert broken == []
    item = (site / "items" / "REQ-002.html").read_text(encoding="utf-8")
    assert '<a href="../items/REQ-001.html">REQ-001</a>' in item
    assert "<script" not in item and "&lt;script&gt;" in item
    assert "week 1: first requirements" in item
    assert "@media print" in (site / "assets" / "style.css").read_text(encoding="utf-8")


def test_publish_replaces_its_own_site_but_not_other_folders(repo: Path) -> None:
    assert run_reqctl(repo, "publish", "site").code == 0
    (repo / "site" / "items" / "STALE.html").write_text("old", encoding="utf-8")
    assert run_reqctl(repo, "publish", "site").code == 0
    assert not (repo / "site" / "items" / "STALE.html").exists()
    other = repo / "docs"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    result = run_reqctl(repo, "publish", "docs")
    assert result.code == 2
    assert "not empty and was not published by reqctl" in result.err
    assert (other / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_failed_publish_leaves_site_untouched(repo: Path) -> None:
    assert run_reqctl(repo, "publish", "site").code == 0
    before = (repo / "site" / "index.html").read_text(encoding="utf-8")
    (repo / "templates").mkdir()
    (repo / "templates" / "site_item.html.j2").write_text("{{ ''.__class__ }}", encoding="utf-8")
    result = run_reqctl(repo, "publish", "site")
    assert result.code == 2
    assert "templates/site_item.html.j2" in result.err
    assert (repo / "site" / "index.html").read_text(encoding="utf-8") == before
    assert [p.name for p in repo.iterdir() if p.name.startswith(".site")] == []
