"""``reqctl import strictdoc`` against StrictDoc's own documents, and the SDoc parser under Hypothesis."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import run_reqctl

from reqctl.errors import UsageError
from reqctl.importing.strictdoc import parse_sdoc

REAL = Path(os.environ.get("REQCTL_REAL_FIXTURES", "/work/shared/fixtures/real")) / "strictdoc"
SDOCS = sorted(REAL.glob("*.sdoc")) if REAL.is_dir() else []


def _expected(paths: list[Path]) -> dict[str, dict[str, object]]:
    """Every [REQUIREMENT] block read with regular expressions, independently of the parser."""
    found: dict[str, dict[str, object]] = {}
    for path in paths:
        text = path.read_text()
        for block in re.split(r"^(?=\[)", text, flags=re.MULTILINE):
            if not block.startswith("[REQUIREMENT]\n"):
                continue
            uid = re.search(r"^UID: (.*)$", block, re.MULTILINE)
            title = re.search(r"^TITLE: (.*)$", block, re.MULTILINE)
            status = re.search(r"^STATUS: (.*)$", block, re.MULTILINE)
            parents = re.findall(r"^- TYPE: Parent\n  VALUE: (.*)$", block, re.MULTILINE)
            assert uid is not None
            one_line = re.sub(r": >>>\n.*?\n<<<$", ": >>>", block, flags=re.MULTILINE | re.DOTALL)
            fields = {name: value for name, value in re.findall(r"^([A-Z_]+): (.*)$", one_line, re.MULTILINE)
                      if name not in ("UID", "TITLE", "STATEMENT", "RELATIONS") and value != ">>>"}
            found[uid.group(1)] = {
                "title": title.group(1) if title else None,
                "status": status.group(1) if status else None,
                "parents": parents,
                "fields": fields,
            }
    return found


def _fronts(project: Path) -> dict[str, dict[str, object]]:
    out = {}
    for path in (project / "requirements").glob("*.md"):
        _, head, body = path.read_text().split("---\n", 2)
        front = yaml.safe_load(head)
        front["body"] = body
        out[str(front["source"])] = front
    return out


@pytest.mark.skipif(not SDOCS, reason="real fixtures not present")
def test_all_strictdoc_documents_import_with_counts_titles_links_and_fields(project: Path) -> None:
    expected = _expected(SDOCS)
    assert len(expected) == 272  # SOURCES.md: 69 + 133 + 36 + 19 + 15
    result = run_reqctl(project, "import", "strictdoc", *map(str, SDOCS))
    assert result.code == 0, result.err
    assert f"strictdoc: {len(expected)} created, 0 updated, 0 unchanged" in result.out
    assert "[TEXT] nodes (free text between requirements): not imported" in result.out
    fronts = _fronts(project)
    assert set(fronts) == {f"strictdoc:{uid}" for uid in expected}
    ids = {source: front["id"] for source, front in fronts.items()}
    for uid, data in expected.items():
        front = fronts[f"strictdoc:{uid}"]
        custom = front["x-strictdoc"]
        assert isinstance(custom, dict)
        if data["title"]:
            assert front["title"] == data["title"]
        assert custom.get("STATUS") == data["status"]
        for name, value in data["fields"].items():  # type: ignore[attr-defined]
            assert str(custom.get(name)) == value, (uid, name)  # MID, COMMENT, COMPLIANCE, grammar fields...
        parents = sorted(str(ids[f"strictdoc:{p}"]) for p in data["parents"])  # type: ignore[union-attr]
        assert sorted(front.get("depends_on", [])) == parents  # type: ignore[arg-type]
    sectioned = [front for front in fronts.values() if front["x-strictdoc"].get("section")]  # type: ignore[attr-defined]
    assert len(sectioned) > len(fronts) // 2
    check = run_reqctl(project, "check")
    assert check.code == 0, check.out
    again = run_reqctl(project, "import", "strictdoc", *map(str, SDOCS))
    assert f"strictdoc: 0 created, 0 updated, {len(expected)} unchanged" in again.out


@pytest.mark.skipif(not SDOCS, reason="real fixtures not present")
def test_user_guide_examples_inside_text_blocks_are_not_requirements() -> None:
    guide = REAL / "strictdoc_01_user_guide.sdoc"
    nodes = parse_sdoc(guide.read_text(), str(guide))
    assert [node.tag for node in nodes[:2]] == ["DOCUMENT", "GRAMMAR"]

    def tags(children: list) -> set[str]:  # type: ignore[type-arg]
        out: set[str] = set()
        for node in children:
            out |= {node.tag} | tags(node.children)
        return out

    assert "REQUIREMENT" not in tags(nodes)


SAMPLE = """[DOCUMENT]
TITLE: Sample

