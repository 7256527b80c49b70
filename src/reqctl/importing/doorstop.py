"""Read a Doorstop tree into an ``ImportPlan`` (never with Doorstop's own loader).

A Doorstop document is a folder holding ``.doorstop.yml``; its items are the
``*.yml`` (and, for ``itemformat: markdown``, ``*.md`` with YAML front
matter) files in that folder and its subfolders, down to the next document.
The input is untrusted: YAML is read with PyYAML's safe loader, files are
size-capped, and symlinks are never followed.

Mapping (the report repeats it for each import):

- ``header`` (or the first line of ``text``) → ``title``; ``text`` → body;
- ``links`` → the link field (``depends_on``), the review stamps left out;
- ``active: false`` → not imported, listed; ``normative: false`` → tag
  ``non-normative``; ``derived: true`` → tag ``derived``;
- the document prefix → a tag (renamed with ``prefix_map``);
- ``level``, ``ref``, ``references``, ``reviewed`` (as true/false) and every
  custom attribute → ``x-doorstop: {...}``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from reqctl.errors import UsageError
from reqctl.importing.plan import ImportPlan, PlannedItem
from reqctl.importing.source import decode_utf8, read_capped
from reqctl.messages import lazy

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 100_000
CUSTOM_FIELD = "x-doorstop"
_STANDARD = frozenset({"active", "derived", "header", "level", "links", "normative", "ref", "reviewed", "text",
                       "references"})


def _read_text(path: Path, rel: str) -> str:
    """A file found in the tree: never through a symbolic link."""
    return decode_utf8(read_capped(path, MAX_FILE_BYTES, rel, follow=False), rel)


def _load_yaml(text: str, rel: str, first_line: int = 1) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(lazy("YAML error: {problem}", problem=problem), path=rel, line=line) from None


def _documents(root: Path) -> list[Path]:
    """Every folder under ``root`` holding a ``.doorstop.yml``; symlinked folders are not entered."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(folder) / d).is_symlink())
        if ".doorstop.yml" in files:
            found.append(Path(folder))
    return found


def _item_files(document: Path, documents: set[Path], markdown: bool) -> list[Path]:
    items: list[Path] = []
    for folder, dirs, files in os.walk(document, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d) not in documents
                         and not (here / d).is_symlink())
        for name in sorted(files):
            if name.startswith(".") or (here / name).is_symlink():
                continue
            if name.endswith(".yml") or (markdown and name.endswith(".md")):
                items.append(here / name)
    return items


def _markdown_item(text: str, rel: str) -> dict[str, Any]:
    """A Doorstop Markdown item: YAML front matter, then the text; a leading ``# heading`` is the header."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise UsageError(lazy("a Markdown item must start with '---' front matter"), path=rel, line=1)
    end = next((index for index in range(1, len(lines)) if lines[index].strip() == "---"), None)
    if end is None:
        raise UsageError(lazy("front matter is not closed with '---'"), path=rel, line=1)
    data = _load_yaml("\n".join(lines[1:end]), rel, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(lazy("front matter is not a mapping"), path=rel, line=2)
    body = lines[end + 1:]
    while body and not body[0].strip():
        body.pop(0)
    if body and body[0].startswith("# ") and not data.get("header"):
        data["header"] = body[0][2:].strip()
        body.pop(0)
    data["text"] = "\n".join(body).strip("\n")
    return data


def _plain(value: Any) -> Any:
    """YAML values as reqctl writes them: dates and other scalars as text, containers kept."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _title(header: str, text: str, uid: str) -> str:
    if header.strip():
        return " ".join(header.split())
    for raw in text.splitlines():
        line = raw.strip().lstrip("#").strip()
        if line:
            if line.startswith("**") and line.endswith("**") and len(line) > 4:
                line = line[2:-2].strip()
            return line[:200]
    return uid


