"""``reqctl import reqif`` against the real ReqIF files (../shared/fixtures/real/reqif) and as attacks."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import run_reqctl, write_item

from reqctl.importing import reqif_import
from reqctl.importing.xhtml import xhtml_to_markdown

REAL = Path(os.environ.get("REQCTL_REAL_FIXTURES", "/work/shared/fixtures/real")) / "reqif"
FILES = sorted(path.name for path in REAL.glob("*.reqif*")) if REAL.is_dir() else []
TITLE_NAMES = ("ReqIF.ChapterName", "ReqIF.Name")
SIMPLE = ("STRING", "INTEGER", "REAL", "BOOLEAN", "DATE")
XHTML = object()  # marks an XHTML attribute in _expected


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _documents(path: Path) -> list[ET.Element]:
    if path.suffix == ".reqifz":
        with zipfile.ZipFile(path) as archive:
            return [ET.fromstring(archive.read(name)) for name in archive.namelist() if name.endswith(".reqif")]
    return [ET.parse(path).getroot()]


def _expected(path: Path) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """SPEC-OBJECTs (identifier -> {definition long name: text}) and relations, read with ElementTree."""
    objects: dict[str, dict[str, Any]] = {}
    relations: list[tuple[str, str]] = []
    for root in _documents(path):
        names = {
            el.get("IDENTIFIER"): el.get("LONG-NAME") or el.get("IDENTIFIER")
            for el in root.iter() if _local(el.tag).startswith("ATTRIBUTE-DEFINITION-")
        }
        enum_names = {
            el.get("IDENTIFIER"): el.get("LONG-NAME") or next(
                (sub.get("KEY") for sub in el.iter() if _local(sub.tag) == "EMBEDDED-VALUE"), el.get("IDENTIFIER"))
            for el in root.iter() if _local(el.tag) == "ENUM-VALUE"
        }
        for obj in (el for el in root.iter() if _local(el.tag) == "SPEC-OBJECT"):
            values: dict[str, Any] = {"": obj.get("LONG-NAME") or ""}
            for value in obj.iter():
                kind = _local(value.tag).removeprefix("ATTRIBUTE-VALUE-")
                if kind not in SIMPLE and kind not in ("ENUMERATION", "XHTML"):
                    continue
                ref = next(el.text for el in value.iter() if _local(el.tag).startswith("ATTRIBUTE-DEFINITION-"))
                name = names.get(ref, ref) or str(ref)
                if kind in SIMPLE:
                    values[name] = value.get("THE-VALUE") or ""
                elif kind == "ENUMERATION":
                    chosen = [enum_names.get(el.text, el.text) for el in value.iter()
                              if _local(el.tag) == "ENUM-VALUE-REF"]
                    values[name] = chosen[0] if len(chosen) == 1 else chosen
                else:
                    values[name] = XHTML
            objects[str(obj.get("IDENTIFIER"))] = values
        for rel in (el for el in root.iter() if _local(el.tag) == "SPEC-RELATION"):
            ends = {
                _local(end.tag): next(el.text for el in end.iter() if _local(el.tag) == "SPEC-OBJECT-REF")
                for end in rel if _local(end.tag) in ("SOURCE", "TARGET")
            }
            relations.append((str(ends["SOURCE"]), str(ends["TARGET"])))
    return objects, relations


def _fronts(project: Path) -> dict[str, dict[str, object]]:
    out = {}
    for path in (project / "requirements").glob("*.md"):
        _, head, body = path.read_text().split("---\n", 2)
        front = yaml.safe_load(head)
        front["body"] = body
        out[str(front["source"])] = front
    return out


@pytest.mark.skipif(not FILES, reason="real fixtures not present")
@pytest.mark.parametrize("name", FILES)
def test_every_real_reqif_file_imports(project: Path, name: str) -> None:
    objects, relations = _expected(REAL / name)
    result = run_reqctl(project, "import", "reqif", str(REAL / name))
    assert result.code == 0, result.err
    assert f"reqif: {len(objects)} created, 0 updated, 0 unchanged" in result.out
    fronts = _fronts(project)
    assert set(fronts) == {f"reqif:{identifier}" for identifier in objects}
    ids = {source: front["id"] for source, front in fronts.items()}
    for identifier, values in objects.items():
        front = fronts[f"reqif:{identifier}"]
        custom = front["x-reqif"]
        assert isinstance(custom, dict)
        title = next((values[key] for key in TITLE_NAMES
                      if isinstance(values.get(key), str) and values[key].strip()), None)
        if title is not None:
            assert front["title"] == " ".join(title.split())
        elif values[""]:
            assert front["title"] == values[""]
        for key, value in values.items():
            if not key or key in TITLE_NAMES:
                continue
            if value is XHTML:  # rich text: the body (the text attribute) or kept as Markdown
                assert key in custom or key.lower() in reqif_import.TEXT_NAMES, (identifier, key)
            elif isinstance(value, list):  # an enumeration with several values: their names
                assert custom.get(key) == value, (identifier, key)
            else:  # string, integer, real, boolean, date and one-value enumerations, as written
                assert str(custom.get(key)) == value or value.strip() in str(front["body"]), (identifier, key)
        expected_links = sorted(
            {str(ids[f"reqif:{target}"]) for source, target in relations
             if source == identifier and f"reqif:{target}" in ids}
        )
        assert sorted(front.get("depends_on", [])) == expected_links  # type: ignore[arg-type]
    dangling = [pair for pair in relations if f"reqif:{pair[0]}" not in ids]
    for source, _target in dangling:
        assert f"SPEC-RELATION from unknown SPEC-OBJECT {source}: left out" in result.out
    again = run_reqctl(project, "import", "reqif", str(REAL / name))
    assert f"reqif: 0 created, 0 updated, {len(objects)} unchanged" in again.out
    check = run_reqctl(project, "check")
    assert check.code == 0, check.out


@pytest.mark.skipif(not FILES, reason="real fixtures not present")
def test_hierarchy_and_xhtml_body(project: Path) -> None:
    assert run_reqctl(project, "import", "reqif", str(REAL / "strictdoc-export-two-documents.reqif")).code == 0
    fronts = _fronts(project)
    sections = sorted(
        (str(f["x-reqif"]["specification"]), str(f["x-reqif"]["section"]))  # type: ignore[index]
        for f in fronts.values()
    )
    assert len({spec for spec, _ in sections}) == 2  # two SPECIFICATIONs
    assert any("." in section for _, section in sections)  # nested


def _reqif(body: str = "", doctype: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">
  <THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>t{body}</TITLE></REQ-IF-HEADER></THE-HEADER>
  <CORE-CONTENT><REQ-IF-CONTENT>
    <SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="o1" LONG-NAME="One" LAST-CHANGE="2020-01-01T00:00:00">
      <TYPE><SPEC-OBJECT-TYPE-REF>t1</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT></SPEC-OBJECTS>
  </REQ-IF-CONTENT></CORE-CONTENT>
</REQ-IF>
"""