[[SECTION]]
TITLE: Outer

[REQUIREMENT]
UID: A-1
TITLE: First
STATEMENT: >>>
Line one.
[REQUIREMENT]
<<<
RELATIONS:
- TYPE: Parent
  VALUE: A-2
- TYPE: File
  VALUE: src/a.py

[[SECTION]]
TITLE: Inner

[REQUIREMENT]
UID: A-2
STATEMENT: Statement only
VERIFICATION: by test

[[/SECTION]]

[[/SECTION]]
"""


def test_sample_maps_sections_relations_and_custom_fields(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.sdoc"
    path.write_text(SAMPLE)
    result = run_reqctl(project, "import", "strictdoc", str(path))
    assert result.code == 0, result.err
    fronts = _fronts(project)
    first, second = fronts["strictdoc:A-1"], fronts["strictdoc:A-2"]
    assert first["title"] == "First" and "[REQUIREMENT]" in str(first["body"])
    assert first["depends_on"] == [second["id"]]
    assert first["x-strictdoc"]["files"] == [{"value": "src/a.py"}]  # type: ignore[index]
    assert second["title"] == "Statement only"
    assert second["x-strictdoc"]["section"] == ["Outer", "Inner"]  # type: ignore[index]
    assert second["x-strictdoc"]["VERIFICATION"] == "by test"  # type: ignore[index]
    assert "VERIFICATION -> x-strictdoc.VERIFICATION" in result.out


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[DOCUMENT]\nTITLE: x\n\n[REQUIREMENT]\nUID: A\nSTATEMENT: >>>\nnever closed\n", 6, "never closed"),
        ("[DOCUMENT]\nTITLE: x\n\n[[SECTION]]\nTITLE: s\n", 4, "[[SECTION]] is never closed"),
        ("[DOCUMENT]\nTITLE: x\n[[/SECTION]]\n", 3, "closes nothing open"),
        ("[DOCUMENT]\nTITLE: x\nlowercase line\n", 3, "expected a [NODE]"),
        ("[DOCUMENT]\nTITLE: x\n\n[REQUIREMENT]\nTITLE: no uid\n", 4, "neither UID nor MID"),
        ("[DOCUMENT]\nTITLE: x\n\n[REQUIREMENT]\nUID: A\n\n[REQUIREMENT]\nUID: A\n", 7, "UID A appears twice"),
    ],
)
def test_invalid_sdoc_is_one_line_exit_2(project: Path, tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "bad.sdoc"
    path.write_text(text)
    result = run_reqctl(project, "import", "strictdoc", str(path))
    assert result.code == 2
    assert result.err.count("\n") == 1 and f"{path}:{line}: " in result.err and message in result.err
    assert list((project / "requirements").iterdir()) == []


_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1,
                 max_size=30).map(lambda s: s.strip()).filter(bool)
_lines = st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]),
                          max_size=40).filter(lambda s: s.rstrip() != "<<<"), min_size=1, max_size=5)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_words, _lines), min_size=1, max_size=6), st.integers(0, 3))
def test_parser_round_trips_generated_documents(reqs: list[tuple[str, list[str]]], depth: int) -> None:
    """Any title and any multi-line statement come back exactly, at any section depth."""
    parts = ["[DOCUMENT]", "TITLE: Generated", ""]
    parts += [f"[[SECTION]]\nTITLE: S{level}\n" for level in range(depth)]
    for number, (title, statement) in enumerate(reqs):
        parts += [f"[REQUIREMENT]\nUID: R-{number}\nTITLE: {title}\nSTATEMENT: >>>", *statement, "<<<", ""]
    parts += ["[[/SECTION]]\n"] * depth
    nodes = parse_sdoc("\n".join(parts))
    for _ in range(depth):
        nodes = nodes[-1].children if nodes[-1].tag == "SECTION" else nodes
    found = [node for node in nodes if node.tag == "REQUIREMENT"]
    assert [(node.fields["TITLE"], node.fields["STATEMENT"]) for node in found] == [
        (title, "\n".join(statement)) for title, statement in reqs
    ]


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_parser_never_crashes(text: str) -> None:
    """Arbitrary input parses or fails with a UsageError, never another exception."""
    with contextlib.suppress(UsageError):
        parse_sdoc(text)
