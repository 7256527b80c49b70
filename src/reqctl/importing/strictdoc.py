"""Read StrictDoc ``.sdoc`` documents into an ``ImportPlan``.

The ``strictdoc`` package is a whole documentation server (textX, FastAPI,
many dependencies), so this is a small line parser for the SDoc grammar
instead, tested with Hypothesis:

- a node starts with ``[TAG]`` (``[DOCUMENT]``, ``[GRAMMAR]``,
  ``[REQUIREMENT]``, ``[TEXT]``, custom elements) or ``[[TAG]]`` for a
  composite one (``[[SECTION]]``), closed by ``[[/TAG]]``; the old
  ``[SECTION]`` / ``[/SECTION]`` pair is read the same way;
- a field is ``NAME: value`` on one line, ``NAME: >>>`` ... ``<<<`` over
  several lines (kept verbatim), or ``NAME:`` followed by an indented block
  (``RELATIONS``, ``REFS``, ``OPTIONS``, ``ELEMENTS``), read with PyYAML's
  safe loader.

Mapping: every ``[REQUIREMENT]`` (and every custom element that is not
``TEXT``) becomes one item, ``source: strictdoc:<UID>``; ``TITLE`` →
title (else the first line of ``STATEMENT``), ``STATEMENT`` → body,
``Parent`` relations → the link field (``Child`` ones the other way), the
section path and every other field (``RATIONALE``, ``STATUS``, custom
grammar fields, ``File`` relations) → ``x-strictdoc: {...}``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reqctl.errors import UsageError
from reqctl.importing.plan import ImportPlan, PlannedItem
from reqctl.importing.source import decode_utf8, read_capped
from reqctl.messages import lazy

MAX_FILE_BYTES = 20 * 1024 * 1024
CUSTOM_FIELD = "x-strictdoc"
_OPEN = re.compile(r"^\[(\[)?([A-Z][A-Z0-9_]*)\]?\]$")
_CLOSE = re.compile(r"^\[(\[)?/([A-Z][A-Z0-9_]*)\]?\]$")
_FIELD = re.compile(r"^([A-Z][A-Z0-9_]*):(?: (.*))?$")
_COMPOSITE_LEGACY = frozenset({"SECTION", "COMPOSITE_REQUIREMENT"})
_NOT_ITEMS = frozenset({"TEXT", "DOCUMENT", "GRAMMAR", "SECTION", "DOCUMENT_FROM_FILE"})


@dataclass
class Node:
    """One SDoc node: its tag, its fields in file order, its children (composites), its line."""

    tag: str
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)


def parse_sdoc(text: str, where: str = "<sdoc>") -> list[Node]:
    """The top-level nodes of an SDoc file; a syntax error names ``where:line``."""
    lines = text.splitlines()
    root = Node("ROOT", 0)
    stack: list[Node] = [root]
    current: Node | None = None
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index]
        stripped = line.rstrip()
        if not stripped:
            index += 1
            continue
        closing = _CLOSE.match(stripped)
        opening = _OPEN.match(stripped)
        if closing:
            tag = closing.group(2)
            if len(stack) == 1 or stack[-1].tag != tag:
                raise UsageError(lazy("'{line}' closes nothing open", line=stripped), path=where, line=number)
            stack.pop()
            current = None
            index += 1
            continue
        if opening:
            composite = opening.group(1) == "[" or (opening.group(2) in _COMPOSITE_LEGACY and "[[" not in stripped)
            if opening.group(1) == "[" and not stripped.endswith("]]"):
                raise UsageError(lazy("malformed node '{line}'", line=stripped), path=where, line=number)
            node = Node(opening.group(2), number)
            stack[-1].children.append(node)
            if composite:
                stack.append(node)
            current = node
            index += 1
            continue
        match = _FIELD.match(stripped)
        if current is None or match is None:
            raise UsageError(lazy("expected a [NODE] or a 'FIELD: value' line, got '{line}'", line=stripped[:40]),
                             path=where, line=number)
        name, value = match.group(1), match.group(2)
        if value == ">>>":
            end = next((j for j in range(index + 1, len(lines)) if lines[j].rstrip() == "<<<"), None)
            if end is None:
                raise UsageError(lazy("{name}: '>>>' is never closed with '<<<'", name=name), path=where, line=number)
            current.fields[name] = "\n".join(lines[index + 1:end])
            index = end + 1
            continue
        if value is None or value == "":
            end = index + 1
            while end < len(lines) and (lines[end].startswith((" ", "-")) and lines[end].strip()):
                end += 1
            block = "\n".join(lines[index + 1:end])
            try:
                current.fields[name] = yaml.safe_load(block) if block else None
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line_no = number + 1 + (mark.line if mark is not None else 0)
                raise UsageError(lazy("{name}: malformed block", name=name), path=where, line=line_no) from None
            index = end
            continue
        current.fields[name] = value
        index += 1
    if len(stack) > 1:
        raise UsageError(lazy("[[{tag}]] is never closed", tag=stack[-1].tag), path=where, line=stack[-1].line)
    return root.children


def _first_line(text: str) -> str:
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line:
            return line[:200]
    return ""


def _relations(node: Node, where: str) -> list[dict[str, Any]]:
    relations: list[dict[str, Any]] = []
    for key in ("RELATIONS", "REFS"):
        value = node.fields.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            raise UsageError(lazy("{key}: expected a list of '- TYPE: ...' entries", key=key), path=where,
                             line=node.line)
        relations.extend(value)
    return relations


def read_sdoc(paths: Sequence[Path], *, link_field: str = "depends_on") -> ImportPlan:
    """The plan for the requirements of these ``.sdoc`` files (give related documents together)."""
    plan = ImportPlan(tool="strictdoc", link_field=link_field, owned=frozenset({CUSTOM_FIELD}))
    report = plan.report
    for key, target in {"UID": lazy("source (and the ID with --keep-ids)"), "TITLE": "title",
                        "STATEMENT": lazy("body (title from its first line when there is no TITLE)"),
                        "Parent relation": link_field,
                        "Child relation": lazy("{field} of the child", field=link_field),
                        "[[SECTION]] path": f"{CUSTOM_FIELD}.section"}.items():
        report.map(key, target)
    items: dict[str, PlannedItem] = {}
    child_links: list[tuple[str, str]] = []
    skipped: dict[str, int] = {}
    for path in paths:
        where = str(path)
        nodes = parse_sdoc(decode_utf8(read_capped(path, MAX_FILE_BYTES, path), path), where)
        document = next((node for node in nodes if node.tag == "DOCUMENT"), None)
        if document is None:
            raise UsageError(lazy("no [DOCUMENT] node: not an SDoc file"), path=where, line=1)
        doc_title = str(document.fields.get("TITLE") or path.stem)

        def walk(children: list[Node], section: list[str], doc_title: str = doc_title, where: str = where) -> None:
            for node in children:
                if node.tag == "SECTION" or node.children:
                    title = str(node.fields.get("TITLE") or node.tag)
                    if node.tag != "SECTION":
                        _add(node, section, doc_title, where)
                    walk(node.children, [*section, title])
                elif node.tag in _NOT_ITEMS:
                    skipped[node.tag] = skipped.get(node.tag, 0) + 1
                else:
                    _add(node, section, doc_title, where)

        def _add(node: Node, section: list[str], doc_title: str, where: str) -> None:
            uid = node.fields.get("UID") or node.fields.get("MID")
            if not uid:
                raise UsageError(lazy("[{tag}] has neither UID nor MID", tag=node.tag), path=where, line=node.line)
            source = f"strictdoc:{uid}"
            if source in items:
                raise UsageError(lazy("UID {uid} appears twice", uid=uid), path=where, line=node.line)
            statement = str(node.fields.get("STATEMENT") or "").strip("\n")
            title = _first_line(str(node.fields.get("TITLE") or "")) or _first_line(statement) or str(uid)
            custom: dict[str, Any] = {"document": doc_title}
            if node.tag != "REQUIREMENT":
                custom["element"] = node.tag
                report.keep(f"[{node.tag}] element", f"{CUSTOM_FIELD}.element")
            if section:
                custom["section"] = section
            links: list[str] = []
            files: list[Any] = []
            for relation in _relations(node, where):
                kind, value = relation.get("TYPE"), relation.get("VALUE")
                if kind == "Parent" and value:
                    links.append(f"strictdoc:{value}")
                elif kind == "Child" and value:
                    child_links.append((f"strictdoc:{value}", source))
                elif kind == "File":
                    files.append({key.lower(): value for key, value in relation.items() if key != "TYPE"})
                    report.keep("File relation", f"{CUSTOM_FIELD}.files")
                else:
                    custom.setdefault("relations", []).append(relation)
                    report.keep(f"{kind} relation", f"{CUSTOM_FIELD}.relations")
                if relation.get("ROLE"):
                    custom.setdefault("roles", {})[str(value)] = relation["ROLE"]
                    report.keep("relation ROLE", f"{CUSTOM_FIELD}.roles")
            if files:
                custom["files"] = files
            for name, value in node.fields.items():
                if name in ("UID", "STATEMENT", "RELATIONS", "REFS") or (name == "TITLE" and "\n" not in str(value)):
                    continue
                custom[name] = value
                report.keep(name, f"{CUSTOM_FIELD}.{name}")
            items[source] = PlannedItem(source=source, title=title, body=statement, links=links,
                                        fields={CUSTOM_FIELD: custom}, original_id=str(uid))

        walk(nodes, [])
    for child, parent in child_links:
        if child in items:
            items[child].links.append(parent)
        else:
            report.unmapped.append(
                lazy("Child relation {parent} -> {child}: the child was not imported", parent=parent, child=child)
            )
    for tag, count in sorted(skipped.items()):
        if tag == "TEXT":
            report.unmapped.append(
                lazy("{count} [TEXT] nodes (free text between requirements): not imported", count=count)
            )
        elif tag not in ("DOCUMENT", "GRAMMAR"):
            report.unmapped.append(lazy("{count} [{tag}] nodes: not imported", count=count, tag=tag))
    report.notes.append(lazy("{items} requirements from {documents} document(s)", items=len(items),
                             documents=len(paths)))
    plan.items = list(items.values())
    return plan
