"""Knowledge sharing across projects: ``lessons export``, ``lessons import``, ``knowledge:`` in reqctl.yaml,
and the case library in ``report summary`` and the site (issue 10 point 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import git, run_reqctl, write_item

EXPORT = {
    "format": "reqctl-lessons", "version": 1, "project": "Acme portal", "customer": "Acme Retail",
    "exported": "2026-11-20",
    "lessons": [
        {"id": "LL-001", "title": "Freeze the data model before the demo", "date": "2026-10-01",
         "category": "requirements", "context": "B2B shop, fixed price", "links": ["https://wiki.example/dm"],
         "body": "Changes after the demo cost twice as much."},
        {"id": "LL-002", "title": "Book the customer's key users early", "category": "communication",
         "body": "Their calendars fill up two weeks ahead."},
        {"id": "LL-003", "title": "Write down who may approve", "body": "Before the first change request."},
    ],
}


def _commit(root: Path, message: str = "x") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def _export_file(tmp_path: Path, data: object = EXPORT, name: str = "acme-lessons.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def _listing(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.parts}


def test_export_writes_a_versioned_file_with_project_and_date(project: Path, tmp_path: Path) -> None:
    added = run_reqctl(project, "lesson", "add", "Freeze the data model before the demo", "--category",
                       "requirements", "--context", "B2B shop, fixed price", "--link", "https://wiki.example/dm",
                       "--relates", "REQ-001", "--date", "2026-10-01", "--body", "Costs twice.")
    assert added.code == 2  # REQ-001 does not exist: refused like every other add
    write_item(project, "requirements", "REQ-001", "title: Login")
    added = run_reqctl(project, "lesson", "add", "Freeze the data model before the demo", "--category",
                       "requirements", "--context", "B2B shop, fixed price", "--link", "https://wiki.example/dm",
                       "--relates", "REQ-001", "--date", "2026-10-01", "--body", "Costs twice.")
    assert added.code == 0, added.err
    text = (project / "lessons" / "LL-001.md").read_text(encoding="utf-8")
    assert "context: B2B shop, fixed price\nlinks:\n  - https://wiki.example/dm\n" in text
    out = tmp_path / "out.json"
    result = run_reqctl(project, "lessons", "export", "-o", str(out))
    assert result.code == 0, result.err
    assert f"wrote {out} (1 lesson)" in result.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "reqctl-lessons" and data["version"] == 1
    assert data["project"] == "Test project" and data["customer"] == "Test Customer"
    assert len(data["exported"]) == 10
    assert data["lessons"] == [{"id": "LL-001", "title": "Freeze the data model before the demo",
                                "date": "2026-10-01", "category": "requirements",
                                "context": "B2B shop, fixed price", "links": ["https://wiki.example/dm"],
                                "relates": ["REQ-001"], "body": "Costs twice."}]
    stdout = run_reqctl(project, "lessons", "export")
    assert json.loads(stdout.out) == data


def test_import_keeps_lessons_read_only_in_knowledge_and_twice_is_once(project: Path, tmp_path: Path) -> None:
    source = _export_file(tmp_path)
    first = run_reqctl(project, "lessons", "import", str(source))
    assert first.code == 0, first.err
    assert first.out.strip() == "knowledge/acme-portal.json: 3 lessons from 'Acme portal' (added)"
    kept = json.loads((project / "knowledge" / "acme-portal.json").read_text(encoding="utf-8"))
    assert kept["project"] == "Acme portal" and [x["id"] for x in kept["lessons"]] == ["LL-001", "LL-002", "LL-003"]
    assert not (project / "lessons").exists()  # not the project's own lessons
    again = run_reqctl(project, "lessons", "import", str(source))
    assert again.out.strip() == "knowledge/acme-portal.json: 3 lessons from 'Acme portal' (unchanged)"
    assert [p.name for p in (project / "knowledge").iterdir()] == ["acme-portal.json"]
    newer = dict(EXPORT, exported="2026-12-01", lessons=EXPORT["lessons"][:1])
    updated = run_reqctl(project, "lessons", "import", str(_export_file(tmp_path, newer, "newer.json")))
    assert updated.out.strip() == "knowledge/acme-portal.json: 1 lesson from 'Acme portal' (updated)"
    assert run_reqctl(project, "check").code == 0  # knowledge/ is not item data


@pytest.mark.parametrize(("content", "message"), [
    ('{"a": ', "bad.json:1: not JSON: Expecting value (column 7)"),
    ("[1, 2]", 'bad.json: not a reqctl lessons export (no "format": "reqctl-lessons")'),
    ('{"format": "reqctl-lessons", "version": 2}', "bad.json: format version 2 is not supported: this reqctl reads"),
    (json.dumps(dict(EXPORT, project="")), "bad.json: project: String should have at least 1 character"),
    (json.dumps(dict(EXPORT, extra=1)), "bad.json: extra: Extra inputs are not permitted"),
    (json.dumps(dict(EXPORT, lessons=[{"id": "LL-1"}])), "bad.json: lessons.0.title: required field is missing"),
    (json.dumps(dict(EXPORT, lessons=[EXPORT["lessons"][0]] * 2)), "bad.json: lesson LL-001 appears twice"),
    (json.dumps(dict(EXPORT, exported="soon")), "bad.json: exported: Input should be a valid date"),
])
def test_bad_export_is_one_line_and_nothing_is_written(
    project: Path, tmp_path: Path, content: str, message: str
) -> None:
    good = _export_file(tmp_path)
    bad = _export_file(tmp_path, content, "bad.json")
    before = _listing(project)
    result = run_reqctl(project, "lessons", "import", str(good), str(bad))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.err
    assert _listing(project) == before and not (project / "knowledge").exists()


def test_import_refuses_own_export_and_two_exports_of_one_project(project: Path, tmp_path: Path) -> None:
    own = _export_file(tmp_path, dict(EXPORT, project="Test project"), "own.json")
    refused = run_reqctl(project, "lessons", "import", str(own))
    assert refused.code == 2 and "is an export of this project (Test project)" in refused.err
    a, b = _export_file(tmp_path, name="a.json"), _export_file(tmp_path, name="b.json")
    both = run_reqctl(project, "lessons", "import", str(a), str(b))
    assert both.code == 2 and "are both exports of 'Acme portal'" in both.err
    missing = run_reqctl(project, "lessons", "import", str(tmp_path / "nope.json"))
    assert missing.code == 2 and missing.err.strip().endswith("nope.json: cannot read file: No such file or directory")
    assert not (project / "knowledge").exists()


def test_chinese_project_names_get_a_stable_file_name(project: Path, tmp_path: Path) -> None:
    zh = _export_file(tmp_path, dict(EXPORT, project="华东制造 ERP 实施"), "zh.json")
    result = run_reqctl(project, "lessons", "import", str(zh))
    assert result.code == 0, result.err
    name = result.out.split(":", 1)[0]
    assert name.startswith("knowledge/erp-") and name.endswith(".json")
    assert run_reqctl(project, "lessons", "import", str(zh)).out.startswith(f"{name}: 3 lessons")


def test_projects_whose_names_differ_only_in_case_get_two_files(project: Path, tmp_path: Path) -> None:
    assert run_reqctl(project, "lessons", "import", str(_export_file(tmp_path))).code == 0
    other = run_reqctl(project, "lessons", "import",
                       str(_export_file(tmp_path, dict(EXPORT, project="ACME Portal"), "other.json")))
    assert other.code == 0 and other.out.startswith("knowledge/acme-portal-") and "(added)" in other.out
    assert len(list((project / "knowledge").iterdir())) == 2
    again = run_reqctl(project, "lessons", "import", str(tmp_path / "other.json"))
    assert "(unchanged)" in again.out


def _knowledge_config(root: Path, paths: str) -> None:
    config = root / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"knowledge: {paths}\n", encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_summary_and_site_show_the_case_library_by_category(project: Path, tmp_path: Path, lang: str) -> None:
    assert run_reqctl(project, "lessons", "import", str(_export_file(tmp_path))).code == 0
    (project / "vendor").mkdir()
    other = dict(EXPORT, project="Beta ERP", exported="2026-06-01",
                 lessons=[{"id": "LL-009", "title": "Sign off test data", "category": "testing", "body": "Early."}])
    (project / "vendor" / "beta.json").write_text(json.dumps(other), encoding="utf-8")
    _knowledge_config(project, "[vendor/beta.json]")
    _commit(project)
    md = run_reqctl(project, "report", "summary", "--lang", lang)
    assert md.code == 0, md.err
    if lang == "en":
        assert "## Lessons from earlier projects" in md.out
        assert ("From 2 projects: Beta ERP (exported 1 Jun 2026, 1 lesson), "
                "Acme portal (exported 20 Nov 2026, 3 lessons).") in md.out
        assert ("- **Freeze the data model before the demo** — Acme portal, LL-001 · _B2B shop, fixed price_"
                in md.out)
        assert "  See: https://wiki.example/dm" in md.out
        headings = [line for line in md.out.splitlines() if line.startswith("### ")]
        assert headings[-4:] == ["### communication", "### requirements", "### testing", "### Other"]
    else:
        assert "## 案例库：往期项目经验" in md.out
        assert "- **Freeze the data model before the demo**（Acme portal，LL-001；B2B shop, fixed price）" in md.out
        assert "### 其他" in md.out
    data = json.loads(run_reqctl(project, "report", "summary", "--format", "json").out)["knowledge"]
    assert [s["project"] for s in data["sources"]] == ["Beta ERP", "Acme portal"] and data["total"] == 4
    html = run_reqctl(project, "report", "summary", "--format", "html", "--lang", lang).out
    assert '<h2 id="knowledge">' in html and "Sign off test data" in html
    site = tmp_path / "site"
    assert run_reqctl(project, "publish", str(site), "--lang", lang).code == 0
    page = (site / "knowledge.html").read_text(encoding="utf-8")
    assert ("<h1>案例库：往期项目经验</h1>" if lang == "zh" else "<h1>Lessons from earlier projects</h1>") in page
    assert "<h2>requirements</h2>" in page and "Book the customer&#39;s key users early" in page
    assert 'href="knowledge.html"' in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ["../outside.json", "/etc/passwd", "vendor/../../x.json", "~/x.json", ""])
def test_knowledge_paths_outside_the_project_are_config_errors(project: Path, path: str) -> None:
    _knowledge_config(project, json.dumps([path]))
    result = run_reqctl(project, "report", "summary")
    assert result.code == 2
    assert result.err.startswith("error: reqctl.yaml") and "is not a path inside the project" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_knowledge_never_follows_a_symlink_out(project: Path, tmp_path: Path) -> None:
    secret = _export_file(tmp_path, name="secret.json")
    (project / "linked.json").symlink_to(secret)
    _knowledge_config(project, "[linked.json]")
    result = run_reqctl(project, "report", "summary")
    assert result.code == 2
    assert result.err.strip() == ("error: reqctl.yaml: knowledge: linked.json: linked.json is a symbolic link; "
                                  "reqctl does not follow links out of files")
    (project / "linked.json").unlink()
    (project / "vendor").symlink_to(tmp_path)
    _knowledge_config(project, "[vendor/secret.json]")
    folder = run_reqctl(project, "report", "summary")
    assert folder.code == 2 and "vendor is a symbolic link" in folder.err
    (project / "vendor").unlink()
    (project / "knowledge").mkdir()
    (project / "knowledge" / "planted.json").symlink_to(secret)
    config = project / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("knowledge: [vendor/secret.json]\n", ""), "utf-8")
    planted = run_reqctl(project, "report", "summary")
    assert planted.code == 2 and "knowledge/planted.json" in planted.err and "symbolic link" in planted.err


def test_a_broken_knowledge_file_names_itself(project: Path) -> None:
    (project / "knowledge").mkdir()
    (project / "knowledge" / "x.json").write_text('{"format": "reqctl-lessons", "version": 1}', encoding="utf-8")
    result = run_reqctl(project, "report", "summary")
    assert result.code == 2
    assert result.err.strip().startswith("error: knowledge/x.json: project: required field is missing")
