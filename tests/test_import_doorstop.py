"""``reqctl import doorstop`` against real Doorstop trees (../shared/fixtures/real)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from tests.conftest import git, run_reqctl

from reqctl.importing.doorstop import read_tree

REAL = Path(os.environ.get("REQCTL_REAL_FIXTURES", "/work/shared/fixtures/real"))
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="real fixtures not present")

TREES = ["doorstop", "doorstop-antweight", "doorstop-pyserv", "doorstop-testdata/files",
         "doorstop-testdata/files_md"]


def _source_items(tree: Path) -> dict[str, dict[str, object]]:
    """Every Doorstop item under ``tree``, counted independently: item files next to or below a .doorstop.yml."""
    docs = {path.parent for path in tree.rglob(".doorstop.yml")}
    items: dict[str, dict[str, object]] = {}
    for path in [*tree.rglob("*.yml"), *tree.rglob("*.md")]:
        if path.name.startswith("."):
            continue
        doc = next((parent for parent in path.parents if parent in docs), None)
        if doc is None:
            continue
        settings = yaml.safe_load((doc / ".doorstop.yml").read_text())["settings"]
        if path.suffix == ".md" and settings.get("itemformat") != "markdown":
            continue
        text = path.read_text()
        if path.suffix == ".md":
            front, _, body = text.partition("\n---\n")
            data = yaml.safe_load(front.removeprefix("---\n"))
            data["text"] = body
        else:
            data = yaml.safe_load(text)
        data["prefix"] = settings["prefix"]
        items[path.stem] = data
    return items


def _links(data: dict[str, object]) -> list[str]:
    out: list[str] = []
    for entry in data.get("links") or []:  # type: ignore[attr-defined]
        out.extend(entry if isinstance(entry, dict) else [entry])
    return [str(link) for link in out]


def _front(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text().split("---\n")[1])


@pytest.mark.parametrize("tree", TREES)
def test_every_fixture_tree_imports_with_counts_titles_links_and_custom_fields(project: Path, tree: str) -> None:
    source = _source_items(REAL / tree)
    active = {uid: data for uid, data in source.items() if data.get("active", True) is not False}
    result = run_reqctl(project, "import", "doorstop", str(REAL / tree))
    assert result.code == 0, result.err
    assert f"doorstop: {len(active)} created, 0 updated, 0 unchanged" in result.out
    for uid in source:
        if uid not in active:
            assert f"{uid} (" in result.out and "active: false, not imported" in result.out
    files = {str(_front(path)["source"]): path for path in (project / "requirements").glob("*.md")}
    assert set(files) == {f"doorstop:{uid}" for uid in active}
    ids = {source_key: _front(path)["id"] for source_key, path in files.items()}
    for uid, data in active.items():
        front = _front(files[f"doorstop:{uid}"])
        header = str(data.get("header") or "").strip()
        if header:
            assert front["title"] == " ".join(header.split())
        else:
            assert str(front["title"]).strip("*# ") in str(data.get("text") or uid)
        expected_links = sorted(str(ids[f"doorstop:{link}"]) for link in _links(data) if link in active)
        assert sorted(front.get("depends_on", [])) == expected_links  # type: ignore[arg-type]
        custom = front["x-doorstop"]
        assert isinstance(custom, dict)
        assert custom["document"] == data["prefix"]
        assert data["prefix"] in front["tags"]  # type: ignore[operator]
        if data.get("normative") is False:
            assert "non-normative" in front["tags"]  # type: ignore[operator]
        for key in ("rationale", "type", "verified-by", "doc", "CUSTOM-ATTRIB"):
            if key in data and data[key] is not None:
                assert custom[key] == data[key], (uid, key)
        assert custom["reviewed"] is bool(data.get("reviewed"))
    check = run_reqctl(project, "check")
    assert check.code == 0, check.out + check.err
    assert "R003" not in check.out


def test_second_import_changes_nothing_and_commits_nothing(project: Path) -> None:
    tree = str(REAL / "doorstop")
    assert run_reqctl(project, "import", "doorstop", tree).code == 0
    before = {path.name: path.read_bytes() for path in (project / "requirements").iterdir()}
    again = run_reqctl(project, "import", "doorstop", tree)
    assert "doorstop: 0 created, 0 updated, 57 unchanged" in again.out
    assert {path.name: path.read_bytes() for path in (project / "requirements").iterdir()} == before
    assert git(project, "log", "--oneline").strip().count("\n") == 0  # still only the initial commit
    assert git(project, "diff", "--cached", "--name-only") == ""


def test_dry_run_lists_and_writes_nothing(project: Path) -> None:
    result = run_reqctl(project, "import", "doorstop", str(REAL / "doorstop"), "--dry-run")
    assert result.code == 0
    assert "would create REQ-001  doorstop:" in result.out and "dry run: nothing written" in result.out
    assert list((project / "requirements").iterdir()) == []


def test_keep_ids_and_prefix_map(project: Path) -> None:
    tree = str(REAL / "doorstop")
    result = run_reqctl(project, "import", "doorstop", tree, "--keep-ids", "--prefix-map", "TUT=tutorial")
    assert result.code == 0, result.err
    front = _front(project / "requirements/REQ-003.md")
    assert front["source"] == "doorstop:REQ003" and front["title"] == "Identifiers"
    tutorial = [p for p in (project / "requirements").glob("*.md") if _front(p)["source"] == "doorstop:TUT001"]
    assert "tutorial" in _front(tutorial[0])["tags"]  # type: ignore[operator]


def test_updated_source_updates_only_the_changed_field(project: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".doorstop.yml").write_text("settings:\n  prefix: SYS\n  digits: 3\n  sep: ''\n")
    (tree / "SYS001.yml").write_text("active: true\nheader: Boot\nlevel: 1.0\nlinks: []\ntext: |\n  It boots.\n")
    assert run_reqctl(project, "import", "doorstop", str(tree)).code == 0
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "import")
    (tree / "SYS001.yml").write_text("active: true\nheader: Boot fast\nlevel: 1.0\nlinks: []\ntext: |\n  It boots.\n")
    result = run_reqctl(project, "import", "doorstop", str(tree))
    assert "update REQ-001  doorstop:SYS001  (title)" in result.out
    assert git(project, "diff", "--numstat").split() == ["1", "1", "requirements/REQ-001.md"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("SYS001.yml", "header: [unclosed\n", "SYS001.yml:2: YAML error"),
        ("SYS001.yml", "- just\n- a list\n", "SYS001.yml:1: a Doorstop item must be a YAML mapping"),
        ("SYS001.yml", "header: x\nlinks: 3\n", "SYS001.yml: 'links' is not a list"),
        ("SYS001.yml", "header: !!python/object/apply:os.system ['echo hi']\n", "SYS001.yml:1: YAML error"),
    ],
)
def test_invalid_input_is_one_line_exit_2_nothing_written(
    project: Path, tmp_path: Path, name: str, content: str, expected: str
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".doorstop.yml").write_text("settings:\n  prefix: SYS\n")
    (tree / "SYS000.yml").write_text("header: fine\n")
    (tree / name).write_text(content)
    result = run_reqctl(project, "import", "doorstop", str(tree))
    assert result.code == 2
    assert result.err.count("\n") == 1 and expected in result.err
    assert list((project / "requirements").iterdir()) == []


def test_not_a_doorstop_tree(project: Path, tmp_path: Path) -> None:
    result = run_reqctl(project, "import", "doorstop", str(tmp_path))
    assert result.code == 2 and "no Doorstop document" in result.err


def test_symlinked_items_are_not_followed(project: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".doorstop.yml").write_text("settings:\n  prefix: SYS\n")
    secret = tmp_path / "secret.yml"
    secret.write_text("header: secret\n")
    (tree / "SYS001.yml").symlink_to(secret)
    plan = read_tree(tree)
    assert plan.items == []
