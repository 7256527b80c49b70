"""Read a ReqIF file (``.reqif``, or a ``.reqifz`` archive) into an ``ImportPlan``.

Parsing is the ``reqif`` library's (strictdoc-project/reqif); this module
maps its model:

- every SPEC-OBJECT becomes one requirement, ``source: reqif:<IDENTIFIER>``;
- the title is the first attribute named like a title (``ReqIF.Name``,
  ``ReqIF.ChapterName``, ``Title``...), else the object's LONG-NAME, else
  the first line of the text; the body is the text attribute (``ReqIF.Text``,
  ``Description``...), XHTML converted to Markdown (``xhtml.py``);
- every other attribute is kept under ``x-reqif:`` by its definition's
  LONG-NAME (enumerations by their values' names), with the object's
  SPEC-OBJECT-TYPE as ``x-reqif.type``;
- SPEC-RELATIONs become links (source depends on target) in the link field;
- the SPECIFICATION hierarchy becomes ``x-reqif.specification``,
  ``x-reqif.section`` (``1.2.3``) and ``x-reqif.parent`` (the parent's source).

The input is untrusted.  A DOCTYPE is refused before the XML parser sees
the file (no entities, external or internal, can be declared), sizes are
capped, and a ``.reqifz`` is read in memory, never extracted.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reqctl.errors import UsageError
from reqctl.importing.plan import ImportPlan, PlannedItem
from reqctl.importing.source import decode_utf8, read_capped
from reqctl.importing.xhtml import xhtml_to_markdown
from reqctl.messages import lazy

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 1000
CUSTOM_FIELD = "x-reqif"
TITLE_NAMES = ("reqif.name", "reqif.chaptername", "title", "name", "reqif.title", "heading", "object heading",
               "summary")
TEXT_NAMES = ("reqif.text", "statement", "text", "description", "reqif.description", "object text", "content")
ID_NAMES = ("reqif.foreignid", "uid", "id", "identifier", "foreignid")
_RESERVED = frozenset({"type", "specification", "section", "parent", "long-name"})  # set by this module
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_LINE = re.compile(r"line (\d+)")
_REQIF_NAMESPACE = ' xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"'
_XHTML_NAMESPACE = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'
_ROOT_TAG = re.compile(r"<REQ-IF(?:\s[^>]*)?>")
_DECLARATION = re.compile(r'\sxmlns(?::[\w.-]+)?="[^"]*"')


def _check_xml(raw: bytes, where: str) -> str:
    if _DOCTYPE.search(raw):
        raise UsageError(lazy("refused: the XML declares a DOCTYPE or entities (ReqIF needs none)"), path=where)
    return decode_utf8(raw, where)


def _members(path: Path, raw: bytes) -> Iterator[tuple[str, bytes]]:
    """The ``.reqif`` files of a ``.reqifz``, read in memory with size caps; other members are listed."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise UsageError(lazy("not a ZIP archive: {error}", error=str(exc)), path=path) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UsageError(lazy("more than {n} files in the archive", n=MAX_MEMBERS), path=path)
        total = 0
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            if name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name):
                raise UsageError(lazy("refused: archive member '{name}' has an unsafe path", name=name), path=path)
            if not name.lower().endswith((".reqif", ".xml")):
                continue
            total += info.file_size
            if info.file_size > MAX_FILE_BYTES or total > MAX_FILE_BYTES:
                raise UsageError(lazy("archive member '{name}' expands beyond {size} MB", name=name,
                                      size=MAX_FILE_BYTES // 2**20), path=path)
            with archive.open(info) as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > info.file_size or len(data) > MAX_FILE_BYTES:
                raise UsageError(lazy("archive member '{name}' is larger than it declares", name=name), path=path)
            yield name, data


def without_default_namespace(text: str) -> str:
    """The document without its root's default ReqIF namespace declaration, when the library reads both alike.

    The ``reqif`` parser deep-copies the whole tree and renames every element
    to strip that namespace (over a third of its time on a 40 MB file); a
    document with no default namespace skips both.  The result is the same
    only when the root declares nothing but that namespace and ``xhtml``
    (the library names XHTML tags by the root's first prefix), as reqctl's
    own export does, and when the declaration appears once; any other
    document is left as it is.
    """
    match = _ROOT_TAG.search(text)
    if match is None or text.count(_REQIF_NAMESPACE) != 1:
        return text
    declarations = set(_DECLARATION.findall(match.group(0)))
    if declarations - {_REQIF_NAMESPACE, _XHTML_NAMESPACE}:
        return text
    start, end = match.span()
    return text[:start] + match.group(0).replace(_REQIF_NAMESPACE, "", 1) + text[end:]


def _parse(text: str, where: str) -> Any:
    from reqif.parser import ReqIFParser

    try:
        bundle = ReqIFParser.parse_from_string(without_default_namespace(text))
    except Exception as exc:  # the library raises its own errors and, on odd input, plain ones
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        match = _LINE.search(message)
        raise UsageError(
            lazy("not a valid ReqIF file: {error}", error=message), path=where,
            line=int(match.group(1)) if match else None,
        ) from None
    if bundle.core_content is None or bundle.core_content.req_if_content is None:
        raise UsageError(lazy("not a valid ReqIF file: no CORE-CONTENT"), path=where)
    return bundle


def _value(attribute: Any, definition: Any, data_types: dict[str, Any]) -> Any:
    kind = attribute.attribute_type.name
    if kind == "XHTML":
        return xhtml_to_markdown(attribute.value_stripped_xhtml or str(attribute.value or ""))
    if kind == "ENUMERATION":
        refs = attribute.value if isinstance(attribute.value, list) else [attribute.value]
        data_type = data_types.get(definition.datatype_definition) if definition is not None else None
        values_map = getattr(data_type, "values_map", {}) or {}
        names = [
            (values_map[ref].long_name or values_map[ref].key or ref) if ref in values_map else ref for ref in refs
        ]
        return names[0] if len(names) == 1 else names
    value = attribute.value
    return " ".join(value) if isinstance(value, list) else value


def _first(values: dict[str, Any], names: tuple[str, ...]) -> str | None:
    lowered = {key.lower(): key for key in values}
    for name in names:
        key = lowered.get(name)
        if key is not None and isinstance(values[key], str) and values[key].strip():
            return key
    return None


def _one_line(text: str) -> str:
    for line in text.splitlines():
        line_text = " ".join(line.strip().lstrip("#").split())
        if line_text:
            return line_text[:200]
    return ""


def load(path: Path) -> list[tuple[str, Any]]:
    """The parsed ReqIF bundles of a ``.reqif`` file (one) or a ``.reqifz`` archive (one per member)."""
    raw = read_capped(path, MAX_FILE_BYTES, path)
    if path.suffix.lower() == ".reqifz" or raw[:4] == b"PK\x03\x04":
        bundles = [(f"{path}:{name}", _parse(_check_xml(data, f"{path}:{name}"), f"{path}:{name}"))
                   for name, data in _members(path, raw)]
        if not bundles:
            raise UsageError(lazy("no .reqif file in the archive"), path=path)
        return bundles
    return [(str(path), _parse(_check_xml(raw, str(path)), str(path)))]


def read_reqif(path: Path, *, link_field: str = "depends_on") -> ImportPlan:
    """The plan for every SPEC-OBJECT in a ``.reqif`` or ``.reqifz`` file."""
    return plan_of(path, load(path), link_field=link_field)


def plan_of(path: Path, bundles: list[tuple[str, Any]], *, link_field: str = "depends_on") -> ImportPlan:
    """The plan for every SPEC-OBJECT of ``bundles`` (as ``load`` returns them)."""
    plan = ImportPlan(tool="reqif", link_field=link_field, owned=frozenset({CUSTOM_FIELD}))
    report = plan.report
    report.map("SPEC-OBJECT", lazy("requirement (source reqif:<IDENTIFIER>)"))
    report.map("SPEC-OBJECT-TYPE", f"{CUSTOM_FIELD}.type")
    report.map("SPECIFICATION hierarchy", f"{CUSTOM_FIELD}.specification, .section, .parent")
    items: dict[str, PlannedItem] = {}
    relation_types: dict[str, int] = {}
    relations: list[tuple[str, str]] = []
    for where, bundle in bundles:
        for problem in bundle.exceptions or ():
            report.unmapped.append(lazy("{where}: the reqif library reports: {problem}", where=where,
                                        problem=str(problem).splitlines()[0][:200]))
        content = bundle.core_content.req_if_content
        spec_types = {spec_type.identifier: spec_type for spec_type in content.spec_types or ()}
        data_types = {data_type.identifier: data_type for data_type in content.data_types or ()}
        for spec_object in content.spec_objects or ():
            item = _item(spec_object, spec_types, data_types, plan)
            if item.source in items:
                raise UsageError(lazy("SPEC-OBJECT {id} appears twice", id=spec_object.identifier), path=path)
            items[item.source] = item
        for specification in content.specifications or ():
            missing = _hierarchy(specification, items)
            report.unmapped.extend(
                lazy("SPEC-HIERARCHY names unknown SPEC-OBJECT {id}: left out", id=ref) for ref in missing
            )
        for relation in content.spec_relations or ():
            relation_type = spec_types.get(relation.relation_type_ref)
            name = getattr(relation_type, "long_name", None) or relation.relation_type_ref
            relation_types[name] = relation_types.get(name, 0) + 1
            relations.append((relation.source, relation.target))
    plan.items = list(items.values())
    for source, target in relations:
        linking = items.get(f"reqif:{source}")
        if linking is None:
            report.unmapped.append(lazy("SPEC-RELATION from unknown SPEC-OBJECT {id}: left out", id=source))
            continue
        linking.links.append(f"reqif:{target}")
    for name, count in relation_types.items():
        report.map(f"SPEC-RELATION type '{name}' ({count})", link_field)
    outside = [item.source for item in plan.items if "specification" not in item.fields[CUSTOM_FIELD]]
    if outside:
        report.notes.append(
            lazy("{n} SPEC-OBJECTs are in no SPECIFICATION (imported without a section)", n=len(outside))
        )
    report.notes.append(lazy("{n} SPEC-OBJECTs in {files} ReqIF file(s)", n=len(plan.items), files=len(bundles)))
    return plan


def _item(spec_object: Any, spec_types: dict[str, Any], data_types: dict[str, Any], plan: ImportPlan) -> PlannedItem:
    report = plan.report
    spec_type = spec_types.get(spec_object.spec_object_type)
    definitions = getattr(spec_type, "attribute_map", {}) or {}
    values: dict[str, Any] = {}
    for attribute in spec_object.attributes:
        definition = definitions.get(attribute.definition_ref)
        name = (getattr(definition, "long_name", None) or attribute.definition_ref).strip()
        values[name] = _value(attribute, definition, data_types)
    title_key = _first(values, TITLE_NAMES)
    text_key = _first({k: v for k, v in values.items() if k != title_key}, TEXT_NAMES)
    id_key = _first(values, ID_NAMES)
    body = str(values[text_key]).strip() if text_key else ""
    if title_key:
        title = _one_line(values[title_key])
        report.map(title_key, "title")
    elif spec_object.long_name and spec_object.long_name.strip():
        title = _one_line(spec_object.long_name)
        report.map("LONG-NAME", "title")
    else:
        title = _one_line(body) or spec_object.identifier
    if text_key:
        report.map(text_key, lazy("body (XHTML as Markdown)"))
    custom: dict[str, Any] = {"type": getattr(spec_type, "long_name", None) or spec_object.spec_object_type}
    for name, value in values.items():
        if name in (title_key, text_key):
            if name == title_key and "\n" in str(value).strip():
                custom[name] = value  # a multi-line title attribute: the full text is kept
            continue
        key = f"{name} (attribute)" if name in _RESERVED else name
        custom[key] = value
        target = f"{CUSTOM_FIELD}.{key}"
        report.keep(name, lazy("{field} (also the ID with --keep-ids)", field=target) if name == id_key else target)
    if spec_object.long_name and title_key:
        custom["long-name"] = spec_object.long_name
    original = str(values[id_key]).strip() if id_key else spec_object.identifier
    return PlannedItem(source=f"reqif:{spec_object.identifier}", title=title, body=body,
                       fields={CUSTOM_FIELD: custom}, original_id=original)


def _hierarchy(specification: Any, items: dict[str, PlannedItem]) -> list[str]:
    """Record each object's place in the specification; return the objects it names that do not exist."""
    name = specification.long_name or specification.identifier
    missing: list[str] = []

    def walk(nodes: list[Any] | None, prefix: str, parent: str | None) -> None:
        for index, node in enumerate(nodes or (), start=1):
            number = f"{prefix}{index}"
            item = items.get(f"reqif:{node.spec_object}")
            if item is None:
                missing.append(node.spec_object)
            elif "specification" not in item.fields[CUSTOM_FIELD]:
                custom = item.fields[CUSTOM_FIELD]
                custom["specification"] = name
                custom["section"] = number
                if parent is not None:
                    custom["parent"] = parent
            walk(node.children, f"{number}.", f"reqif:{node.spec_object}")

    walk(specification.children, "", None)
    return missing
