"""``reqctl publish``: the static site on disk (the browser test is tests/test_site_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import git, run_reqctl
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


# --- item content and the output path are hostile input (issue 7) ---------------------------------

def files_under(folder: Path) -> set[Path]:
    """Files and links under ``folder``, leaving out git's folder and reqctl's cache (not publish's output)."""
    return {p for p in folder.rglob("*")
            if (p.is_file() or p.is_symlink()) and not {".git", ".reqctl"} & set(p.parts)}


@pytest.mark.parametrize("bad_id", ["../../x", "../../www/index", "/tmp/abs", "REQ-009/../../y", "REQ-009\n", "..\\x"])
def test_an_id_is_never_a_path(repo: Path, bad_id: str) -> None:
    import json

    (repo / "requirements" / "REQ-009.md").write_text(
        f"---\nid: {json.dumps(bad_id)}\ntitle: Evil\nstatus: draft\npriority: must\n---\nbody\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pull request")
    before = files_under(repo.parent) - files_under(repo / "out")
    result = run_reqctl(repo, "publish", "out/site")
    assert result.code == 0, result.err
    assert result.err.strip().splitlines() == [
        f"warning: requirements/REQ-009.md: id {bad_id!r} is not an item ID (PREFIX-NNN); left out of the site"]
    written = files_under(repo.parent) - before
    site = repo / "out" / "site"
    assert written and all(p.is_relative_to(site) and not p.is_symlink() for p in written), written
    assert sorted(p.name for p in (site / "items").iterdir()) == [
        "CR-001.html", "DEC-001.html", "MTG-001.html", "REQ-001.html", "REQ-002.html", "REQ-003.html",
        "RISK-001.html", "RISK-002.html"]
    assert "Evil" not in (site / "requirements.html").read_text("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_a_page_id_names_one_file_in_the_items_folder(item_id: str) -> None:
    from reqctl.ops.publish import is_page_id

    if is_page_id(item_id):
        page = Path("items") / f"{item_id}.html"
        assert page.parts == ("items", f"{item_id}.html")
        assert item_id.isascii() and item_id.isprintable() and not item_id.startswith(".")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.html").write_text("keep me", "utf-8")
    return folder


@pytest.mark.parametrize(("link", "target"), [("public", "public/site"), ("site", "site"), ("a", "a/../site")])
def test_publish_does_not_write_through_a_link_in_the_project(
    repo: Path, outside: Path, link: str, target: str
) -> None:
    (repo / link).symlink_to(outside, target_is_directory=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pull request")
    result = run_reqctl(repo, "publish", target)
    assert result.code == 2, result.err
    assert result.err.strip() == (f"error: {repo / link}: is a symbolic link inside the project; "
                                  "publish does not write through links")
    assert sorted(p.name for p in outside.parent.iterdir()) == ["outside", "proj"]
    assert [p.name for p in outside.iterdir()] == ["victim.html"]


def test_links_planted_in_a_published_site_are_replaced_not_followed(repo: Path, outside: Path) -> None:
    assert run_reqctl(repo, "publish", "site").code == 0
    page = repo / "site" / "items" / "REQ-001.html"
    page.unlink()
    page.symlink_to(outside / "victim.html")
    (repo / "site" / "reports").rename(repo / "site" / "old-reports")
    (repo / "site" / "reports").symlink_to(outside, target_is_directory=True)
    result = run_reqctl(repo, "publish", "site")
    assert result.code == 0, result.err
    assert (outside / "victim.html").read_text("utf-8") == "keep me"
    assert [p.name for p in outside.iterdir()] == ["victim.html"]
    assert not page.is_symlink() and "REQ-001" in page.read_text("utf-8")
    assert not (repo / "site" / "reports").is_symlink()


def test_a_symlinked_marker_does_not_make_a_folder_replaceable(repo: Path, outside: Path) -> None:
    other = repo / "docs"
    other.mkdir()
    (other / "keep.txt").write_text("mine", "utf-8")
    (outside / ".reqctl-site").write_text("x", "utf-8")
    (other / ".reqctl-site").symlink_to(outside / ".reqctl-site")
    result = run_reqctl(repo, "publish", "docs")
    assert result.code == 2 and "not published by reqctl" in result.err
    assert (other / "keep.txt").read_text("utf-8") == "mine"