def _links(value: Any, rel: str) -> list[str]:
    """Doorstop links: a list of ``UID`` or ``{UID: stamp}``; the stamps are review state, not links."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise UsageError(lazy("'links' is not a list"), path=rel)
    uids: list[str] = []
    for entry in value:
        if isinstance(entry, Mapping):
            uids.extend(str(key) for key in entry)
        elif isinstance(entry, (str, int)):
            uids.append(str(entry))
        else:
            raise UsageError(lazy("'links' entry {entry} is not a UID", entry=repr(entry)), path=rel)
    return uids


def read_tree(
    path: Path, *, prefix_map: Mapping[str, str] | None = None, link_field: str = "depends_on"
) -> ImportPlan:
    """The plan for every document under ``path`` (a tree root or one document folder)."""
    root = path.resolve()
    if not root.is_dir():
        raise UsageError(lazy("not a folder (give the folder holding the Doorstop documents)"), path=path)
    documents = _documents(root)
    if not documents:
        raise UsageError(lazy("no Doorstop document (.doorstop.yml) in this folder or below"), path=path)
    plan = ImportPlan(tool="doorstop", link_field=link_field, owned=frozenset({"tags", CUSTOM_FIELD}))
    report = plan.report
    prefix_map = dict(prefix_map or {})
    doc_set = set(documents)
    for key, target in {"header": "title", "text": lazy("body (title from its first line when there is no header)"),
                        "links": link_field, "normative: false": lazy("tag non-normative"),
                        "derived: true": lazy("tag derived"), "active: false": lazy("not imported (listed below)"),
                        "document prefix": lazy("tag"), "UID": lazy("source (and the ID with --keep-ids)")}.items():
        report.map(key, target)
    used_map: set[str] = set()
    reviewed = unreviewed = 0
    seen: dict[str, str] = {}  # UID -> file: Doorstop refuses a tree with a UID twice, so do we
    for document in documents:
        doc_rel = _display(document, root)
        config_rel = f"{doc_rel}/.doorstop.yml" if doc_rel != "." else ".doorstop.yml"
        config = _load_yaml(_read_text(document / ".doorstop.yml", config_rel), config_rel) or {}
        settings = config.get("settings") if isinstance(config, dict) else None
        if not isinstance(settings, dict) or not isinstance(settings.get("prefix"), str):
            raise UsageError(lazy("no 'settings: prefix:' in the document configuration"), path=config_rel)
        prefix = settings["prefix"]
        markdown = settings.get("itemformat") == "markdown"
        tag = prefix_map.get(prefix, prefix)
        if prefix in prefix_map:
            used_map.add(prefix)
        for item_path in _item_files(document, doc_set, markdown):
            rel = _display(item_path, root)
            text = _read_text(item_path, rel)
            data = _markdown_item(text, rel) if item_path.suffix == ".md" else _load_yaml(text, rel)
            if not isinstance(data, dict):
                raise UsageError(lazy("a Doorstop item must be a YAML mapping"), path=rel, line=1)
            uid = item_path.stem
            if uid in seen:
                raise UsageError(lazy("duplicate UID {uid} (also in {other})", uid=uid, other=seen[uid]), path=rel)
            seen[uid] = rel
            if data.get("active", True) is False:
                report.unmapped.append(lazy("{uid} ({path}): active: false, not imported", uid=uid, path=rel))
                continue
            header = str(data.get("header") or "")
            body = str(data.get("text") or "").strip("\n")
            tags = [tag]
            if data.get("normative", True) is False:
                tags.append("non-normative")
            if data.get("derived") is True:
                tags.append("derived")
            custom: dict[str, Any] = {"document": prefix}
            level = data.get("level")
            if level is not None:
                custom["level"] = str(level)
                report.keep("level", f"{CUSTOM_FIELD}.level")
            if data.get("ref"):
                custom["ref"] = _plain(data["ref"])
                report.keep("ref", f"{CUSTOM_FIELD}.ref")
            if data.get("references"):
                custom["references"] = _plain(data["references"])
                report.keep("references", f"{CUSTOM_FIELD}.references")
            is_reviewed = bool(data.get("reviewed"))
            custom["reviewed"] = is_reviewed
            reviewed, unreviewed = reviewed + is_reviewed, unreviewed + (not is_reviewed)
            for raw_key, value in data.items():
                key = str(raw_key)
                if key in _STANDARD:
                    continue
                name = f"{key} (attribute)" if key == "document" else key  # 'document' is set above
                custom[name] = _plain(value)
                report.keep(key, f"{CUSTOM_FIELD}.{name}")
            plan.items.append(PlannedItem(
                source=f"doorstop:{uid}",
                title=_title(header, body, uid),
                body=body,
                fields={"tags": tags, CUSTOM_FIELD: custom},
                links=[f"doorstop:{target}" for target in _links(data.get("links"), rel)],
                original_id=uid,
            ))
            if len(plan.items) > MAX_ITEMS:
                raise UsageError(lazy("more than {n} items", n=MAX_ITEMS), path=path)
    report.keep("reviewed", lazy("{field}.reviewed (true/false; the stamp is Doorstop's own)", field=CUSTOM_FIELD))
    report.unmapped.append(lazy("link and review stamps (Doorstop fingerprints): not meaningful outside Doorstop"))
    report.notes.append(lazy("{documents} documents; reviewed: {reviewed} items, not reviewed: {unreviewed}",
                             documents=len(documents), reviewed=reviewed, unreviewed=unreviewed))
    for unused in sorted(set(prefix_map) - used_map):
        report.notes.append(lazy("--prefix-map {prefix}: no such document prefix", prefix=unused))
    return plan


def _display(path: Path, root: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return rel or "."