def test_minimal_file_imports(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.reqif"
    path.write_text(_reqif())
    result = run_reqctl(project, "import", "reqif", str(path))
    assert result.code == 0, result.err
    assert "create REQ-001  reqif:o1  One" in result.out


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!doctype r SYSTEM "http://example.com/x.dtd">',
    ],
)
def test_entities_and_doctype_are_refused(project: Path, tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "evil.reqif"
    path.write_text(_reqif("&x;" if "file" in doctype else "", doctype))
    result = run_reqctl(project, "import", "reqif", str(path))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "refused: the XML declares a DOCTYPE" in result.err
    assert list((project / "requirements").iterdir()) == []


def test_malformed_xml_is_one_line_with_line_number(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.reqif"
    path.write_text(_reqif().replace("</SPEC-OBJECTS>", ""))
    result = run_reqctl(project, "import", "reqif", str(path))
    assert result.code == 2 and result.err.count("\n") == 1
    assert f"{path}:" in result.err and "not a valid ReqIF file" in result.err
    assert list((project / "requirements").iterdir()) == []


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_reqifz_path_traversal_is_refused(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "evil.reqifz"
    path.write_bytes(_zip({"../../outside.reqif": _reqif().encode()}))
    result = run_reqctl(project, "import", "reqif", str(path))
    assert result.code == 2 and "unsafe path" in result.err
    assert not (tmp_path.parent / "outside.reqif").exists()


def test_reqifz_size_cap(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reqif_import, "MAX_FILE_BYTES", 100_000)
    path = tmp_path / "bomb.reqifz"
    path.write_bytes(_zip({"a.reqif": _reqif().encode() + b" " * 1_000_000}))
    assert path.stat().st_size < 100_000
    result = run_reqctl(project, "import", "reqif", str(path))
    assert result.code == 2 and "expands beyond" in result.err


def test_not_a_zip(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.reqifz"
    path.write_bytes(b"not a zip")
    result = run_reqctl(project, "import", "reqif", str(path))
    assert result.code == 2 and "not a ZIP archive" in result.err


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<div>plain</div>", "plain"),
        ("<div><p>One <b>bold</b> and <i>it</i></p><p>Two</p></div>", "One **bold** and *it*\n\nTwo"),
        ("<div><ul><li>a</li><li>b</li></ul></div>", "- a\n- b"),
        ("<div><ol><li>a</li><li>b</li></ol></div>", "1. a\n2. b"),
        ('<div><a href="http://x.org">x</a></div>', "[x](http://x.org)"),
        ("<div><table><tr><th>h</th></tr><tr><td>c|d</td></tr></table></div>", "| h |\n|---|\n| c\\|d |"),
        ("<xhtml:div><xhtml:h2>Head</xhtml:h2>text</xhtml:div>", "## Head\n\ntext"),
        ("&lt;not a tag&gt;", "<not a tag>"),
    ],
)
def test_xhtml_to_markdown(html: str, markdown: str) -> None:
    assert xhtml_to_markdown(html) == markdown


# The one-paragraph shortcut of xhtml_to_markdown gives what the full converter gives.
_PIECE = st.one_of(
    st.text(st.sampled_from(list("ab 中文 \t\n\r>.,*#-1")), min_size=1, max_size=12),
    st.sampled_from(["<b>", "</b>", "<strong>", "</strong>", "<i>", "</i>", "<em>", "</em>", "<xhtml:b>",
                     "</xhtml:b>", "<xhtml:em>", "</xhtml:em>"]),
)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECE, max_size=10), wrapper=st.sampled_from(["div", "p", "xhtml:div", "xhtml:p"]),
       around=st.sampled_from(["", " ", "\n  "]))
