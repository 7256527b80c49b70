"""ReqIF export built with the ``reqif`` library (the one StrictDoc uses), never by hand.

One SPEC-OBJECT-TYPE per kind with one string ATTRIBUTE-DEFINITION per
column (long name = the column name, except ``ReqIF.ForeignID``,
``ReqIF.Name`` and ``ReqIF.Text`` for id, title and body; the body is always
XHTML),
one SPEC-OBJECT per item (a column with a line break in some value is
XHTML instead, the text kept whole in one ``<xhtml:div><xhtml:pre>``: an XML attribute
would turn the line breaks into spaces), one SPEC-RELATION per reference (``depends_on``,
``relates``, ``affects``, ``supersedes``; the relation type's long name is
the field) and one SPECIFICATION per kind listing its items in ID order.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from reqctl import __version__
from reqctl.exporting import Table
from reqctl.exporting.columns import cell_text
from reqctl.model.items import MODELS

STRING_TYPE = "reqctl-datatype-string"
# The ReqIF Implementation Guide's standard attribute names, which DOORS, Polarion and Jama map by
# themselves; every other column keeps its reqctl name.
STANDARD_NAMES = {"id": "ReqIF.ForeignID", "title": "ReqIF.Name", "body": "ReqIF.Text"}
XHTML_TYPE = "reqctl-datatype-xhtml"


def xhtml_value(text: str) -> str:
    """Multi-line text as ReqIF XHTML that keeps every character and line break."""
    return f"<xhtml:div><xhtml:pre>{html.escape(text, quote=False)}</xhtml:pre></xhtml:div>"


def _ident(*parts: str) -> str:
    """An XML identifier (NCName) made of reqctl names: letters, digits, '-', '_', '.'."""
    text = "-".join(parts)
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def reqif_text(tables: Sequence[Table], *, title: str, now: dt.datetime | None = None) -> str:
    """The ReqIF XML of ``tables``; references to items not exported are left out."""
    from reqif.models.reqif_core_content import ReqIFCoreContent
    from reqif.models.reqif_data_type import ReqIFDataTypeDefinitionString, ReqIFDataTypeDefinitionXHTML
    from reqif.models.reqif_namespace_info import ReqIFNamespaceInfo
    from reqif.models.reqif_req_if_content import ReqIFReqIFContent
    from reqif.models.reqif_reqif_header import ReqIFReqIFHeader
    from reqif.models.reqif_spec_hierarchy import ReqIFSpecHierarchy
    from reqif.models.reqif_spec_object import ReqIFSpecObject, SpecObjectAttribute
    from reqif.models.reqif_spec_object_type import ReqIFSpecObjectType, SpecAttributeDefinition
    from reqif.models.reqif_spec_relation import ReqIFSpecRelation
    from reqif.models.reqif_spec_relation_type import ReqIFSpecRelationType
    from reqif.models.reqif_specification import ReqIFSpecification
    from reqif.models.reqif_specification_type import ReqIFSpecificationType
    from reqif.models.reqif_types import SpecObjectAttributeType
    from reqif.object_lookup import ReqIFObjectLookup
    from reqif.reqif_bundle import ReqIFBundle
    from reqif.unparser import ReqIFUnparser

    stamp = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat()
    string, xhtml = SpecObjectAttributeType.STRING, SpecObjectAttributeType.XHTML
    spec_types: list[Any] = []
    spec_objects: list[Any] = []
    relations: list[Any] = []
    specifications: list[Any] = []
    relation_types: dict[str, str] = {}
    object_ids: dict[str, str] = {}
    for tab in tables:
        for row in tab.rows:
            object_ids[str(row[0])] = _ident("reqctl-object", str(row[0]))
    for tab in tables:
        kind = tab.kind.value
        type_id = _ident("reqctl-type", kind)
        texts = [[cell_text(tab.kind, name, value) for name, value in zip(tab.columns, row, strict=True)]
                 for row in tab.rows]
        multiline = {name for index, name in enumerate(tab.columns) if any("\n" in t[index] for t in texts)}
        multiline.add("body")
        definitions = {
            name: SpecAttributeDefinition(
                attribute_type=xhtml if name in multiline else string,
                identifier=_ident("reqctl-attr", kind, name),
                datatype_definition=XHTML_TYPE if name in multiline else STRING_TYPE,
                long_name=STANDARD_NAMES.get(name, name), last_change=stamp,
            )
            for name in tab.columns
        }
        spec_types.append(ReqIFSpecObjectType(
            identifier=type_id, long_name=kind, last_change=stamp, attribute_definitions=list(definitions.values()),
        ))
        references = set(MODELS[tab.kind].reference_fields())
        hierarchy = []
        for row, row_texts in zip(tab.rows, texts, strict=True):
            item_id = str(row[0])
            attributes = []
            for name, value, text in zip(tab.columns, row, row_texts, strict=True):
                if text:
                    attributes.append(SpecObjectAttribute(
                        attribute_type=xhtml if name in multiline else string,
                        definition_ref=definitions[name].identifier,
                        value=xhtml_value(text) if name in multiline else text,
                    ))
                if name in references and isinstance(value, list):
                    for target in value:
                        if str(target) not in object_ids:
                            continue
                        relation_type = relation_types.setdefault(name, _ident("reqctl-relation", name))
                        relations.append(ReqIFSpecRelation(
                            identifier=_ident("reqctl-link", item_id, name, str(target)),
                            relation_type_ref=relation_type, source=object_ids[item_id],
                            target=object_ids[str(target)], last_change=stamp,
                        ))
            spec_objects.append(ReqIFSpecObject(
                identifier=object_ids[item_id], attributes=attributes, spec_object_type=type_id,
                long_name=item_id, last_change=stamp,
            ))
            hierarchy.append(ReqIFSpecHierarchy(
                identifier=_ident("reqctl-node", item_id), spec_object=object_ids[item_id], level=1,
                last_change=stamp,
            ))
        specifications.append(ReqIFSpecification(
            identifier=_ident("reqctl-spec", kind), long_name=kind, last_change=stamp,
            specification_type="reqctl-specification-type", children=hierarchy,
        ))
    spec_types.append(ReqIFSpecificationType(
        identifier="reqctl-specification-type", long_name="reqctl", last_change=stamp,
    ))
    for name, identifier in relation_types.items():
        spec_types.append(ReqIFSpecRelationType(identifier=identifier, long_name=name, last_change=stamp))
    content = ReqIFReqIFContent(
        data_types=[
            ReqIFDataTypeDefinitionString(
                identifier=STRING_TYPE, long_name="String", max_length="1000000", last_change=stamp,
            ),
            ReqIFDataTypeDefinitionXHTML(identifier=XHTML_TYPE, long_name="XHTML", last_change=stamp),
        ],
        spec_types=spec_types, spec_objects=spec_objects, spec_relations=relations,
        specifications=specifications,
    )
    bundle = ReqIFBundle(
        namespace_info=ReqIFNamespaceInfo.create_default(),
        req_if_header=ReqIFReqIFHeader(
            identifier=_ident("reqctl-header", title), creation_time=stamp, title=title,
            req_if_tool_id=f"reqctl {__version__}", req_if_version="1.0", source_tool_id=f"reqctl {__version__}",
        ),
        core_content=ReqIFCoreContent(req_if_content=content),
        tool_extensions_tag_exists=False, lookup=ReqIFObjectLookup.empty(), exceptions=[],
    )
    return str(ReqIFUnparser.unparse(bundle))
