"""reqctl's own ReqIF export read back as the sheets it was made from, so export → import changes nothing.

``reqctl export reqif`` writes one SPEC-OBJECT-TYPE per kind whose ATTRIBUTE-DEFINITIONs are the
export columns (``ReqIF.ForeignID``, ``ReqIF.Name`` and ``ReqIF.Text`` for id, title and body),
every value as the text a spreadsheet cell would hold (``exporting.columns.cell_text``), and a
multi-line value whole in ``<xhtml:div><xhtml:pre>``.  A file whose header names reqctl as its tool
and whose types are all reqctl kinds is therefore a spreadsheet in ReqIF form: each
SPEC-OBJECT-TYPE becomes a ``Sheet`` (columns by attribute name, one row per SPEC-OBJECT) and the
tabular import does the rest exactly as for XLSX and CSV: items matched by their ID (the
``ReqIF.ForeignID``), status, priority, owner, tags, custom fields and references mapped back
to their fields, only the fields that differ written.

SPEC-RELATIONs repeat the reference columns (``depends_on``...); when ``export.columns`` left a
reference column out, the relations of that type fill it instead.  Any other ReqIF file goes
through ``reqif_import`` (``x-reqif`` fields, ``source: reqif:<IDENTIFIER>``).
"""

from __future__ import annotations

import html
import re
from typing import Any

from reqctl.exporting.reqif_export import STANDARD_NAMES
from reqctl.importing.tabular import Sheet
from reqctl.importing.xhtml import xhtml_to_markdown
from reqctl.model.ids import Kind
from reqctl.model.items import MODELS

TOOL_PREFIX = "reqctl "
_FIELD_OF = {name: field for field, name in STANDARD_NAMES.items()}
_KINDS = {kind.value: kind for kind in Kind}
# What xhtml_value() writes: the text, escaped, whole in one <pre> (no markup inside).
_WRAPPED = re.compile(r"\s*<xhtml:div>\s*<xhtml:pre>([^<]*)</xhtml:pre>\s*</xhtml:div>\s*", re.DOTALL)


def unwrap(value: str) -> str | None:
    """The text ``exporting.reqif_export.xhtml_value`` wrapped, or None when ``value`` is other XHTML."""
    match = _WRAPPED.fullmatch(value)
    return html.unescape(match.group(1)) if match else None


def _object_types(content: Any) -> list[Any]:
    from reqif.models.reqif_spec_object_type import ReqIFSpecObjectType

    return [t for t in content.spec_types or () if isinstance(t, ReqIFSpecObjectType)]


def is_reqctl_export(bundles: list[tuple[str, Any]]) -> bool:
    """True when every bundle was written by reqctl and types its SPEC-OBJECTs by reqctl kinds."""
    for _where, bundle in bundles:
        header = bundle.req_if_header
        tools = (getattr(header, "req_if_tool_id", None) or "", getattr(header, "source_tool_id", None) or "")
        if not any(tool.startswith(TOOL_PREFIX) for tool in tools):
            return False
        types = _object_types(bundle.core_content.req_if_content)
        if not types or any((t.long_name or "") not in _KINDS for t in types):
            return False
        for spec_type in types:
            names = {d.long_name for d in spec_type.attribute_definitions or ()}
            if STANDARD_NAMES["id"] not in names:
                return False
    return True


def _text(attribute: Any) -> str:
    value = attribute.value
    if attribute.attribute_type.name == "XHTML":
        raw = str(value or "")
        text = unwrap(raw)
        return text if text is not None else xhtml_to_markdown(attribute.value_stripped_xhtml or raw)
    return " ".join(value) if isinstance(value, list) else str(value if value is not None else "")


def sheets_of(bundles: list[tuple[str, Any]]) -> list[Sheet]:
    """One sheet per kind: the columns the export wrote, one row per SPEC-OBJECT in file order."""
    sheets: list[Sheet] = []
    for where, bundle in bundles:
        content = bundle.core_content.req_if_content
        types = {t.identifier: t for t in _object_types(content)}
        relation_names = {t.identifier: t.long_name or t.identifier for t in content.spec_types or ()}
        objects = list(content.spec_objects or ())
        foreign_ids: dict[str, str] = {}
        for spec_object in objects:
            spec_type = types.get(spec_object.spec_object_type)
            id_refs = {d.identifier for d in getattr(spec_type, "attribute_definitions", None) or ()
                       if d.long_name == STANDARD_NAMES["id"]}
            for attribute in spec_object.attributes:
                if attribute.definition_ref in id_refs:
                    foreign_ids[spec_object.identifier] = _text(attribute).strip()
        links: dict[tuple[str, str], list[str]] = {}  # (source object, relation name) -> target IDs
        for relation in content.spec_relations or ():
            target = foreign_ids.get(relation.target)
            if target is not None:
                name = relation_names.get(relation.relation_type_ref, relation.relation_type_ref)
                links.setdefault((relation.source, name), []).append(target)
        for type_id, spec_type in types.items():
            kind = _KINDS[spec_type.long_name]
            definitions = list(spec_type.attribute_definitions or ())
            header = [_FIELD_OF.get(d.long_name, d.long_name) for d in definitions]
            column = {d.identifier: index for index, d in enumerate(definitions)}
            mine = [o for o in objects if o.spec_object_type == type_id]
            from_relations = [
                name for name in MODELS[kind].reference_fields()
                if name not in header and any((o.identifier, name) in links for o in mine)
            ]
            header += from_relations
            rows: list[tuple[int, list[Any]]] = []
            names: dict[int, str] = {}
            for number, spec_object in enumerate(mine, start=1):
                cells: list[Any] = [None] * len(header)
                for attribute in spec_object.attributes:
                    index = column.get(attribute.definition_ref)
                    if index is not None:
                        cells[index] = _text(attribute)
                for offset, name in enumerate(from_relations, start=len(definitions)):
                    targets = links.get((spec_object.identifier, name))
                    cells[offset] = ", ".join(targets) if targets else None
                rows.append((number, cells))
                names[number] = f"SPEC-OBJECT {foreign_ids.get(spec_object.identifier) or spec_object.identifier}"
            if rows:
                sheets.append(Sheet(f"{where} [{kind.value}]", kind, header, rows, names))
    return sheets