def test_one_paragraph_shortcut_matches_the_converter(pieces: list[str], wrapper: str, around: str) -> None:
    from reqctl.importing import xhtml

    fragment = f"{around}<{wrapper}>{''.join(pieces)}</{wrapper}>{around}"
    fast = xhtml._one_paragraph(fragment)
    assert fast is not None
    converter = xhtml._Converter()
    converter.feed(fragment)
    converter.close()
    assert fast == xhtml._finish("".join(converter.out))


def _read_back(text: str) -> list[Any]:
    """Everything the importer takes from a parsed ReqIF text: object values, relations, hierarchy."""
    from reqif.parser import ReqIFParser

    content = ReqIFParser.parse_from_string(text).core_content.req_if_content
    objects = [(o.identifier, o.spec_object_type, [(a.definition_ref, a.value, a.value_stripped_xhtml)
                                                   for a in o.attributes]) for o in content.spec_objects or []]
    relations = [(r.source, r.target, r.relation_type_ref) for r in content.spec_relations or []]
    specifications = [(s.identifier, s.long_name, repr(s.children)) for s in content.specifications or []]
    return [objects, relations, specifications]


def _texts(path: Path) -> list[str]:
    if path.suffix == ".reqifz":
        with zipfile.ZipFile(path) as archive:
            return [archive.read(name).decode() for name in archive.namelist() if name.endswith(".reqif")]
    return [path.read_text(encoding="utf-8")]


@pytest.mark.skipif(not FILES, reason="real fixtures not present")
@pytest.mark.parametrize("name", FILES)
def test_namespace_shortcut_reads_every_real_file_alike(name: str) -> None:
    for text in _texts(REAL / name):
        assert _read_back(reqif_import.without_default_namespace(text)) == _read_back(text)


def test_namespace_shortcut_applies_to_reqctls_own_export(project: Path, tmp_path: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Export\nstatus: draft\npriority: must",
               "Body with **bold**\n\nand 中文.\n")
    write_item(project, "requirements", "REQ-002", "title: Other\nstatus: draft\npriority: must\n"
               "depends_on: [REQ-001]")
    out = tmp_path / "out.reqif"
    assert run_reqctl(project, "export", "reqif", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    shortcut = reqif_import.without_default_namespace(text)
    assert shortcut != text and 'xmlns="' not in shortcut
    assert _read_back(shortcut) == _read_back(text)


@pytest.mark.parametrize("root", [
    '<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:foo="urn:x">',  # another prefix
    '<REQ-IF>',  # no namespace at all
    '<REQ-IF xmlns="urn:other">',  # another default namespace
])
def test_namespace_shortcut_leaves_other_documents_alone(root: str) -> None:
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n{root}<THE-HEADER/></REQ-IF>'
    assert reqif_import.without_default_namespace(text) == text
